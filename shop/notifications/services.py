"""Recording a notification, showing the list, the reader's e-mail choices, and mailing it.

`record()` adds the event inside the caller's transaction (it flushes, never commits), so an
order that rolls back notifies nobody; the mail task is enqueued only after the commit.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template, url_for
from flask_babel import force_locale
from sqlalchemy import Insert, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.accounts.models import User
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.notifications.kinds import KINDS, Message
from shop.notifications.models import EmailOptOut, EmailStatus, Notification
from shop.outbox.services import queue_mail
from shop.seo.services import absolute_url
from shop.timeutil import utcnow
from shop.whatsapp import share_url

logger = logging.getLogger(__name__)

PAGE_SIZE = 30


@dataclass(frozen=True)
class Recipient:
    """Who hears of an event: an account (in-app and mail) or a guest's address (mail)."""

    user_id: int | None
    email: str
    language: str

    @classmethod
    def of(cls, user: User) -> "Recipient":
        return cls(user.id, user.email, user.language)

    @property
    def key(self) -> str:
        return str(self.user_id) if self.user_id is not None else f"guest:{self.email}"


@dataclass(frozen=True)
class NewNotification:
    """One notification for record_many(): record()'s arguments."""

    kind: str
    recipient: Recipient
    event: str
    params: dict
    mail_secret: str | None = None

    @property
    def event_key(self) -> str:
        return f"{self.kind}:{self.event}:{self.recipient.key}"[:200]


@dataclass(frozen=True)
class RecordedNotification:
    """A notification record_many() has just written."""

    id: int
    event_key: str
    recipient_id: int | None


def record(
    kind: str, recipient: Recipient, event: str, params: dict, mail_secret: str | None = None
) -> RecordedNotification | None:
    """Record `kind` for `recipient`, once per `event` (a key naming what happened, e.g. the
    order number): a second record of the same event for the same person is ignored and
    returns None. Flushes; the mail goes out after the caller commits."""
    added = record_many([NewNotification(kind, recipient, event, params, mail_secret)])
    return added[0] if added else None


def record_many(new_notifications: Sequence[NewNotification]) -> list[RecordedNotification]:
    """record() for each, in order, in one statement however many there are: an INSERT that
    leaves out the events recorded already, by their unique key (one of the same event for
    the same person twice in the list is recorded once; one recorded by a transaction not
    committed yet waits for it, and is left out once it is). Returns those recorded.
    Flushes."""
    by_key: dict[str, NewNotification] = {}
    for new in new_notifications:
        if new.kind not in KINDS:
            raise ValueError(f"unknown notification kind {new.kind}")
        by_key.setdefault(new.event_key, new)
    if not by_key:
        return []
    db.session.flush()  # what the caller changed before, as add() and flush() did
    connection = db.session.connection()
    now = utcnow()
    inserted = dict(
        connection.execute(
            _INSERT_NEW[connection.dialect.name],
            [_notification(key, new, now) for key, new in by_key.items()],
        ).all()
    )
    added = [
        RecordedNotification(inserted[key], key, new.recipient.user_id)
        for key, new in by_key.items()
        if key in inserted
    ]
    from shop.notifications.tasks import deliver_notification

    for notification in added:
        if by_key[notification.event_key].recipient.email:
            enqueue_after_commit(deliver_notification, notification.id)
    return added


def _insert_new(insert) -> Insert:
    """The INSERT of record_many, rows given as parameters: built once (rows given as
    VALUES made a statement with no cache key, compiled anew on every call), sent as one
    INSERT of every row by SQLAlchemy's insertmanyvalues."""
    table = Notification.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.event_key])
        .returning(table.c.event_key, table.c.id)
    )


_INSERT_NEW = {"postgresql": _insert_new(pg_insert), "sqlite": _insert_new(sqlite_insert)}


def _notification(event_key: str, new: NewNotification, created_at: datetime) -> dict:
    recipient = new.recipient
    return {
        "event_key": event_key,
        "kind": new.kind,
        "recipient_id": recipient.user_id,
        "email": recipient.email,
        "language": recipient.language,
        "params": new.params,
        "mail_secret": new.mail_secret,
        "created_at": created_at,
        "email_status": EmailStatus.PENDING if recipient.email else EmailStatus.NONE,
    }


def record_for_all(kind: str, recipients: list[Recipient], event: str, params: dict) -> None:
    record_many([NewNotification(kind, recipient, event, params) for recipient in recipients])


# --- mailing -------------------------------------------------------------------------------


