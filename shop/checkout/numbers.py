"""Order numbers: readable over the phone, not guessable by counting."""

import secrets
from datetime import datetime

from shop.timeutil import utcnow

# Crockford's base32: no I, L, O or U, so a number read aloud or typed is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 6


def new_order_number(now: datetime | None = None) -> str:
    """ "PK-20261123-7QK2MZ": the UTC date of the order and 6 random characters (30 bits)."""
    day = (now or utcnow()).strftime("%Y%m%d")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"PK-{day}-{suffix}"
