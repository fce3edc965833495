"""Indonesian phone numbers, as people type them, normalised to +62..."""

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_ASCII_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() would let "०८१२" or "¹²" through


def normalise_phone(text: str) -> str:
    """ "0812-3456-7890", "62812...", "+62 812..." -> "+6281234567890". Raises ValueError."""
    digits = _SEPARATORS.sub("", text or "")
    if digits.startswith("+62"):
        digits = digits[3:]
    elif digits.startswith("62"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        raise ValueError("not an Indonesian number")
    # Mobile numbers are 8 + 8..12 digits; landlines start with an area code (2x..9x).
    if not _ASCII_DIGITS.fullmatch(digits) or not 8 <= len(digits) <= 13 or digits[0] == "0":
        raise ValueError("not an Indonesian number")
    return "+62" + digits


def whatsapp_link_number(phone: str) -> str:
    """+6281234567890 -> 6281234567890, the form wa.me links want."""
    return phone.lstrip("+")
