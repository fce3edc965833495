"""The task that mails a notification (through the outbox, which retries the sending)."""

from shop.jobs.runner import URGENT, task
from shop.notifications.services import mail_notification


@task(retries=5, retry_delay=30, priority=URGENT)
def deliver_notification(notification_id: int) -> None:
    mail_notification(notification_id)
