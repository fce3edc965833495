"""How Flask-Login finds the user of a session."""

from sqlalchemy import select

from shop.accounts.models import User
from shop.extensions import db
from shop.notifications.services import unread_count


def load_user(login_id: str) -> User | None:
    """The session's user, with its unread notification count in the same query (the header
    shows it on every page)."""
    row = db.session.execute(
        select(User, unread_count(User.id)).where(User.login_id == login_id)
    ).first()
    if row is None or not row[0].is_active:
        return None
    user, user.unread_notifications = row[0], row[1]
    return user
