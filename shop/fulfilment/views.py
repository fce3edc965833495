"""Pages: a cooperative admin's orders (list, marking several packed, one part, its packing
slip, shipping steps, refunds through Midtrans or by bank transfer) and the shopper's "I have
received it" button."""

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import public, require_books_reader, require_coop_admin
from shop.checkout.models import ShipmentStatus
from shop.errors import ShopError
from shop.fulfilment import services
from shop.fulfilment.allocation import allocate_refund, open_refunds_of_order
from shop.fulfilment.contact import buyer_chat_url
from shop.fulfilment.forms import (
    MoveForm,
    PackPartsForm,
    allocation_form,
    manual_refund_form,
    refund_form,
)
from shop.fulfilment.labels import shipment_status_label
from shop.fulfilment.manual_refunds import record_manual_refund
from shop.fulfilment.queries import find_part, parts_of
from shop.fulfilment.refunds import refund_lines
from shop.fulfilment.slips import SLIP_SIZES, packing_slip, slip_qr_svg
from shop.ids import is_row_id
from shop.money import format_rupiah
from shop.orders.access import can_view_order
from shop.orders.queries import find_order
from shop.pagination import parse_page_number
from shop.payments.gateway import gateway_from_config
from shop.security import private_page

bp = Blueprint("fulfilment", __name__)
bp.add_app_template_filter(shipment_status_label, "shipment_status")

NUMBER_SHOWN = 40  # characters of a typed order number repeated in a message


def _part_or_404(coop, number: str):
    part = find_part(coop, number)
    if part is None:  # no such order, not paid, or another cooperative's
        abort(404)
    return part


def _render_part(coop, part, move_form=None, refund=None, manual=None, allocation=None):
    names = [p.line.name for p in part.lines]
    html = render_template(
        "fulfilment/order.html",
        coop=coop,
        part=part,
        chat_url=buyer_chat_url(part),
        slip_sizes=SLIP_SIZES,
        move_form=move_form or MoveForm(formdata=None),
        refund_form=refund or refund_form(names, formdata=None),
        manual_form=manual or manual_refund_form(names, formdata=None),
        to_allocate=open_refunds_of_order(part.order.id),
        allocation_form=allocation or allocation_form(names, formdata=None),
    )
    return private_page(html)


def _render_orders(coop, pack_form=None):
    status = request.args.get("status", "")
    chosen = ShipmentStatus(status) if status in set(ShipmentStatus) else None
    page = parts_of(coop, chosen, parse_page_number(request.args.get("page")))
    html = render_template(
        "fulfilment/orders.html",
        coop=coop,
        page=page,
        chosen=chosen,
        statuses=list(ShipmentStatus),
        pack_form=pack_form or PackPartsForm(formdata=None),
    )
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/pesanan")
@require_books_reader
def orders(coop, membership):
    return _render_orders(coop)


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/kemas", methods=["GET", "POST"])
@require_coop_admin
def pack(coop, membership):
    """Mark the chosen parts packed; those that cannot move are named, by reason (a GET, as
    after reloading a refused form, shows the list)."""
    form = PackPartsForm()
    if not form.validate_on_submit():
        return _render_orders(coop, pack_form=form)
    result = services.pack_parts(coop, form.orders.data, current_user)
    if result.packed:
        flash(_("Marked packed: %(numbers)s.", numbers=", ".join(result.packed)), "success")
    refused = defaultdict(list)  # one message per reason keeps the session cookie small
    for number, reason in result.refused:
        refused[reason].append(number[:NUMBER_SHOWN])
    for reason, numbers in refused.items():
        flash(_("Not marked packed: %(numbers)s. %(reason)s", numbers=", ".join(numbers),
                reason=reason), "error")  # fmt: skip
    return redirect(url_for(".orders", coop_slug=coop.slug, status=request.args.get("status")))


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/<number>")
@require_books_reader
def order(coop, membership, number):
    return _render_part(coop, _part_or_404(coop, number))


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/<number>/slip")
@require_books_reader
def slip(coop, membership, number):
    """The packing slip, ?ukuran=a6 (a 100 x 150 mm label, the default) or a4."""
    size = request.args.get("ukuran", SLIP_SIZES[0])
    found = packing_slip(coop, number) if size in SLIP_SIZES else None
    if found is None:  # also an unknown size: one answer for every address that is not a slip
        abort(404)
    order_number = found.part.order.number
    qr = slip_qr_svg(order_number, _("Order %(number)s", number=order_number))
    html = render_template(
        "fulfilment/slip.html", coop=coop, slip=found, size=size, sizes=SLIP_SIZES, qr=qr
    )
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/<number>/status", methods=["GET", "POST"])
@require_coop_admin
def move(coop, membership, number):
    """The next shipping step (a GET, as after reloading a refused form, shows the page)."""
    part = _part_or_404(coop, number)
    form = MoveForm()
    if form.validate_on_submit():
        target = ShipmentStatus(form.to.data)
        try:
            services.advance_shipment(
                part.shipment, target, current_user, form.tracking_number.data or ""
            )
        except ShopError as error:
            if error.field != "tracking_number":
                flash(error.message, "error")
                return redirect(url_for(".order", coop_slug=coop.slug, number=number))
            form.tracking_number.errors.append(error.message)
        else:
            label = shipment_status_label(target, part.shipment.method).lower()
            flash(_("Marked %(status)s.", status=label), "success")
            return redirect(url_for(".order", coop_slug=coop.slug, number=number))
    elif form.to.errors:
        flash(form.to.errors[0], "error")
    return _render_part(coop, find_part(coop, number), move_form=form)


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/<number>/pengembalian", methods=["GET", "POST"])
@require_coop_admin
def refund(coop, membership, number):
    """Refund lines (a GET, as after reloading a refused form, shows the page)."""
    part = _part_or_404(coop, number)
    form = refund_form([p.line.name for p in part.lines])
    if form.validate_on_submit():
        try:
            done = refund_lines(
                part.order,
                coop,
                form.quantities(part.line_ids),
                form.reason.data,
                current_user,
                gateway_from_config(current_app.config),
            )
        except ShopError as error:
            form.show_error(error, part.line_ids)
        else:
            amount = format_rupiah(done.amount)
            flash(_("%(amount)s refunded to the shopper.", amount=amount), "success")
            return redirect(url_for(".order", coop_slug=coop.slug, number=number))
    return _render_part(coop, find_part(coop, number), refund=form)


