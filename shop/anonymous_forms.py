"""CSRF tokens for a visitor who has no session yet, so that viewing a product page costs no
session cookie and no signed token stored server-side (Flask-WTF keeps its token in the
session: every anonymous view of a page with a form used to sign and send a new cookie).

A visitor with an empty session gets "anon.<issued>.<nonce>.<HMAC of both>" in the page's
forms: stateless, signed with the SECRET_KEY, valid ANONYMOUS_TOKEN_SECONDS, a new one on
every page (two visitors never hold the same token). It is accepted only
  - by the endpoints listed in ENDPOINTS (the add-to-cart form; its POST then starts the
    session that holds the guest cart, and every later form has Flask-WTF's own token);
  - from a visitor who is not signed in (a signed-in shopper's POST needs the session's
    token, as before);
  - from this site: a browser says where a form came from (Sec-Fetch-Site, Origin), and a
    cross-site one is refused.
Anything else falls through to Flask-WTF's check, so a forged POST is refused as before.
"""

import hmac
import secrets
import time
from urllib.parse import urlsplit

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, generate_csrf

PREFIX = "anon."
ANONYMOUS_TOKEN_SECONDS = 12 * 3600  # a product page left open for an afternoon still works
# Endpoints whose form a visitor without a session may send with an anonymous token.
ENDPOINTS = frozenset({"cart.add"})


def _signature(secret: str, issued: str, nonce: str) -> str:
    message = f"anonymous-form|{issued}|{nonce}".encode()
    return hmac.digest(secret.encode(), message, "sha256").hex()  # one call into OpenSSL


def issue_token(secret: str, now: float | None = None) -> str:
    issued = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(8)
    return f"{PREFIX}{issued}.{nonce}.{_signature(secret, issued, nonce)}"


def is_valid_token(secret: str, token: str, now: float | None = None) -> bool:
    if not token.startswith(PREFIX):
        return False
    issued, nonce, signature = (token[len(PREFIX) :].split(".") + ["", ""])[:3]
    expected = _signature(secret, issued, nonce)
    if not issued.isdigit() or not hmac.compare_digest(signature, expected):
        return False
    age = (time.time() if now is None else now) - int(issued)
    return 0 <= age <= ANONYMOUS_TOKEN_SECONDS


def token_for_visitor() -> str:
    """A form token for this request's visitor: the anonymous one while their session is
    empty, else Flask-WTF's (kept in their session)."""
    if not session:
        return issue_token(current_app.config["SECRET_KEY"])
    return generate_csrf()


def _from_this_site() -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def accepts_anonymous_post() -> bool:
    """Whether this POST carries a valid anonymous token where one is allowed."""
    token = request.form.get("csrf_token", "")
    return (
        request.endpoint in ENDPOINTS
        and "_user_id" not in session
        and is_valid_token(current_app.config["SECRET_KEY"], token)
        and _from_this_site()
    )


class StorefrontCSRF(CSRFProtect):
    """Flask-WTF's CSRF protection, which also takes an anonymous token where it is allowed."""

    def protect(self, apply_exemptions=False):
        # A GET (every page view) is never checked: said first, before Flask-WTF looks up
        # the view's exemptions to come to the same answer.
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return None
        if request.method == "POST" and accepts_anonymous_post():
            g.csrf_valid = True  # FlaskForm.validate() then skips its own token check
            return None
        return super().protect(apply_exemptions=apply_exemptions)
