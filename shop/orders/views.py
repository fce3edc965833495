"""The shopper's order pages: one order (owner, placing browser or mailed link) and my orders."""

from flask import Blueprint, abort, render_template, request, session
from flask_login import current_user

from shop.auth.policy import public, require_sign_in
from shop.checkout.shipping import method_label
from shop.orders.access import can_view_order, is_valid_token, remember_order_access
from shop.orders.labels import payment_method_label, refund_method_label, status_label
from shop.orders.queries import (
    ORDER_TABS,
    find_order_to_show,
    order_sections,
    order_status_text,
    orders_of,
    refund_totals,
)
from shop.pagination import parse_page_number
from shop.payments.panel import countdown_template, payment_panel
from shop.security import private_page
from shop.timeutil import utcnow

bp = Blueprint("orders", __name__)
bp.add_app_template_filter(status_label, "order_status")
bp.add_app_template_filter(payment_method_label, "payment_method")
bp.add_app_template_filter(method_label, "shipping_method")
bp.add_app_template_filter(order_status_text, "order_status_text")
bp.add_app_template_filter(refund_method_label, "refund_method")


def _private(html: str):
    """Private, and since the guest's URL carries a token, never sent on in a Referer."""
    response = private_page(html)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/pesanan/<number>")
@public
def detail(number):
    order, has_refunds = find_order_to_show(number) or (None, False)
    token = request.args.get("kunci")
    # One 404 for "no such order" and "not yours": order numbers cannot be probed.
    if order is None or not can_view_order(order, current_user, session, token):
        abort(404)
    if is_valid_token(order, token):
        remember_order_access(session, order.number)
    # Until the expiry job closes it, a pending order past its deadline cannot be paid. Only
    # an order awaiting payment shows the panel: the others would read its attempt for nothing.
    payment = payment_panel(order, utcnow()) if order.is_awaiting_payment else None
    sections = order_sections(order, has_refunds)
    html = render_template(
        "orders/detail.html",
        order=order,
        sections=sections,
        refunds=refund_totals(order, sections),
        is_payable=payment is not None and payment.is_payable,
        payment=payment,
        countdown_template=countdown_template() if payment is not None else "",
    )
    return _private(html)


@bp.route("/akun/pesanan")
@require_sign_in
def mine():
    tab = request.args.get("tab")
    tab = tab if tab in ORDER_TABS else None  # unknown: every order
    page = orders_of(current_user, parse_page_number(request.args.get("page")), tab)
    return _private(render_template("orders/mine.html", page=page, tabs=ORDER_TABS, tab=tab))
