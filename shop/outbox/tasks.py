"""The task that sends a queued mail."""

from shop.jobs.runner import URGENT, task
from shop.outbox.models import MAIL_ATTEMPTS
from shop.outbox.services import deliver_mail


# Retried after 30 s, 1, 2, 4 and 8 minutes: a quarter of an hour for SMTP to come back.
@task(retries=MAIL_ATTEMPTS - 1, retry_delay=30, retry_backoff=2.0, priority=URGENT)
def send_outgoing_mail(mail_id: int) -> None:
    deliver_mail(mail_id)
