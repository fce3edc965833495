"""The cart page and its three forms (add, set a quantity, remove), POST-redirect-GET all, so
they work without JavaScript; buying an order again; and the cart's count in the header of
every page."""

import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from shop.auth.policy import public
from shop.cart import contents, services
from shop.cart.buy_again import buy_again as buy_again_service
from shop.cart.forms import AddToCartForm, RemoveLineForm, SetQuantityForm, first_error
from shop.cart.guest import GuestCart, guest_cart_from, keep_guest_cart
from shop.errors import ShopError
from shop.orders.access import can_view_order
from shop.orders.queries import find_order
from shop.security import private_page, safe_next_url

logger = logging.getLogger(__name__)

bp = Blueprint("cart", __name__)


def _owner() -> services.CartOwner:
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return guest_cart_from(session)


def _keep(owner: services.CartOwner) -> None:
    """A guest's changed cart goes back into the session; a user's is already committed."""
    if isinstance(owner, GuestCart):
        keep_guest_cart(session, owner)


@bp.route("/keranjang")
@public
def view():
    owner = _owner()
    cart = contents.cart_page_for(owner)
    if isinstance(owner, GuestCart) and cart.gone_variant_ids:
        _keep(owner.without(cart.gone_variant_ids))
    g.cart_item_count = cart.item_count
    return private_page(render_template("cart/cart.html", cart=cart))


@bp.route("/keranjang/tambah", methods=["POST"])
@public
def add():
    form = AddToCartForm()
    back = safe_next_url(form.next.data, url_for("cart.view"))
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(back)
    try:
        change = services.add_to_cart(_owner(), form.variant_id.data, form.quantity.data)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(back)
    _keep(change.cart)
    message = _(
        "%(name)s added to your cart. You now have %(count)s.",
        name=change.name,
        count=change.quantity,
    )
    flash(message, "success")
    return redirect(back)


@bp.route("/keranjang/ubah", methods=["POST"])
@public
def update():
    form = SetQuantityForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("cart.view"))
    try:
        change = services.set_quantity(_owner(), form.variant_id.data, form.quantity.data)
    except ShopError as error:
        flash(error.message, "error")
    else:
        _keep(change.cart)
        message = _(
            "Quantity of %(name)s changed to %(count)s.", name=change.name, count=change.quantity
        )
        flash(message, "success")
    return redirect(url_for("cart.view"))


@bp.route("/keranjang/hapus", methods=["POST"])
@public
def remove():
    form = RemoveLineForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("cart.view"))
    try:
        change = services.remove_line(_owner(), form.variant_id.data)
    except ShopError as error:
        flash(error.message, "error")
    else:
        _keep(change.cart)
        if change.name:
            flash(_("%(name)s was removed from your cart.", name=change.name), "success")
        else:
            flash(_("The item was removed from your cart."), "success")
    return redirect(url_for("cart.view"))


# A function, not a number: templates that never show the header (mail) cost nothing. A
# template global, not a context processor: those run at every render.
@bp.app_template_global("cart_item_count")
def _header_count() -> int | None:
    if "cart_item_count" not in g:
        try:
            g.cart_item_count = contents.item_count(_owner())
        except SQLAlchemyError:
            # Drawing the error page of a database outage must not fail on the header.
            logger.warning("cart count unavailable", exc_info=True)
            g.cart_item_count = None
    return g.cart_item_count


@bp.route("/pesanan/<number>/beli-lagi", methods=["POST"])
@public
def buy_again(number):
    """The order's lines still on sale back into the cart, for whoever may see the order."""
    order = find_order(number[:40])
    if order is None or not can_view_order(order, current_user, session, None):
        abort(404)  # the order page's own 404: order numbers cannot be probed
    result = buy_again_service(_owner(), order)
    _keep(result.cart)
    if result.added:
        flash(_("The items of order %(number)s are in your cart.", number=order.number), "success")
    else:
        flash(_("None of the items of this order can be bought now."), "error")
    for note in result.notes:
        flash(note, "info")
    return redirect(url_for("cart.view"), code=303)
