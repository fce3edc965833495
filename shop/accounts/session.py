"""How Flask-Login finds the user of a session.

The session cookie holds two things: the user's login_id (Flask-Login's "_user_id") and the
key of a server-side session record (SESSION_KEY). The user is signed in only while that
record exists, so signing out deletes it and a copy of the cookie taken before is worthless.
"""

from flask import current_app, request, session
from flask_login.config import COOKIE_NAME
from sqlalchemy import select

from shop.accounts.models import User, UserSession
from shop.accounts.services import session_cutoff
from shop.cart.contents import cart_item_count_of
from shop.extensions import db
from shop.notifications.services import unread_count
from shop.tokens import hash_token

SESSION_KEY = "_session_key"


def load_user(login_id: str) -> User | None:
    """The session's user, with its unread notifications and the items in its cart in the
    same query (the header shows both on every page); None when the session has ended."""
    key = session.get(SESSION_KEY)
    row = None
    if key:
        row = db.session.execute(
            select(User, unread_count(User.id), cart_item_count_of(User.id))
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                User.login_id == login_id,
                UserSession.key_hash == hash_token(key),
                UserSession.created_at > session_cutoff(),
            )
        ).first()
    if row is None or not row[0].is_active:
        _forget_session()
        return None
    user, user.unread_notifications, user.cart_item_count = row
    return user


def _forget_session() -> None:
    """An ended session leaves the cookie: the visitor is plainly anonymous again (and the page
    cache may serve them) instead of being looked up on every request."""
    session.pop("_user_id", None)
    session.pop(SESSION_KEY, None)
    # A "remember me" cookie from before sessions were recorded carries no key and can never
    # sign anyone in again; Flask-Login deletes it when told "clear", as on sign-out.
    if current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies:
        session["_remember"] = "clear"
