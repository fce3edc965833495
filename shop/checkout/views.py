"""The checkout page and the shopper's address book.

Checkout is one form that works without JavaScript: contact, address, a shipping choice per
cooperative and a summary. "Update summary" recalculates it and writes nothing; "Place order
and pay" places the order (prices and fees come from the database, never from the form),
empties the cart and sends the shopper to Midtrans. A failure keeps everything typed and
leaves the cart as it was.
"""

from dataclasses import dataclass, replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

from shop.accounts.models import User
from shop.auth.policy import public, require_sign_in
from shop.cart.contents import CartView, CooperativeGroup, cart_for
from shop.cart.guest import GuestCart, guest_cart_from, keep_guest_cart
from shop.cart.services import CartOwner, empty_cart
from shop.checkout import addresses
from shop.checkout.blank_fields import blank_fields
from shop.checkout.courier_rates import Destination
from shop.checkout.forms import AddressForm, CheckoutForm, chosen_methods, shown_amounts
from shop.checkout.models import SavedAddress
from shop.checkout.services import CheckoutRequest, OutOfStock, PlacedOrder, place_order
from shop.checkout.shipping import (
    ShippingChoice,
    ShippingOption,
    ShippingUnavailable,
    default_option,
    parcel_weight_grams,
    quote_shipping,
    shipment_eta,
    shipping_field,
    shipping_options,
)
from shop.checkout.shown import TotalChanged
from shop.errors import ShopError
from shop.extensions import db
from shop.i18n import current_language
from shop.orders.access import remember_order_access
from shop.security import private_page

bp = Blueprint("checkout", __name__)
bp.add_app_template_filter(shipment_eta, "shipment_eta")

# Named alike on the form, a saved address and an order.
ADDRESS_FIELDS = ("province", "city", "district", "village", "postcode", "street")


@dataclass(frozen=True)
class GroupShipping:
    """One cooperative's part of the cart, the ways it can be sent and the one ticked."""

    group: CooperativeGroup
    options: list[ShippingOption]
    chosen: ShippingOption | None  # the shopper's choice, else the default; None: nothing
    fee: int | None  # Rupiah; None while the choice is refused or nothing fits
    error: str | None = None  # why the shopper's choice cannot be had

    @property
    def field_name(self) -> str:
        return shipping_field(self.group.cooperative.id)

    @property
    def has_available_option(self) -> bool:
        return any(option.is_available for option in self.options)


@dataclass(frozen=True)
class Summary:
    parts: list[GroupShipping]
    items_total: int

    @property
    def shipping_total(self) -> int:
        return sum(part.fee or 0 for part in self.parts)

    @property
    def grand_total(self) -> int:
        return self.items_total + self.shipping_total

    @property
    def refused_fields(self) -> set[str]:
        return {part.field_name for part in self.parts if part.error}

    def refused(self, failure: ShopError) -> "Summary":
        """The summary with a refusal from placing the order shown on its cooperative."""
        parts = [
            replace(part, fee=None, error=failure.message)
            if part.field_name == failure.field
            else part
            for part in self.parts
        ]
        return replace(self, parts=parts)


@bp.route("/checkout", methods=["GET", "POST"])
@public
def start():
    owner = _cart_owner()
    cart = cart_for(owner)
    if not cart.groups or cart.has_problems:
        flash(_back_to_cart_message(cart), "error")
        return redirect(url_for("cart.view"))
    g.cart_item_count = cart.item_count  # the header's count without another query
    form = CheckoutForm()
    if not form.is_submitted():
        _prefill(form, request.args.get("alamat", type=int))
    chosen = chosen_methods(request.form, [group.cooperative.id for group in cart.groups])
    destination = Destination(province=form.province.data or "", city=form.city.data or "")
    is_placing = form.validate_on_submit() and form.place.data
    if is_placing and not _any_refused(cart, destination, chosen):
        try:
            return _place_and_pay(owner, cart, form, chosen)
        except ShopError as failure:
            if failure.field in form:
                form[failure.field].errors.append(failure.message)
            # Shown again with today's prices and fees when they changed.
            shown_cart = cart_for(owner) if isinstance(failure, TotalChanged) else cart
            summary = _summary(shown_cart, destination, chosen).refused(failure)
            return _checkout_page(form, summary, failure)
    return _checkout_page(form, _summary(cart, destination, chosen), None)


@bp.route("/akun/alamat", endpoint="addresses")
@require_sign_in
def address_book():
    return render_template(
        "checkout/addresses.html",
        addresses=addresses.saved_addresses(current_user),
        max_addresses=addresses.MAX_SAVED_ADDRESSES,
    )


