"""itsdangerous's timed signing (session cookies, Flask-WTF's CSRF tokens), the same bytes at
less cost: each signing key derived from its secret once a process, not at every signature,
and HMAC-SHA1 computed by OpenSSL.

itsdangerous derives the key (an HMAC of the salt) anew for every signature and check, and
gives hmac its SHA-1 as a Python function, for which hmac computes both HMACs in Python.
Flask-WTF builds a serializer for every token it makes or checks: install() makes that one
of these.
"""

import hashlib

import flask_wtf.csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from itsdangerous.timed import TimestampSigner

# (secret, salt, key derivation, digest) -> key; a handful of secrets and salts a process.
_derived_keys: dict[tuple, bytes] = {}


class KeptKeySigner(TimestampSigner):
    default_digest_method = staticmethod(hashlib.sha1)  # SHA-1, as itsdangerous's default

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        found = (secret, self.salt, self.key_derivation, self.digest_method)
        key = _derived_keys.get(found)
        if key is None:
            key = _derived_keys[found] = super().derive_key(secret)
        return key


class KeptKeySerializer(URLSafeTimedSerializer):
    default_signer = KeptKeySigner


def install() -> None:
    """Flask-WTF's CSRF tokens made and checked with KeptKeySerializer."""
    flask_wtf.csrf.URLSafeTimedSerializer = KeptKeySerializer
