"""Cooperatives fulfil their part of each order (packing slips; packed, shipped or ready for
pickup, delivered), completion after the hold period, and refunds of lines."""