@bp.route("/akun/alamat/<int:address_id>/ubah", methods=["GET", "POST"])
@require_sign_in
def edit_address(address_id: int):
    address = addresses.find_saved_address(current_user, address_id)
    if address is None:
        abort(404)
    form = AddressForm()
    if not form.is_submitted():
        _fill_from_address(form, address)
        form.is_default.data = address.is_default
    if form.validate_on_submit():
        try:
            addresses.update_saved_address(
                current_user, address_id, _address_details(form), form.is_default.data
            )
        except ShopError as error:
            flash(error.message, "error")
        else:
            flash(_("The address was saved."), "success")
        return redirect(url_for("checkout.addresses"))
    return render_template("checkout/edit_address.html", form=form, address=address)


@bp.route("/akun/alamat/<int:address_id>/utama", methods=["POST"])
@require_sign_in
def make_default_address(address_id: int):
    try:
        addresses.make_default_address(current_user, address_id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("Checkout will fill in this address first."), "success")
    return redirect(url_for("checkout.addresses"))


@bp.route("/akun/alamat/<int:address_id>/hapus", methods=["POST"])
@require_sign_in
def delete_address(address_id: int):
    try:
        addresses.delete_saved_address(current_user, address_id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("The address was deleted."), "success")
    return redirect(url_for("checkout.addresses"))


# Helpers.


def _cart_owner() -> CartOwner:
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return guest_cart_from(session)


def _back_to_cart_message(cart: CartView) -> str:
    if not cart.groups:
        return _("Your cart is empty. Add something before you check out.")
    return _("Some items in your cart cannot be bought as they are. Please check them first.")


def _prefill(form: CheckoutForm, address_id: int | None) -> None:
    """A signed-in shopper's name, e-mail and phone, and a saved address: the one chosen
    (only their own: another user's id finds nothing), else their default one."""
    if not current_user.is_authenticated:
        return
    form.contact_name.data = current_user.name
    form.contact_email.data = current_user.email
    form.contact_phone.data = current_user.phone or ""
    if address_id:
        address = addresses.find_saved_address(current_user, address_id)
    else:
        address = addresses.default_address(addresses.saved_addresses(current_user))
    if address is not None:
        _fill_from_address(form, address)


def _fill_from_address(form: CheckoutForm | AddressForm, address: SavedAddress) -> None:
    form.contact_name.data = address.recipient_name
    form.contact_phone.data = address.phone
    for name in ADDRESS_FIELDS:
        form[name].data = getattr(address, name)
    form.address_notes.data = address.notes


def _place_and_pay(
    owner: CartOwner, cart: CartView, form: CheckoutForm, chosen: dict[int, ShippingChoice]
):
    user = owner if isinstance(owner, User) else None
    finish_url = url_for("payments.finish", _external=True)  # a missing route fails first
    details = _address_details(form)
    if user is not None and form.save_address.data:
        addresses.check_room_for(user, details)  # refused before the order, not after
    lines = [(line.variant.id, line.quantity) for line in cart.lines]
    # The order and its first payment attempt are committed together; Midtrans is called
    # after the cart is emptied.
    placed = place_order(
        lines, _checkout_request(form, chosen, dict(lines)), user, begin_payment=True
    )
    number = placed.number
    remember_order_access(session, number)  # first: a cookie, it cannot fail on the database
    try:
        emptied = empty_cart(owner)
        if isinstance(emptied, GuestCart):
            keep_guest_cart(session, emptied)
        if user is not None and form.save_address.data:
            _save_address(user, details)
    except DBAPIError:
        _forget_lost_database(number)
        try:  # never sent: "Pay" on the order page may start the next attempt at once
            from shop.payments.attempts import fail_unsent_attempt

            fail_unsent_attempt(placed.payment)
        except DBAPIError:  # still gone: the attempt is abandoned after a few minutes
            _forget_failed_transaction()
        return _to_placed_order(number)
    try:
        return _pay(placed, finish_url)
    except DBAPIError:
        _forget_lost_database(number)
        return _to_placed_order(number)


def _forget_lost_database(number: str) -> None:
    """The order is committed; a connection lost after that must not show a 500 that makes
    the shopper order again: they go to their order page, where they can pay."""
    current_app.logger.exception("database lost after order %s was placed", number)
    _forget_failed_transaction()


def _to_placed_order(number: str):
    placed_message = _(
        "Your order %(number)s is placed and its items are held for you.", number=number
    )
    pay_here = _("You can pay for it on this page.")
    flash(f"{placed_message} {pay_here}", "info")
    return redirect(url_for("orders.detail", number=number))


def _forget_failed_transaction() -> None:
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone: drop it, the pool opens a new one
        db.session.close()


