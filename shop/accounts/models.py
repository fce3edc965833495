"""Accounts: people who sign in, their signed-in sessions, and their single-use
password-reset tokens."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow


def new_login_id() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    # What the session cookie carries instead of the id, so the cookie does not name the row.
    login_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_login_id)
    is_operator: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language mail and notifications are written in: the one chosen last on the site.
    language: Mapped[str] = mapped_column(String(5), default="id", server_default="id")
    # A WhatsApp number the shopper gave in their account, stored as +62... (shop.phone).
    phone: Mapped[str | None] = mapped_column(String(20))

    # Unread notifications, loaded with the user on each request (shop.accounts.session).
    unread_notifications: int = 0
    # The items in their cart, loaded likewise for the header; None: not loaded.
    cart_item_count = None  # an int once loaded

    def get_id(self) -> str:
        return self.login_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser. Its cookie carries a random key and the row holds only the key's
    SHA-256: deleting the row (signing out) ends the session for every copy of that cookie,
    while the user's other browsers stay signed in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Indexed for the sweep of expired sessions at each sign-in.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the token is stored, so a database leak yields no usable link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
