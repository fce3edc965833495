"""The recurring work, run by the consumer on a schedule (this replaces the crontab; the
`flask orders ...` and `flask ledger check` commands stay for people who prefer cron).

Times are UTC (Huey's default); Jakarta is UTC+7, so 19:00 UTC is 02:00 WIB, when the shops
are quiet.
"""

import logging
from datetime import timedelta

from flask import current_app

from shop.jobs.runner import crontab, periodic_task

logger = logging.getLogger(__name__)

# Longer than a busy queue's backlog takes to drain, so the sweep rarely doubles a task
# that is only waiting its turn (a double is harmless: every task checks its row first).
SWEEP_AFTER = timedelta(minutes=10)


@periodic_task(crontab(minute="*/10"))
def expire_unpaid_orders() -> None:
    """Every 10 minutes: close unpaid orders past their deadline, asking Midtrans first."""
    from shop.payments.expiry import expire_overdue_orders
    from shop.payments.gateway import gateway_from_config

    expire_overdue_orders(gateway_from_config(current_app.config))


@periodic_task(crontab(minute="5"))
def complete_due_order_parts() -> None:
    """Hourly: delivered parts past their hold period are completed (money available)."""
    from shop.fulfilment.services import complete_due_shipments

    complete_due_shipments()


@periodic_task(crontab(minute="0", hour="19"))
def nightly_ledger_check() -> None:
    """Nightly: prove the books; the operators hear of any problem."""
    from shop.ledger.nightly import notify_if_ledger_broken

    notify_if_ledger_broken()


@periodic_task(crontab(minute="30", hour="19"))
def nightly_reconciliation() -> None:
    """Nightly: each cooperative's yesterday against what Midtrans settled; its admins hear
    of any order that does not agree."""
    from shop.reports.nightly import reconcile_yesterday

    reconcile_yesterday()


@periodic_task(crontab(minute="45", hour="19"))
def daily_reconciliation_exceptions() -> None:
    """Daily: every cooperative's ledger against what Midtrans said, kept as exceptions for
    its admins' home (opened, seen again, or resolved: a repeat opens nothing twice)."""
    from shop.reconciliation.services import reconcile_all

    reconcile_all()


@periodic_task(crontab(minute="5", hour="17"))
def flag_expired_permits() -> None:
    """Daily, just after midnight in Jakarta: expired P-IRT permits of products on sale."""
    from shop.products.expiry import flag_expired_permits as flag

    flag()


@periodic_task(crontab(minute="0", hour="20"))
def clean_orphaned_media() -> None:
    """Nightly: photo folders no image row names any more, and week-old import files."""
    from shop.media.cleanup import remove_orphaned_photo_folders
    from shop.products.importing import forget_old_imports

    remove_orphaned_photo_folders()
    forget_old_imports()


@periodic_task(crontab(minute="*"))
def sweep_undelivered() -> None:
    """Every minute: mails and notifications whose task was never queued (the queue was down
    when their transaction committed) are queued again. Their tasks are idempotent."""
    from shop.notifications.services import notifications_to_mail
    from shop.notifications.tasks import deliver_notification
    from shop.outbox.services import mails_to_resend
    from shop.outbox.tasks import send_outgoing_mail

    for mail_id in mails_to_resend(older_than=SWEEP_AFTER):
        send_outgoing_mail(mail_id)
    for notification_id in notifications_to_mail(older_than=SWEEP_AFTER):
        deliver_notification(notification_id)
