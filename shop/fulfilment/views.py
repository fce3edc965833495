"""Pages: a cooperative admin's orders (list, one part, shipping steps, refunds) and the
shopper's "I have received it" button."""

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

from shop.auth.policy import public, require_coop_admin
from shop.checkout.models import ShipmentStatus
from shop.errors import ShopError
from shop.fulfilment import services
from shop.fulfilment.forms import MoveForm, refund_form
from shop.fulfilment.labels import shipment_status_label
from shop.fulfilment.queries import find_part, parts_of
from shop.fulfilment.refunds import refund_lines
from shop.ids import is_row_id
from shop.money import format_rupiah
from shop.orders.access import can_view_order
from shop.orders.queries import find_order
from shop.pagination import parse_page_number
from shop.payments.gateway import gateway_from_config

bp = Blueprint("fulfilment", __name__)
bp.add_app_template_filter(shipment_status_label, "shipment_status")


def _part_or_404(coop, number: str):
    part = find_part(coop, number)
    if part is None:  # no such order, not paid, or another cooperative's
        abort(404)
    return part


def _render_part(coop, part, move_form=None, refund=None):
    return render_template(
        "fulfilment/order.html",
        coop=coop,
        part=part,
        move_form=move_form or MoveForm(formdata=None),
        refund_form=refund or refund_form([p.line.name for p in part.lines], formdata=None),
    )


@bp.route("/koperasi/<coop_slug>/kelola/pesanan")
@require_coop_admin
def orders(coop, membership):
    status = request.args.get("status", "")
    chosen = ShipmentStatus(status) if status in set(ShipmentStatus) else None
    page = parts_of(coop, chosen, parse_page_number(request.args.get("page")))
    return render_template(
        "fulfilment/orders.html",
        coop=coop,
        page=page,
        chosen=chosen,
        statuses=list(ShipmentStatus),
    )


@bp.route("/koperasi/<coop_slug>/kelola/pesanan/<number>")
@require_coop_admin
def order(coop, membership, number):
    return _render_part(coop, _part_or_404(coop, number))


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
            flash(_("Marked %(status)s.", status=shipment_status_label(target).lower()), "success")
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
