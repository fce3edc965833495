"""Payments through Midtrans: the gateway adapter (gateway.py), notification signatures
(signature.py) and the built-in simulator that stands in for Midtrans by default."""
