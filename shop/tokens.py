"""Single-use secrets sent by link (password reset, invitations).

The link carries a random token; the database keeps only its SHA-256, so neither a database
leak nor a log of queries reveals a usable link.
"""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh (token, token_hash) pair."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
