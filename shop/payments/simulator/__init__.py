"""The built-in Midtrans simulator: the embedded default's payment gateway (see views.py)."""
