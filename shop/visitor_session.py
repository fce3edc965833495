"""Flask's signed-cookie session, without its set-up for a visitor who has no session cookie.

Most storefront visitors send none (shop/anonymous_forms.py keeps it so), and for them Flask
built an itsdangerous serializer on every request (which serializes an empty dict to learn
its output type) only to hand back an empty session, and worked out the cookie's domain, path
and flags after the view only to find nothing to save. Here such a request gets the empty
session at once, and an empty session nobody changed saves nothing, as before: the answer is
the same, headers included (Vary: Cookie when the page read the session). A visitor with a
cookie, or a session the request filled or emptied, goes through Flask's own code.
"""

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class VisitorSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
