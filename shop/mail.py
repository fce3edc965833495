"""Outgoing mail. The backend is chosen by MAIL_BACKEND: log (embedded default), smtp, memory.

The memory backend keeps messages in app.extensions["mail_outbox"] for the tests.
"""

import logging
from dataclasses import dataclass

from flask import current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send_mail(to: str, subject: str, body: str) -> None:
    mail = Mail(to=to, subject=str(subject), body=str(body))
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(mail)
    elif backend == "smtp":
        _send_smtp(mail)
    else:
        logger.info("mail to %s\nSubject: %s\n\n%s", mail.to, mail.subject, mail.body)


def _send_smtp(mail: Mail) -> None:
    # Imported here: a web worker that never mails (the log backend, or the queue's consumer
    # doing it) does not load them.
    import smtplib
    from email.message import EmailMessage

    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
