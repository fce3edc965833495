"""The cart's rules: what may go in it, how much, and merging a guest's cart on sign-in.

A guest's cart is a GuestCart value the views keep in the session; a signed-in shopper's is
Cart/CartLine rows. Both go through the same functions, so the rules are written once: for a
guest they return the changed GuestCart, for a user they commit. The cart reserves nothing:
stock is checked here so the shopper hears early, and reserved at checkout. What the cart
shows is in contents.py.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop.accounts.models import User
from shop.cart.guest import GuestCart
from shop.cart.models import Cart, CartLine
from shop.catalog.listing import is_on_sale_as_read, is_variant_on_sale
from shop.catalog.models import Product, ProductVariant
from shop.errors import ShopError
from shop.extensions import db
from shop.plain_sql import rows
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

# A cart is a list to buy from, not a wish list: these keep a guest's session cookie small
# (50 lines are about 600 bytes of the 4 KB a cookie may hold) and a typo such as 10000 out.
MAX_LINES = 50
MAX_QUANTITY = 999

CartOwner = User | GuestCart


class CartError(ShopError):
    pass


class VariantNotFound(CartError):
    pass


class NotOnSale(CartError):
    pass


class BadQuantity(CartError):
    pass


class NotEnoughStock(CartError):
    pass


class CartFull(CartError):
    pass


class NotInCart(CartError):
    pass


@dataclass(frozen=True)
class CartChange:
    """The cart after a change (a new GuestCart for a guest, the user for a user), the name
    of the item changed ("" if it has left the catalog) and its quantity now (0: removed)."""

    cart: CartOwner
    name: str
    quantity: int


@dataclass(frozen=True)
class VariantOnSale:
    """What adding to the cart or setting a quantity needs of the variant, read as one plain
    row: its id, stock and name."""

    id: int
    stock: int
    name: str


# The variant with what decides whether it is on sale, without loading three whole rows as
# ORM objects (56 columns, three quarters of the add request's work in SQLAlchemy).
_VARIANT_ON_SALE_SQL = (
    "SELECT v.id, v.stock, v.is_archived, p.status, c.is_active, p.name, v.option_label"
    " FROM product_variants v JOIN products p ON p.id = v.product_id"
    " JOIN cooperatives c ON c.id = p.cooperative_id WHERE v.id = :variant_id"
)


def variant_name(variant: ProductVariant) -> str:
    """ "Keripik Tempe 250 g": the product's name and the variant's label, if it has one."""
    return _name(variant.product.name, variant.option_label)


def _name(product_name: str, option_label: str) -> str:
    return f"{product_name} {option_label}".strip()


def add_to_cart(owner: CartOwner, variant_id: int, quantity: int) -> CartChange:
    """Add a quantity of a variant on sale, to its line if it is already in the cart.

    Raises BadQuantity, VariantNotFound, NotOnSale, CartFull, or NotEnoughStock: the whole
    quantity is refused, never lowered to what is left."""
    _check_quantity(quantity)
    variant = _variant_on_sale(variant_id)
    quantities = _quantities(owner)
    in_cart = quantities.get(variant.id, 0)
    if not in_cart and len(quantities) >= MAX_LINES:
        raise CartFull(
            _(
                "Your cart can hold %(count)s different items. Please remove one first.",
                count=MAX_LINES,
            )
        )
    total = _checked_total(variant, in_cart, quantity)
    name = variant.name
    if isinstance(owner, GuestCart):
        return CartChange(owner.with_quantity(variant.id, total), name, total)
    with _unit_of_work():
        total = _add_to_line(_cart_of(owner), variant, quantity, in_cart)
    return CartChange(owner, name, total)


def set_quantity(owner: CartOwner, variant_id: int, quantity: int) -> CartChange:
    """Set the quantity of a line in the cart.

    Raises BadQuantity, NotInCart, VariantNotFound, NotOnSale or NotEnoughStock; the line
    then stays as it was."""
    _check_quantity(quantity)
    if variant_id not in _quantities(owner):
        raise NotInCart(_("That item is no longer in your cart."))
    variant = _variant_on_sale(variant_id)
    _checked_total(variant, 0, quantity)
    name = variant.name
    if isinstance(owner, GuestCart):
        return CartChange(owner.with_quantity(variant.id, quantity), name, quantity)
    with _unit_of_work():
        cart = _cart_of(owner)
        db.session.execute(
            update(CartLine)
            .where(CartLine.cart_id == cart.id, CartLine.variant_id == variant.id)
            .values(quantity=quantity)
        )
        cart.updated_at = utcnow()
    return CartChange(owner, name, quantity)


def remove_line(owner: CartOwner, variant_id: int) -> CartChange:
    """Take a line out of the cart, whatever became of its product. Raises NotInCart."""
    if variant_id not in _quantities(owner):
        raise NotInCart(_("That item is no longer in your cart."))
    variant = variants_by_id([variant_id]).get(variant_id)
    name = variant_name(variant) if variant is not None else ""
    if isinstance(owner, GuestCart):
        return CartChange(owner.with_quantity(variant_id, 0), name, 0)
    with _unit_of_work():
        cart = _cart_of(owner)
        db.session.execute(
            delete(CartLine).where(CartLine.cart_id == cart.id, CartLine.variant_id == variant_id)
        )
        cart.updated_at = utcnow()
    return CartChange(owner, name, 0)


def empty_cart(owner: CartOwner) -> CartOwner:
    """Take every line out of the cart once its order is placed: for a guest the empty
    GuestCart to keep in the session, for a user the user, the lines deleted."""
    if isinstance(owner, GuestCart):
        return GuestCart()
    with _unit_of_work():
        db.session.execute(
            delete(CartLine).where(
                CartLine.cart_id.in_(select(Cart.id).where(Cart.user_id == owner.id))
            )
        )
    return owner


def merge_guest_cart(user: User, guest: GuestCart) -> list[str]:
    """Add a guest's lines to the user's cart at sign-in. Returns a message for each line
    lowered to the stock left, for the shopper to read: nothing is changed silently.

    No line is lost: quantities are summed; a line that cannot be bought now (out of stock,
    no longer on sale) keeps its quantity and shows its problem on the cart page; the line
    limit is not applied. Only variants deleted from the catalog are left out."""
    if not guest.lines:
        return []
    try:
        with _unit_of_work():
            return _merge(_cart_of(user), guest)
    except IntegrityError:
        # Another request of this user added one of these variants at the same moment.
        logger.info("cart merge for user %s raced another change; merging again", user.id)
        with _unit_of_work():
            return _merge(_cart_of(user), guest)


def _merge(cart: Cart, guest: GuestCart) -> list[str]:
    variants = variants_by_id([variant_id for variant_id, _quantity in guest.lines])
    existing = {
        line.variant_id: line
        for line in db.session.scalars(select(CartLine).where(CartLine.cart_id == cart.id))
    }
    notes = []
    for variant_id, guest_quantity in guest.lines:
        variant = variants.get(variant_id)
        if variant is None:
            continue
        line = existing.get(variant_id)
        wanted = (line.quantity if line else 0) + guest_quantity
        # A line that cannot be bought now keeps its quantity: the cart page says why.
        in_stock = variant.stock if is_variant_on_sale(variant) and variant.stock else wanted
        total = min(wanted, in_stock, MAX_QUANTITY)
        if total < wanted:
            notes.append(_lowered_at_merge(variant, total))
        if line is None:
            db.session.add(CartLine(cart_id=cart.id, variant_id=variant_id, quantity=total))
        else:
            line.quantity = total
    cart.updated_at = utcnow()
    return notes


def _lowered_at_merge(variant: ProductVariant, total: int) -> str:
    name = variant_name(variant)
    if total == MAX_QUANTITY:
        return _(
            "You can put at most %(count)s of %(name)s in the cart, so it now holds %(count)s.",
            count=total,
            name=name,
        )
    return _(
        "Only %(count)s left of %(name)s, so your cart now holds %(count)s.", count=total, name=name
    )


def variants_by_id(variant_ids: list[int]) -> dict[int, ProductVariant]:
    """These variants with their products and cooperatives, in one query."""
    if not variant_ids:
        return {}
    variants = db.session.scalars(_variants_by_id_statement(), {"ids": variant_ids})
    return {variant.id: variant for variant in variants}


@cache
def _variants_by_id_statement() -> Select:
    """Built once (checkout and placing an order run it on every request): its cache key and
    compiled form are reused instead of made again each time. Built at the first call, not at
    import: its loader options could configure the mappers of a worker that has not needed
    them yet (an anonymous shopper's pages leave them unconfigured: less memory)."""
    return (
        select(ProductVariant)
        .where(ProductVariant.id.in_(bindparam("ids", expanding=True)))
        .options(joinedload(ProductVariant.product).joinedload(Product.cooperative))
    )


# Helpers: they flush at most; the public functions above commit or roll back.


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise BadQuantity(_("The quantity must be at least 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise BadQuantity(_too_many_message(), field="quantity")


def _too_many_message() -> str:
    return _("You can put at most %(count)s of one item in the cart.", count=MAX_QUANTITY)


def _variant_on_sale(variant_id: int) -> VariantOnSale:
    found = rows(_VARIANT_ON_SALE_SQL, {"variant_id": variant_id})
    if not found:
        raise VariantNotFound(_("We could not find that product. Please choose it again."))
    (id_, stock, is_archived, status, cooperative_active, product_name, option_label) = found[0]
    name = _name(product_name, option_label)
    if not is_on_sale_as_read(is_archived, status, cooperative_active):
        raise NotOnSale(_("%(name)s is no longer on sale.", name=name))
    return VariantOnSale(id_, stock, name)


def _checked_total(variant: VariantOnSale, in_cart: int, quantity: int) -> int:
    """in_cart + quantity, or the reason that cannot be in the cart."""
    total = in_cart + quantity
    if total > MAX_QUANTITY:
        raise BadQuantity(_too_many_message(), field="quantity")
    if total > variant.stock:
        raise NotEnoughStock(_stock_message(variant, in_cart), field="quantity")
    return total


def _stock_message(variant: VariantOnSale, in_cart: int) -> str:
    name = variant.name
    if variant.stock == 0:
        return _("%(name)s is out of stock.", name=name)
    if in_cart:
        return _(
            "Only %(count)s left of %(name)s, and %(in_cart)s are already in your cart.",
            count=variant.stock,
            name=name,
            in_cart=in_cart,
        )
    return _("Only %(count)s left of %(name)s.", count=variant.stock, name=name)


def _quantities(owner: CartOwner) -> dict[int, int]:
    """Variant id -> quantity of the owner's cart."""
    if isinstance(owner, GuestCart):
        return dict(owner.lines)
    rows = db.session.execute(
        select(CartLine.variant_id, CartLine.quantity)
        .join(CartLine.cart)
        .where(Cart.user_id == owner.id)
    )
    return {variant_id: quantity for variant_id, quantity in rows}


def _cart_of(user: User) -> Cart:
    """The user's cart row, made on first use. Two first adds at once both insert one; the
    unique user_id lets one win, and the other reads the winner's."""
    cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if cart is not None:
        return cart
    try:
        with db.session.begin_nested():
            cart = Cart(user_id=user.id)
            db.session.add(cart)
    except IntegrityError:
        cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).one()
    return cart


def _add_to_line(cart: Cart, variant: VariantOnSale, quantity: int, in_cart: int) -> int:
    """Add to the variant's line, made if missing; returns its new quantity.

    Adding is one conditional UPDATE, like the stock rule, so two adds at once cannot pass
    together the limit each one checked alone."""
    if not in_cart:
        try:
            with db.session.begin_nested():
                db.session.add(CartLine(cart_id=cart.id, variant_id=variant.id, quantity=quantity))
        except IntegrityError:
            pass  # a concurrent add made the line first: add to it below
        else:
            cart.updated_at = utcnow()
            return quantity
    new_total = db.session.scalar(
        update(CartLine)
        .where(
            CartLine.cart_id == cart.id,
            CartLine.variant_id == variant.id,
            CartLine.quantity + quantity <= min(variant.stock, MAX_QUANTITY),
        )
        .values(quantity=CartLine.quantity + quantity)
        .returning(CartLine.quantity)
    )
    if new_total is None:
        in_cart_now = db.session.scalar(
            select(CartLine.quantity).where(
                CartLine.cart_id == cart.id, CartLine.variant_id == variant.id
            )
        )
        raise NotEnoughStock(_stock_message(variant, in_cart_now or 0), field="quantity")
    cart.updated_at = utcnow()
    return new_total


@contextmanager
def _unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back and re-raise (STYLE rule 10)."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
