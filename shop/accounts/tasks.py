"""Account mail that must not hold up a request."""

from shop.accounts.services import mail_password_reset
from shop.jobs.runner import task


@task(retries=5, retry_delay=30)
def send_password_reset(email: str) -> None:
    mail_password_reset(email)
