"""How Flask-Login finds the user of a session."""

from sqlalchemy import select

from shop.accounts.models import User
from shop.extensions import db


def load_user(login_id: str) -> User | None:
    user = db.session.scalar(select(User).where(User.login_id == login_id))
    return user if user is not None and user.is_active else None
