"""Placing an order and giving back its stock.

place_order() is one transaction: prices, fees and shipping fees are worked out from the
database (never taken from the caller), stock is reserved by one conditional UPDATE per line,
and the order, its lines and its shipments are written, or nothing is. release_stock() closes
an unpaid order and puts its quantities back, exactly once.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, inspect, literal_column, select, update

from shop.accounts.models import User
from shop.cart.services import MAX_QUANTITY, variant_name, variants_by_id
from shop.catalog.listing import is_variant_on_sale
from shop.catalog.models import ProductVariant
from shop.checkout.courier_rates import Destination
from shop.checkout.models import (
    RELEASING_STATUSES,
    Order,
    OrderLine,
    OrderStatus,
    ShippingMethod,
)
from shop.checkout.numbers import new_order_number
from shop.checkout.order_rows import NewLine, NewShipment, write_order
from shop.checkout.shipping import (
    ShippingChoice,
    not_offered,
    parcel_weight_grams,
    quote_shipping,
    shipping_field,
)
from shop.checkout.shown import ShownAmounts, check_as_shown
from shop.errors import ShopError
from shop.extensions import db
from shop.money import fee_for
from shop.notifications import events
from shop.pagecache import bump_catalog_version
from shop.timeutil import utcnow
from shop.tokens import new_token

if TYPE_CHECKING:
    from shop.payments.attempts import BegunAttempt

logger = logging.getLogger(__name__)


class CheckoutError(ShopError):
    pass


class EmptyOrder(CheckoutError):
    pass


class BadQuantity(CheckoutError):
    pass


class NotOnSale(CheckoutError):
    pass


class MissingShipping(CheckoutError):
    pass


@dataclass(frozen=True)
class ShortItem:
    variant_id: int
    name: str
    left: int


class OutOfStock(CheckoutError):
    """Some lines ask for more than is left; `items` says which and how many are left."""

    def __init__(self, items: list[ShortItem]):
        message = " ".join(
            _("Only %(left)d left of %(name)s.", left=item.left, name=item.name)
            if item.left
            else _("%(name)s is sold out.", name=item.name)
            for item in items
        )
        super().__init__(message)
        self.items = items


@dataclass(frozen=True)
class CheckoutRequest:
    contact_name: str
    contact_email: str
    contact_phone: str
    province: str
    city: str
    district: str
    village: str
    postcode: str
    street: str
    address_notes: str = ""
    language: str = "id"  # the shopper's, for a guest's mails
    # cooperative id -> how the shopper wants that cooperative's part sent (a bare
    # ShippingMethod.COURIER: its cheapest courier service to the address); the fee is
    # quoted here from the cooperative's rates, never taken from the shopper
    shipping: Mapping[int, ShippingChoice | ShippingMethod] = field(default_factory=dict)
    # what the checkout page showed; the order is refused when it would cost anything else
    shown: ShownAmounts | None = None


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    access_token: str  # for the guest's link; only its hash is stored
    number: str  # read before the commit: the caller can name the order with no database
    order_id: int  # likewise
    payment: "BegunAttempt | None" = None  # its first payment attempt, with begin_payment


def place_order(
    cart_lines: list[tuple[int, int]],
    request: CheckoutRequest,
    user: User | None,
    begin_payment: bool = False,
) -> PlacedOrder:
    """Place an order for (variant id, quantity) pairs and reserve their stock.

    Each cooperative's shipping fee is quoted from its settings, for the weight of its parcel
    and the request's province and city; the shipment keeps the courier service, zone, fee
    and delivery estimate quoted. Raises EmptyOrder, BadQuantity, NotOnSale, MissingShipping,
    ShippingUnavailable (a method the cooperative does not offer, or not for this parcel or
    city), TotalChanged (a price or fee differs from what the request says was shown), or
    OutOfStock (listing every short item and what is left); then nothing is written
    and no stock changes. A shipping error's field is the cooperative's (shipping_field). The
    cart is left as it is: emptying it is the caller's business.

    With begin_payment, the order's first payment attempt is written in the same transaction
    (PlacedOrder.payment, for start_begun_payment), which saves paying its own.
    """
    from shop.payments.attempts import begin_first_attempt  # payments imports this module

    order = None
    try:
        quantities = _quantities(cart_lines)
        variants = _variants(list(quantities))
        _check_on_sale(quantities, variants)
        shipments = _shipments_for(quantities, variants, request)
        check_as_shown(request.shown, quantities, variants, shipments)
        low_stock = _reserve_stock(quantities, variants)
        lines = [_new_line(variants[variant_id], qty) for variant_id, qty in quantities.items()]
        order, access_token = _new_order(
            lines, shipments, request, user, payment_attempts=int(begin_payment)
        )
        payment = begin_first_attempt(order, lines, shipments) if begin_payment else None
        events.order_placed(order, access_token)
        events.stock_fell(low_stock)
        number, total, order_id = order.number, order.grand_total, order.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        if order is not None and order in db.session:
            # Added as if read from the database, a rollback leaves it attached under the id
            # of a row that never was (SQLite hands that id out again).
            db.session.expunge(order)
        raise
    bump_catalog_version()  # the stock shown on cached pages changed
    logger.info("order %s placed: %d Rupiah", number, total)
    return PlacedOrder(order, access_token, number, order_id, payment)


def release_stock(order: Order, status: OrderStatus) -> bool:
    """Close a pending order as expired, cancelled or denied and put its stock back.

    The move from pending is a conditional UPDATE, so of two concurrent calls only one
    releases; a call on an order no longer pending changes nothing and returns False.
    """
    if status not in RELEASING_STATUSES:
        raise ValueError(f"{status} does not release stock")
    try:
        moved = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == OrderStatus.PENDING)
            .values(status=status, stock_released_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            db.session.rollback()
            return False
        lines = db.session.execute(
            select(OrderLine.variant_id, OrderLine.quantity)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.variant_id)
        ).all()
        for variant_id, quantity in lines:
            _add_stock(variant_id, quantity)
        events.order_closed(order, status)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(order)
    bump_catalog_version()
    logger.info("order %s %s: stock released", order.number, status)
    return True


# Helpers: they flush at most; the public functions above commit or roll back.


def _quantities(cart_lines: list[tuple[int, int]]) -> dict[int, int]:
    if not cart_lines:
        raise EmptyOrder(_("Your cart is empty."))
    quantities: dict[int, int] = {}
    for variant_id, quantity in cart_lines:
        if not 0 < quantity <= MAX_QUANTITY:
            raise BadQuantity(
                _("Choose a quantity from 1 to %(max)d.", max=MAX_QUANTITY), field="quantity"
            )
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    return quantities


def _variants(variant_ids: list[int]) -> dict[int, ProductVariant]:
    """variants_by_id, without its statement when this transaction has read every one of
    them already with its product and cooperative (the checkout view reads the cart first):
    the SELECT would return these very objects, and without populate_existing it leaves
    the values they hold as they are, so it would cost a statement for nothing."""
    identity_map, mapper = db.session.identity_map, inspect(ProductVariant)
    variants = {}
    for variant_id in variant_ids:
        variant = identity_map.get(mapper.identity_key_from_primary_key([variant_id]))
        is_read = (  # in this order: reading an attribute not loaded would load it
            _fully_loaded(variant, "product")
            and _fully_loaded(variant.product, "cooperative")
            and _fully_loaded(variant.product.cooperative)
        )
        if not is_read:
            return variants_by_id(variant_ids)
        variants[variant_id] = variant
    return variants


def _fully_loaded(instance: object | None, *relationships: str) -> bool:
    """Every column of the instance loaded and not expired, and these relationships too."""
    if instance is None:
        return False
    state = inspect(instance)
    return state.unloaded.isdisjoint([*state.mapper.column_attrs.keys(), *relationships])


def _check_on_sale(quantities: dict[int, int], variants: dict[int, ProductVariant]) -> None:
    for variant_id in quantities:
        variant = variants.get(variant_id)
        if variant is None:
            raise NotOnSale(_("An item in your cart is no longer sold."))
        if not is_variant_on_sale(variant):
            raise NotOnSale(_("%(name)s is no longer on sale.", name=variant_name(variant)))


def _shipments_for(
    quantities: dict[int, int], variants: dict[int, ProductVariant], request: CheckoutRequest
) -> list[NewShipment]:
    """One shipment per cooperative in the cart, priced here (choices for others are ignored)."""
    parcels: dict[int, list[tuple[ProductVariant, int]]] = {}
    for variant_id, quantity in quantities.items():
        variant = variants[variant_id]
        parcels.setdefault(variant.product.cooperative_id, []).append((variant, quantity))
    shipments = []
    for cooperative_id, parcel in sorted(parcels.items()):
        cooperative = parcel[0][0].product.cooperative
        posted = request.shipping.get(cooperative_id)
        if posted is None:
            raise MissingShipping(
                _("Choose how %(cooperative)s sends your order.", cooperative=cooperative.name),
                field=shipping_field(cooperative_id),
            )
        choice = ShippingChoice.of(posted)
        if choice is None:  # tampered: names no way of sending at all
            raise not_offered(cooperative)
        weight_grams = parcel_weight_grams(parcel)
        destination = Destination(province=request.province, city=request.city)
        option = quote_shipping(cooperative, choice, weight_grams, destination)
        quote = option.quote
        shipments.append(
            NewShipment(
                cooperative_id=cooperative_id,
                method=option.method,
                fee=option.fee,
                weight_grams=weight_grams,
                courier_service=quote.service_name if quote else "",
                shipping_zone=quote.zone_name if quote else "",
                eta_min_days=quote.eta_min_days if quote else None,
                eta_max_days=quote.eta_max_days if quote else None,
                cooperative_name=cooperative.name,
            )
        )
    return shipments


def _reserve_stock(
    quantities: dict[int, int], variants: dict[int, ProductVariant]
) -> dict[int, tuple[int, int]]:
    """Take each line's quantity off its variant's stock; variant id -> (stock before, after)
    of this reservation, for the variants that fell to or below their maker's low-stock
    threshold (events.stock_fell's business; the UPDATE returns the threshold, so that the
    others cost no statement): "after" as the UPDATE left it (RETURNING), "before" as read
    with the variants (never below "after")."""
    # By variant id: every checkout takes the row locks in the same order, so two carts with
    # the same items cannot deadlock.
    short: list[ShortItem] = []
    moves: dict[int, tuple[int, int]] = {}
    for variant_id in sorted(quantities):
        quantity = quantities[variant_id]
        reserved = (
            db.session.connection()
            .execute(_RESERVE, {"variant_id": variant_id, "quantity": quantity})
            .first()
        )
        if reserved is None:
            left = db.session.scalar(
                select(ProductVariant.stock).where(ProductVariant.id == variant_id)
            )
            short.append(ShortItem(variant_id, variant_name(variants[variant_id]), left or 0))
            continue
        after, threshold = reserved
        before = max(variants[variant_id].stock, after)
        if after <= threshold < before:
            moves[variant_id] = (before, after)
    if short:
        raise OutOfStock(short)
    return moves


# The maker's threshold of the variant being updated, returned by the reserving UPDATE.
# Written out: SQLAlchemy's SQLite compiler leaves out every table name inside RETURNING,
# which makes a subquery's "id" ambiguous.
_LOW_STOCK_THRESHOLD = literal_column(
    "(SELECT memberships.low_stock_threshold FROM memberships"
    " JOIN products ON products.member_id = memberships.id"
    " WHERE products.id = product_variants.product_id)",
    Integer,
)

_variants_table = ProductVariant.__table__
# Built once, like order_rows' INSERTs: its compiled form and cache key are reused.
_RESERVE = (
    update(_variants_table)
    .where(
        _variants_table.c.id == bindparam("variant_id"),
        _variants_table.c.stock >= bindparam("quantity"),
    )
    .values(stock=_variants_table.c.stock - bindparam("quantity"))
    .returning(_variants_table.c.stock, _LOW_STOCK_THRESHOLD)
)


def _add_stock(variant_id: int, quantity: int) -> None:
    added = db.session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == variant_id)
        .values(stock=ProductVariant.stock + quantity)
        .execution_options(synchronize_session=False)
    )
    if added.rowcount != 1:  # the variant was deleted since; nothing to give back to
        logger.warning("variant %s gone; %d units not restocked", variant_id, quantity)


def _new_order(
    lines: list[NewLine],
    shipments: list[NewShipment],
    request: CheckoutRequest,
    user: User | None,
    payment_attempts: int,
) -> tuple[Order, str]:
    access_token, token_hash = new_token()
    now = utcnow()
    items_total = sum(line.line_total for line in lines)
    shipping_total = sum(shipment.fee for shipment in shipments)
    values = {
        "number": new_order_number(now),
        "access_token_hash": token_hash,
        "user_id": user.id if user else None,
        "status": OrderStatus.PENDING,
        "contact_name": request.contact_name,
        "contact_email": request.contact_email,
        "contact_phone": request.contact_phone,
        "province": request.province,
        "city": request.city,
        "district": request.district,
        "village": request.village,
        "postcode": request.postcode,
        "street": request.street,
        "address_notes": request.address_notes,
        "language": request.language,
        "items_total": items_total,
        "shipping_total": shipping_total,
        "grand_total": items_total + shipping_total,
        "expires_at": now + timedelta(minutes=current_app.config["MIDTRANS_EXPIRY_MINUTES"]),
        "created_at": now,
        "payment_attempts": payment_attempts,
    }
    return write_order(values, lines, shipments), access_token


def _new_line(variant: ProductVariant, quantity: int) -> NewLine:
    product = variant.product
    fee_bp = product.cooperative.fee_bp
    line_total = variant.price * quantity
    fee = fee_for(line_total, fee_bp)
    return NewLine(
        variant_id=variant.id,
        product_id=product.id,
        cooperative_id=product.cooperative_id,
        member_id=product.member_id,
        product_name=product.name,
        variant_label=variant.option_label,
        unit_price=variant.price,
        quantity=quantity,
        fee_bp=fee_bp,
        line_total=line_total,
        fee=fee,
        member_amount=line_total - fee,
    )
