"""Buying an order again: its lines that are still on sale go back into the cart.

An order's lines name their variants by id (the order outlives the catalog), so each is
looked up again: a variant gone, archived or of a product off sale is left out, one sold out
too, and a quantity larger than the stock left is lowered to it. Every line left out or
lowered gets a message, so the shopper knows what is missing. A line already in the cart
with at least the ordered quantity stays as it is, so pressing the button twice adds nothing.
"""

import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.accounts.models import User
from shop.cart.guest import GuestCart
from shop.cart.models import CartLine
from shop.cart.services import (
    MAX_LINES,
    MAX_QUANTITY,
    CartOwner,
    _cart_of,
    _quantities,
    _unit_of_work,
    variant_name,
    variants_by_id,
)
from shop.catalog.listing import is_variant_on_sale
from shop.checkout.models import Order
from shop.extensions import db
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuyAgainResult:
    cart: CartOwner  # a new GuestCart for a guest, the user for a user
    added: int  # lines of the order now in the cart
    notes: list[str] = field(default_factory=list)  # each line left out or lowered, and why


def buy_again(owner: CartOwner, order: Order) -> BuyAgainResult:
    """Put the order's lines that can be bought now into the owner's cart (the caller checks
    that the order is theirs). Commits for a user; returns the new cart for a guest."""
    wanted, notes = _wanted_quantities(owner, order)
    if isinstance(owner, GuestCart):
        cart = owner
        for variant_id, quantity in wanted.items():
            cart = cart.with_quantity(variant_id, quantity)
        return BuyAgainResult(cart, len(wanted), notes)
    try:
        with _unit_of_work():
            _write_lines(owner, wanted)
    except IntegrityError:
        # Another request of this user added one of these variants at the same moment.
        logger.info("buy again for user %s raced another change; writing again", owner.id)
        with _unit_of_work():
            _write_lines(owner, wanted)
    return BuyAgainResult(owner, len(wanted), notes)


def _wanted_quantities(owner: CartOwner, order: Order) -> tuple[dict[int, int], list[str]]:
    """variant id -> the quantity its cart line should have, and the messages."""
    in_cart = _quantities(owner)
    variants = variants_by_id([line.variant_id for line in order.lines])
    wanted: dict[int, int] = {}
    notes: list[str] = []
    for line in order.lines:
        variant = variants.get(line.variant_id)
        if variant is None or not is_variant_on_sale(variant):
            notes.append(_("%(name)s is no longer on sale.", name=line.name))
            continue
        name = variant_name(variant)
        if variant.stock <= 0:
            notes.append(_("%(name)s is out of stock.", name=name))
            continue
        if not in_cart.get(variant.id) and len(in_cart) + len(wanted) >= MAX_LINES:
            notes.append(_("Your cart is full, so %(name)s was not added.", name=name))
            continue
        if in_cart.get(variant.id, 0) >= line.quantity:
            wanted[variant.id] = in_cart[variant.id]  # already there: leave it
            continue
        quantity = max(min(line.quantity, variant.stock, MAX_QUANTITY), in_cart.get(variant.id, 0))
        if quantity < line.quantity:
            notes.append(
                _(
                    "Only %(count)s left of %(name)s, so your cart now holds %(count)s.",
                    count=quantity,
                    name=name,
                )
            )
        wanted[variant.id] = quantity
    return wanted, notes


def _write_lines(user: User, wanted: dict[int, int]) -> None:
    cart = _cart_of(user)
    lines = db.session.scalars(select(CartLine).where(CartLine.cart_id == cart.id))
    existing = {line.variant_id: line for line in lines}
    for variant_id, quantity in wanted.items():
        line = existing.get(variant_id)
        if line is None:
            db.session.add(CartLine(cart_id=cart.id, variant_id=variant_id, quantity=quantity))
        else:
            line.quantity = quantity
    cart.updated_at = utcnow()
