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
"""

from datetime import UTC, datetime, timedelta

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = timedelta(hours=1)


class VisitorSession(SecureCookieSession):
    signed_at: datetime | None = None  # when the cookie it was read from was signed


class VisitorSessionInterface(SecureCookieSessionInterface):
    session_class = VisitorSession

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
