"""Payment pages: the Midtrans notification URL, the shopper's "Pay" button, and the pages
Midtrans sends the shopper back to (finish, unfinish, error).

The notification URL is public (Midtrans sends no auth) and exempt from CSRF (it is no
browser form). The return pages never believe the transaction_status in their URL (anyone
can type one): they ask Midtrans about the order's current attempt, apply that answer like a
notification would, and show the order as our database then has it.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import public
from shop.checkout.models import Order, OrderStatus
from shop.errors import ShopError
from shop.extensions import csrf
from shop.orders.access import can_view_order
from shop.orders.queries import OrderGlance, find_order, glance_at_order
from shop.payments.attempt_records import latest_attempt

bp = Blueprint("payments", __name__)
Seen = TypeVar("Seen", Order, OrderGlance)  # the whole order, or what the return page reads


@bp.route("/payments/midtrans/notification", methods=["POST"])
@csrf.exempt
@public
def midtrans_notification():
    # The gateway and the ledger (0.5 MB of modules) load when first paid with, not in every
    # worker that only shows the storefront; so in the views below.
    from shop.payments.gateway import gateway_from_config
    from shop.payments.services import handle_notification

    result = handle_notification(request.get_data(), gateway_from_config(current_app.config))
    return jsonify(status=result.outcome.value), result.http_status


@bp.route("/pesanan/<number>/bayar", methods=["POST"])
@public
def pay(number):
    from shop.payments.attempts import start_payment
    from shop.payments.gateway import gateway_from_config

    order = _shoppers_order(number)
    gateway = gateway_from_config(current_app.config)
    try:
        payment_page = start_payment(order, gateway, url_for("payments.finish", _external=True))
    except ShopError as error:  # the gateway is down or slow, or the order is not payable
        flash(error.message, "error")
        return redirect(url_for("orders.detail", number=number), code=303)
    return redirect(payment_page, code=303)


@bp.route("/pembayaran/selesai", endpoint="finish")
@bp.route("/pembayaran/belum-selesai", endpoint="unfinish")
@bp.route("/pembayaran/gagal", endpoint="error")
@public
def returned():
    from shop.payments.attempts import refresh_from_gateway
    from shop.payments.gateway import gateway_from_config
    from shop.payments.services import ATTEMPT_ORDER_ID

    midtrans_order_id = request.args.get("order_id", "")
    attempt = ATTEMPT_ORDER_ID.match(midtrans_order_id)
    order = _shoppers_order(attempt.group(1) if attempt else midtrans_order_id, glance_at_order)
    if refresh_from_gateway(order, gateway_from_config(current_app.config)):
        order = glance_at_order(order.number)
    category, message = _state_message(order)
    flash(message, category)
    return redirect(url_for("orders.detail", number=order.number), code=303)


def _shoppers_order(number: str, find: Callable[[str], Seen | None] = find_order) -> Seen:
    """The order, if this visitor may see it; else the same 404 as for a number unknown."""
    order = find(number[:40])
    if order is None or not can_view_order(order, current_user, session, None):
        abort(404)
    return order


def _state_message(order: OrderGlance) -> tuple[str, str]:
    if order.paid_at is not None:
        return "success", _("Thank you: your payment has been received.")
    if order.status == OrderStatus.PENDING:
        attempt = latest_attempt(order.id)
        if attempt is not None and attempt.has_failed:
            return "error", _(
                "The payment did not go through, but your items are still held for you. "
                "You can pay with another method below."
            )
        if request.endpoint == "payments.error":
            return "error", _("The payment did not go through. You can try again below.")
        return "info", _(
            "We have not received your payment yet. If you have paid, this page will show it "
            "in a few minutes; otherwise you can pay below."
        )
    return "error", _("This order was closed without payment, and its items were released.")
