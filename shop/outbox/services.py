"""Queueing a mail, and sending one exactly once however often its task runs."""

import logging
from datetime import timedelta

from sqlalchemy import select, update

from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.mail import send_mail
from shop.outbox.models import ERROR_LENGTH, MAIL_ATTEMPTS, MailStatus, OutgoingMail
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

# A claim older than this was lost (the consumer died mid-send): the sweep frees it.
STALE_CLAIM = timedelta(minutes=15)


def queue_mail(to: str, subject: str, body: str) -> OutgoingMail:
    """Write a mail in the caller's unit of work (flushes); it is sent after the commit."""
    from shop.outbox.tasks import send_outgoing_mail

    mail = OutgoingMail(to=to, subject=str(subject)[:255], body=str(body))
    db.session.add(mail)
    db.session.flush()
    enqueue_after_commit(send_outgoing_mail, mail.id)
    return mail


def deliver_mail(mail_id: int) -> bool:
    """Send one queued mail unless it was sent (or is being sent) already: the claim is a
    conditional UPDATE, so two runs of the task send it once. Returns whether this run sent
    it. A failed send puts it back to pending and raises, for the queue to retry; after
    MAIL_ATTEMPTS attempts it is marked failed."""
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status == MailStatus.PENDING)
        .values(status=MailStatus.SENDING, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return False
    mail = db.session.get(OutgoingMail, mail_id)
    try:
        send_mail(mail.to, mail.subject, mail.body)
    except Exception as error:
        _record_failure(mail, error)
        raise
    mail.status, mail.sent_at, mail.attempts = MailStatus.SENT, utcnow(), mail.attempts + 1
    mail.body = ""  # links with keys (reset, invitation, a guest's order) live only until sent
    db.session.commit()
    return True


def _record_failure(mail: OutgoingMail, error: Exception) -> None:
    db.session.rollback()
    mail = db.session.get(OutgoingMail, mail.id)
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    mail.status = MailStatus.FAILED if mail.attempts >= MAIL_ATTEMPTS else MailStatus.PENDING
    db.session.commit()
    logger.warning("mail %s to %s: attempt %d failed: %s", mail.id, mail.to, mail.attempts, error)


def mails_to_resend(now=None, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Mails the queue lost, for the sweep to enqueue again: pending ones whose task was
    never queued (the queue was down at commit), claims that died with their consumer
    (freed), and failed attempts whose retry is long overdue (the longest wait between two
    attempts is 8 minutes)."""
    now = now or utcnow()
    db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.status == MailStatus.SENDING,
            OutgoingMail.claimed_at < now - STALE_CLAIM,
        )
        .values(status=MailStatus.PENDING)
    )
    never_queued = (OutgoingMail.attempts == 0) & (OutgoingMail.created_at < now - older_than)
    retry_lost = (OutgoingMail.attempts > 0) & (OutgoingMail.claimed_at < now - STALE_CLAIM)
    ids = db.session.scalars(
        select(OutgoingMail.id)
        .where(OutgoingMail.status == MailStatus.PENDING, never_queued | retry_lost)
        .order_by(OutgoingMail.id)
        .limit(1000)
    ).all()
    db.session.commit()
    return list(ids)