def mail_notification(notification_id: int) -> bool:
    """Write the mail for one notification into the outbox, in the recipient's language,
    unless they turned this kind off. Runs once per notification however often it is
    called: the move from pending is a conditional UPDATE. Returns whether it queued one."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.email_status != EmailStatus.PENDING:
        return False
    if _opted_out(notification):
        status, mail_id = EmailStatus.OFF, None
    else:
        try:
            subject, body = render_mail(notification)
        except Exception as error:  # a bug in its words: retrying would fail the same way
            _give_up(notification, error)
            return False
        status, mail_id = EmailStatus.QUEUED, queue_mail(notification.email, subject, body).id
    moved = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_status == EmailStatus.PENDING)
        .values(email_status=status, mail_id=mail_id, mail_secret=None)
    ).rowcount
    if moved != 1:  # another run got there first; drop this run's mail with the rollback
        db.session.rollback()
        return False
    db.session.commit()
    return status == EmailStatus.QUEUED


def _give_up(notification: Notification, error: Exception) -> None:
    """Mark the notification's mail failed, once, and list it with the failed jobs (which
    tells the operators, unless this was their own failed-job notice)."""
    from shop.jobs.failures import record_failed_job

    notification_id, kind = notification.id, notification.kind
    logger.exception("notification %s (%s): mail not written", notification_id, kind)
    db.session.rollback()
    moved = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_status == EmailStatus.PENDING)
        .values(email_status=EmailStatus.FAILED, mail_secret=None)
    ).rowcount
    db.session.commit()
    if moved == 1 and kind != "job_failed":
        record_failed_job(
            "shop.notifications.tasks.deliver_notification",
            f"notification-{notification_id}",
            [notification_id],
            f"{type(error).__name__}: {error}",
        )


def notifications_to_mail(older_than: timedelta) -> list[int]:
    """Notifications still waiting for their mail task long after they were recorded."""
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                Notification.email_status == EmailStatus.PENDING,
                Notification.created_at < utcnow() - older_than,
            )
            .order_by(Notification.id)
            .limit(1000)
        )
    )


def _opted_out(notification: Notification) -> bool:
    if notification.recipient_id is None:
        return False
    return (
        db.session.scalar(
            select(EmailOptOut.id).where(
                EmailOptOut.user_id == notification.recipient_id,
                EmailOptOut.kind == notification.kind,
            )
        )
        is not None
    )


def render_mail(notification: Notification) -> tuple[str, str]:
    """The subject and body of a notification's mail, in its recipient's language."""
    kind = KINDS[notification.kind]
    with force_locale(notification.language):
        message = kind.render(notification.params)
        link = _link(message, notification.mail_secret)
        if kind.mail_template:
            body = _order_mail_body(kind.mail_template, notification, link)
        else:
            body = render_template(
                "notifications/mail.txt",
                message=message,
                link=link,
                settings_link=absolute_url(url_for("notifications.settings")),
                has_account=notification.recipient_id is not None,
            )
    return message.title, body


def _link(message: Message, secret: str | None) -> str:
    values = dict(message.values, kunci=secret) if secret else message.values
    return absolute_url(url_for(message.endpoint, **values))


def _order_mail_body(template: str, notification: Notification, link: str) -> str:
    from shop.checkout.models import Order
    from shop.orders.queries import order_sections

    order = db.session.scalar(select(Order).where(Order.number == notification.params["number"]))
    return render_template(template, order=order, sections=order_sections(order), link=link)


# --- the reader's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    id: int
    message: Message
    url: str
    whatsapp_url: str
    created_at: datetime
    is_read: bool


def notifications_of(user: User, before_id: int | None = None) -> list[Shown]:
    """The user's newest notifications (PAGE_SIZE, older than before_id), in the current
    locale, each with the WhatsApp link that forwards its text."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE)).all()
    return [_shown(row) for row in rows]


def unread_of(user: User, limit: int) -> list[Shown]:
    """The user's newest unread notifications, at most limit."""
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [_shown(row) for row in rows]


def _shown(notification: Notification) -> Shown:
    message = KINDS[notification.kind].render(notification.params)
    url = url_for(message.endpoint, **message.values)
    text = "\n".join([message.title, *message.lines, absolute_url(url)])
    return Shown(
        notification.id,
        message,
        url,
        share_url(text),
        notification.created_at,
        notification.read_at is not None,
    )


def unread_count(user_id: int):
    """A scalar subquery: the user's unread notifications (loaded with the user)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; returns how many changed.
    Another person's id changes nothing."""
    query = update(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed = db.session.execute(query.values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed


# --- e-mail choices ------------------------------------------------------------------------


def email_off_kinds(user: User) -> set[str]:
    return set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))


def save_choices(
    user: User, kinds_on: set[str], kinds_offered: set[str], thresholds: dict[int, int]
) -> None:
    """Mail the user for `kinds_on` of the kinds offered to them and not for the others, and
    set the low-stock threshold of each of their memberships (membership id -> units)."""
    from shop.coops.models import Membership

    off = kinds_offered - kinds_on
    db.session.execute(
        delete(EmailOptOut).where(
            EmailOptOut.user_id == user.id, EmailOptOut.kind.in_(kinds_offered)
        )
    )
    db.session.add_all(EmailOptOut(user_id=user.id, kind=kind) for kind in sorted(off))
    for membership_id, threshold in thresholds.items():
        db.session.execute(
            update(Membership)
            .where(Membership.id == membership_id, Membership.user_id == user.id)
            .values(low_stock_threshold=threshold)
        )
    db.session.commit()
