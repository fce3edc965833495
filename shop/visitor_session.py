"""Flask's signed-cookie session, without its set-up for a visitor who has no session cookie,
and without signing an unchanged lasting session anew on every request.

Most storefront visitors send none (shop/anonymous_forms.py keeps it so), and for them Flask
built an itsdangerous serializer on every request (which serializes an empty dict to learn
its output type) only to hand back an empty session, and worked out the cookie's domain, path
and flags after the view only to find nothing to save. Here such a request gets the empty
session at once, and an empty session nobody changed saves nothing, as before: the answer is
the same, headers included (Vary: Cookie when the page read the session). A visitor with a
cookie, or a session the request filled or emptied, goes through Flask's own code.

A lasting (permanent) session, a guest's cart or "keep me signed in", was serialized, signed
and sent again on every request, changed or not, so that its expiry follows the last visit
(SESSION_REFRESH_EACH_REQUEST). An unchanged one is now sent again only once its signature is
REFRESH_AFTER old: the cookie still expires PERMANENT_SESSION_LIFETIME after the last visit,
give or take REFRESH_AFTER. A changed session is saved at once, as before.

Reading or writing a cookie cost as much again in set-up as in work: Flask builds its
serializer anew for each (and the serializer serializes an empty dict to learn its output
type), the signer derives its HMAC key from the secret anew for each signature (and, given
Flask's SHA-1 as a Python function, hmac computes every HMAC in Python), and the
session's JSON tagging tries eight kinds of tag on every value, lists and strings included.
The serializer, with its signer, is now made once per set of secret keys, signing with
shop/kept_keys.py's kept keys, and values that no tag applies to (plain strings, numbers,
lists, dicts) pass the tagging at once: the cookies are the same, byte for byte.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from shop.kept_keys import KeptKeySerializer, KeptKeySigner

REFRESH_AFTER = timedelta(hours=1)


class VisitorSession(SecureCookieSession):
    signed_at: datetime | None = None  # when the cookie it was read from was signed


class VisitorSessionInterface(SecureCookieSessionInterface):
    session_class = VisitorSession

    def __init__(self) -> None:
        self.serializer = PlainFirstTaggedJSONSerializer()
        self._signing_serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer (the same keys, salt, signer and format), made once per set of
        secret keys: SECRET_KEY_FALLBACKS first, the current key last, as Flask orders them."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._signing_serializers.get(keys)
        if serializer is None:
            serializer = self._signing_serializers[keys] = SignerKeepingSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer=KeptKeySigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": hashlib.sha1,  # as Flask's, but OpenSSL's (kept_keys.py)
                },
            )
        return serializer

    def open_session(self, app: Flask, request: Request) -> VisitorSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if app.secret_key and not value:
            return self.session_class()
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def save_session(self, app: Flask, session: VisitorSession, response: Response) -> None:
        if not session.modified and (not session or _recently_signed(session)):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _recently_signed(session: VisitorSession) -> bool:
    signed_at = session.signed_at
    return signed_at is not None and datetime.now(UTC) - signed_at < REFRESH_AFTER


class PlainFirstTaggedJSONSerializer(TaggedJSONSerializer):
    """Flask's session serializer, with values no tag applies to passed as they are."""

    __slots__ = ()

    def tag(self, value):
        kind = type(value)
        if kind is str or kind is int or kind is bool or kind is float or value is None:
            return value
        if kind is list:
            return [self.tag(item) for item in value]
        if kind is dict and not (len(value) == 1 and next(iter(value)) in self.tags):
            return {key: self.tag(item) for key, item in value.items()}
        return super().tag(value)  # tuples, Markup, bytes, dates...: Flask's own tags

    def _untag_scan(self, value):
        # JSON's own dicts and lists, walked as Flask walks them
        kind = type(value)
        if kind is dict:
            return self.untag({key: self._untag_scan(item) for key, item in value.items()})
        if kind is list:
            return [self._untag_scan(item) for item in value]
        return value


class SignerKeepingSerializer(KeptKeySerializer):
    """Its signer for the session's salt made once (signers hold no state between calls)."""

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        signer = self.__dict__.get("_signer")
        if signer is None:
            signer = self._signer = super().make_signer(salt)
        return signer
