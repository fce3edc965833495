"""Account mail that must not hold up a request."""

from shop.accounts.services import mail_password_reset
from shop.jobs.runner import URGENT, task


@task(retries=5, retry_delay=30, priority=URGENT)
def send_password_reset(email: str) -> None:
    mail_password_reset(email)
