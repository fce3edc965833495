"""Checkout: orders, their lines and shipments, and the stock reservation."""