@bp.route(
    "/koperasi/<coop_slug>/kelola/pesanan/<number>/pengembalian-manual", methods=["GET", "POST"]
)
@require_coop_admin
def manual_refund(coop, membership, number):
    """Record a refund made by bank transfer (a GET, as after reloading a refused form, shows
    the page)."""
    part = _part_or_404(coop, number)
    form = manual_refund_form([p.line.name for p in part.lines])
    if form.validate_on_submit():
        try:
            done = record_manual_refund(
                part.order,
                coop,
                form.quantities(part.line_ids),
                form.reason.data,
                form.bank_reference.data,
                form.note.data or "",
                current_user,
            )
        except ShopError as error:
            form.show_error(error, part.line_ids)
        else:
            amount = format_rupiah(done.amount)
            flash(_("Refund of %(amount)s by bank transfer recorded.", amount=amount), "success")
            return redirect(url_for(".order", coop_slug=coop.slug, number=number))
    return _render_part(coop, find_part(coop, number), manual=form)


@bp.route(
    "/koperasi/<coop_slug>/kelola/pesanan/<number>/alokasi-pengembalian/<int:refund_id>",
    methods=["GET", "POST"],
)
@require_coop_admin
def allocate(coop, membership, number, refund_id):
    """Say which items a refund made at Midtrans was for (a GET shows the order's page)."""
    part = _part_or_404(coop, number)
    if refund_id not in {refund.id for refund in open_refunds_of_order(part.order.id)}:
        abort(404)  # another order's, allocated already, or none
    form = allocation_form([p.line.name for p in part.lines])
    if form.validate_on_submit():
        try:
            done = allocate_refund(
                refund_id, coop, form.quantities(part.line_ids), form.reason.data or "",
                current_user,
            )  # fmt: skip
        except ShopError as error:
            form.show_error(error, part.line_ids)
        else:
            amount = format_rupiah(done.amount)
            flash(_("%(amount)s of the refund made at Midtrans allocated.", amount=amount),
                  "success")  # fmt: skip
            return redirect(url_for(".order", coop_slug=coop.slug, number=number))
    return _render_part(coop, find_part(coop, number), allocation=form)


@bp.route("/pesanan/<number>/diterima/<int:cooperative_id>", methods=["POST"])
@public
def confirm_receipt(number, cooperative_id):
    order = find_order(number) if is_row_id(cooperative_id) else None
    # The order page's rule, and its 404 for "no such order" and "not yours" alike.
    if order is None or not can_view_order(order, current_user, session, request.args.get("kunci")):
        abort(404)
    shopper = current_user._get_current_object() if current_user.is_authenticated else None
    try:
        services.confirm_receipt(order, cooperative_id, shopper)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you for confirming that you received it."), "success")
    return redirect(url_for("orders.detail", number=order.number))
