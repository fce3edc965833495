"""Cooperatives fulfil their part of each order (packed, shipped, delivered), completion
after the hold period, and refunds of lines."""
