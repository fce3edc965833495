"""Percent-encoding exactly as urllib.parse.quote and quote_plus write it, in a few C calls.

urllib encodes the text to UTF-8 and then looks each byte up in a Python loop: for the
WhatsApp messages of a product page (a hundred characters, spaces and all) that was more of
the page's CPU than the product's SQL statement. Here the same byte-to-text table, built
once for each set of safe characters by urllib itself, is applied by str.translate to the
bytes (read as Latin-1, one character a byte). tests/test_url_quote.py checks that both
agree on any text.
"""

from functools import cache
from urllib.parse import quote as urllib_quote


def quote(text: str, safe: str = "/") -> str:
    """urllib.parse.quote(text, safe)."""
    return text.encode().decode("latin-1").translate(_table(safe))


def quote_plus(text: str, safe: str = "") -> str:
    """urllib.parse.quote_plus(text, safe): spaces become +."""
    if " " not in text:
        return quote(text, safe)
    return quote(text, safe + " ").replace(" ", "+")


@cache
def _table(safe: str) -> list[str]:
    return [urllib_quote(bytes([byte]), safe) for byte in range(256)]