def _pay(placed: PlacedOrder, finish_url: str):
    """To Midtrans; when it cannot be reached, to the order page, where paying can be tried
    again (the order stays pending with its stock held until it expires)."""
    # Paying (the gateway, the ledger: 0.5 MB of modules) loads at the first order placed,
    # not in every worker that only shows the storefront.
    from shop.payments.attempts import start_begun_payment
    from shop.payments.gateway import GatewayError, gateway_from_config

    gateway = gateway_from_config(current_app.config)
    try:
        payment_url = start_begun_payment(placed.payment, gateway, finish_url)
    except GatewayError as error:
        message = _(
            "Your order %(number)s is placed and its items are held for you.", number=placed.number
        )
        flash(f"{message} {error.message}", "error")
        return redirect(url_for("orders.detail", number=placed.number))
    return redirect(payment_url, code=303)


def _save_address(user: User, details: addresses.AddressDetails) -> None:
    try:
        addresses.save_address(user, details)
    except ShopError as error:  # filled up by another tab since the check: the order stands
        flash(error.message, "info")


def _address_details(form: CheckoutForm | AddressForm) -> addresses.AddressDetails:
    return addresses.AddressDetails(
        recipient_name=form.contact_name.data,
        phone=form.contact_phone.data,
        notes=form.address_notes.data or "",
        **_address(form),
    )


def _checkout_request(
    form: CheckoutForm, chosen: dict[int, ShippingChoice], quantities: dict[int, int]
) -> CheckoutRequest:
    return CheckoutRequest(
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data,
        address_notes=form.address_notes.data or "",
        language=current_language(),
        shipping=chosen,
        shown=shown_amounts(request.form, chosen, quantities),
        **_address(form),
    )


def _address(form: CheckoutForm | AddressForm) -> dict[str, str]:
    return {name: form[name].data for name in ADDRESS_FIELDS}


def _summary(
    cart: CartView, destination: Destination, chosen: dict[int, ShippingChoice]
) -> Summary:
    """Each cooperative's options for its parcel and the typed address, and the one ticked."""
    parts = []
    for group in cart.groups:
        weight = parcel_weight_grams((line.variant, line.quantity) for line in group.lines)
        posted = chosen.get(group.cooperative.id)
        parts.append(_group_shipping(group, weight, destination, posted))
    return Summary(parts=parts, items_total=cart.total)


def _any_refused(
    cart: CartView, destination: Destination, chosen: dict[int, ShippingChoice]
) -> bool:
    """Whether the summary would show a choice refused (_group_shipping's quote), without
    listing every option: placing an order needs no more (the page, when shown, does)."""
    for group in cart.groups:
        posted = chosen.get(group.cooperative.id)
        if posted is None:
            continue
        weight = parcel_weight_grams((line.variant, line.quantity) for line in group.lines)
        try:
            quote_shipping(group.cooperative, posted, weight, destination)
        except ShippingUnavailable:
            return True
    return False


def _group_shipping(
    group: CooperativeGroup,
    weight_grams: int,
    destination: Destination,
    posted: ShippingChoice | None,
) -> GroupShipping:
    """The shopper's choice kept as made, and refused by the very quote place_order makes
    when it cannot reach the address: never swapped for another method behind their back.
    With nothing chosen yet, the default: the cheapest delivery that reaches the address."""
    options = shipping_options(group.cooperative, weight_grams, destination)
    if posted is None:
        default = default_option(options, destination.city)
        return GroupShipping(group, options, default, default.fee if default else None)
    ticked = next((option for option in options if option.choice == posted), None)
    try:
        quoted = quote_shipping(group.cooperative, posted, weight_grams, destination)
    except ShippingUnavailable as refused:
        return GroupShipping(group, options, ticked, None, refused.message)
    return GroupShipping(group, options, ticked or quoted, quoted.fee)


def _checkout_page(form: CheckoutForm, summary: Summary, error: ShopError | None):
    user = current_user if current_user.is_authenticated else None
    saved = addresses.saved_addresses(user) if user else []
    is_blank = user is None and not form.is_submitted()  # a guest's first view: nothing typed
    html = render_template(
        "checkout/checkout.html",
        form=form,
        blank_fields=blank_fields(form) if is_blank else None,
        summary=summary,
        error=None
        if error is None or error.field in form or error.field in summary.refused_fields
        else error,
        short={item.variant_id: item.left for item in error.items}
        if isinstance(error, OutOfStock)
        else {},
        saved_addresses=saved,
        can_save_address=len(saved) < addresses.MAX_SAVED_ADDRESSES,
        too_many_addresses=addresses.too_many_message(),
    )
    return private_page(html)  # a name, an address, a phone
