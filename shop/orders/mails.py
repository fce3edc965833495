"""The shopper's mails about an order: placed (how to pay, the way back) and paid.

Both are sent after the order's commit, so a mail that fails must not undo or break anything:
the failure is logged and the caller carries on (the order page has the same information).
"""

import logging
from contextlib import nullcontext

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _

from shop.checkout.models import Order
from shop.mail import send_mail
from shop.orders.queries import order_sections
from shop.seo.services import absolute_url

logger = logging.getLogger(__name__)


def send_order_placed_mail(order: Order, link: str) -> None:
    """Mail the order, its deadline to pay and `link` (the guest's way back) to its contact.

    Never raises: a failure is logged.
    """
    try:
        subject = _("Your order %(number)s: waiting for payment", number=order.number)
        body = render_template(
            "orders/mail/placed.txt", order=order, sections=order_sections(order), link=link
        )
        send_mail(order.contact_email, subject, body)
    except Exception:
        logger.exception("order placed mail for %s failed", order.number)


def send_order_paid_mail(order: Order) -> None:
    """Tell the order's contact that the payment arrived and what happens next.

    The link carries no token: a guest uses the one from the first mail. Never raises.
    """
    try:
        subject = _("Payment received for order %(number)s", number=order.number)
        body = render_template(
            "orders/mail/paid.txt", order=order, link=_order_page_url(order.number)
        )
        send_mail(order.contact_email, subject, body)
    except Exception:
        logger.exception("order paid mail for %s failed", order.number)


def _order_page_url(number: str) -> str:
    # The payment may be settled outside any request (a job checking Midtrans): url_for then
    # needs a request context, and the public address comes from SITE_URL either way.
    context = nullcontext() if has_request_context() else current_app.test_request_context()
    with context:
        return absolute_url(url_for("orders.detail", number=number))
