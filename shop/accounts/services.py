"""Account rules: registering, signing in and out, resetting and changing passwords."""

import logging
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from shop.accounts.models import PasswordResetToken, User, UserSession
from shop.errors import ShopError
from shop.extensions import db
from shop.outbox.services import queue_mail
from shop.phone import normalise_phone
from shop.timeutil import utcnow
from shop.tokens import hash_token, new_token

logger = logging.getLogger(__name__)

# Checked when the e-mail is unknown, so that a wrong address takes as long as a wrong
# password and the timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class EmailTaken(ShopError):
    pass


class BadCredentials(ShopError):
    pass


class InvalidToken(ShopError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def add_user(
    email: str, name: str, password: str, is_operator: bool = False, language: str = "id"
) -> User:
    """Add an account inside the caller's unit of work (flushes, never commits)."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailTaken(_("An account with this e-mail address already exists."), field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=generate_password_hash(password),
        is_operator=is_operator,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_user(
    email: str, name: str, password: str, is_operator: bool = False, language: str = "id"
) -> User:
    """Create a shopper account, mailed in `language`. Raises EmailTaken."""
    try:
        user = add_user(email, name, password, is_operator, language)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("account %s registered", user.id)
    return user


def authenticate(email: str, password: str) -> User:
    """The active user with this e-mail and password. Raises BadCredentials, the same way
    for an unknown e-mail and a wrong password."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
    if (
        user is None
        or not user.is_active
        or not check_password_hash(user.password_hash, password or "")
    ):
        raise BadCredentials(_("E-mail or password is incorrect."))
    return user


def session_cutoff() -> datetime:
    """Sessions opened before this have ended: a sign-in lasts at most the session lifetime
    (PERMANENT_SESSION_LIFETIME), however often it is used."""
    return utcnow() - current_app.permanent_session_lifetime


def open_session(user: User, replacing: str | None = None) -> str:
    """Record a sign-in: a new session for this browser, and the time. Returns the session's
    key for the cookie (only its hash is stored). The browser's previous session (the key in
    `replacing`) ends, and so do sessions past their lifetime, anyone's: the table does not
    grow with browsers that never signed out."""
    key, key_hash = new_token()
    ended = UserSession.created_at <= session_cutoff()
    if replacing:
        ended = or_(ended, UserSession.key_hash == hash_token(replacing))
    try:
        db.session.execute(delete(UserSession).where(ended))
        db.session.add(UserSession(user_id=user.id, key_hash=key_hash))
        user.last_sign_in_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return key


def end_session(key: str) -> None:
    """Sign out one session: its cookie, and any copy of it, no longer signs anyone in."""
    try:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == hash_token(key)))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def request_password_reset(email: str) -> None:
    """Queue the reset mail for this address. The request does the same work whether or not
    an account exists (the task finds out), so neither its answer nor its time tells."""
    from shop.accounts.tasks import send_password_reset

    try:
        send_password_reset(normalise_email(email)[:254])
    except Exception:  # the queue is down: the answer must still be the same
        logger.exception("could not queue a password reset")


def mail_password_reset(email: str) -> bool:
    """Write a single-use reset link to the outbox if the account exists and is active;
    nothing otherwise. Returns whether a mail was queued."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        logger.info("password reset asked for an unknown address")
        return False
    token, token_hash = new_token()
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"]
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=token_hash, expires_at=utcnow() + timedelta(seconds=max_age)
        )
    )
    link = current_app.config["SITE_URL"].rstrip("/") + f"/akun/sandi-baru/{token}"
    with force_locale(user.language):
        subject = _("Reset your Pasar Koperasi password")
        body = render_template(
            "accounts/mail/reset_password.txt", user=user, link=link, minutes=max_age // 60
        )
    queue_mail(user.email, subject, body)
    db.session.commit()
    return True


def set_language(user: User, language: str) -> None:
    """Mail and notifications reach the user in the language they chose last."""
    if user.language != language:
        user.language = language
        db.session.commit()


def find_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token for this link, or None."""
    reset = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token or ""))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link works once. Raises InvalidToken."""
    try:
        reset = find_reset_token(token)
        if reset is None:
            raise InvalidToken(
                _("This reset link is invalid or has expired. Please ask for a new one.")
            )
        # Claiming the token with a conditional UPDATE makes two simultaneous uses impossible.
        claimed = db.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        if claimed != 1:
            raise InvalidToken(
                _("This reset link is invalid or has expired. Please ask for a new one.")
            )
        user = db.session.get(User, reset.user_id)
        _set_password(user, new_password)
        # Any other link still in the user's mailbox dies with this one.
        db.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=utcnow())
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("account %s reset its password", user.id)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password, knowing the current one. Raises BadCredentials."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise BadCredentials(_("Your current password is incorrect."), field="current_password")
    _set_password(user, new_password)
    db.session.commit()


def update_profile(user: User, name: str, phone: str) -> None:
    """Change the user's name and WhatsApp number (any Indonesian format, stored as +62...;
    empty removes it). Raises ShopError, changing nothing, for an empty name or a number
    that is not Indonesian."""
    name = " ".join((name or "").split())
    if not name:
        raise ShopError(_("Enter your name."), field="name")
    try:
        normalised = normalise_phone(phone) if (phone or "").strip() else None
    except ValueError:
        raise ShopError(
            _("Enter an Indonesian number, for example 0812 3456 7890."), field="phone"
        ) from None
    user.name, user.phone = name, normalised
    db.session.commit()
    logger.info("user %s updated their profile", user.id)


def _set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)
    # Every session ends, this one too: the caller opens a fresh one for the browser in hand.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()
