"""What the cart shows: its lines grouped by cooperative, with today's price and stock, and
what stops a line from being bought as it is. Loaded in one query, whatever its size."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from shop.cart.guest import GuestCart
from shop.cart.models import Cart, CartLine
from shop.cart.services import CartOwner, variant_name, variants_by_id
from shop.catalog.listing import is_variant_on_sale
from shop.catalog.models import Product, ProductVariant
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.plain_sql import rows


@dataclass(frozen=True)
class CartLineView:
    variant: ProductVariant
    quantity: int
    problem: str | None  # why it cannot be bought as it is; shown beside the line

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def name(self) -> str:
        return variant_name(self.variant)

    @property
    def unit_price(self) -> int:
        return self.variant.price

    @property
    def line_total(self) -> int:
        return self.variant.price * self.quantity


@dataclass(frozen=True)
class CooperativeGroup:
    cooperative: Cooperative
    lines: tuple[CartLineView, ...]

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)


@dataclass(frozen=True)
class CartView:
    groups: tuple[CooperativeGroup, ...]
    # A guest's variants that have left the catalog; the view drops them from the session.
    gone_variant_ids: tuple[int, ...] = ()

    @property
    def lines(self) -> list[CartLineView]:
        return [line for group in self.groups for line in group.lines]

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_problems(self) -> bool:
        """Checkout must refuse the cart until the shopper has dealt with these lines."""
        return any(line.problem for line in self.lines)


@dataclass(frozen=True, slots=True)
class ShownCooperative:
    id: int
    name: str
    slug: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class ShownProduct:
    name: str
    slug: str
    status: str
    cooperative_id: int
    cooperative: ShownCooperative


@dataclass(frozen=True, slots=True)
class ShownVariant:
    """A variant as the cart page reads it: the models' attribute names, only the columns
    the page and the line's problem need."""

    id: int
    option_label: str
    price: int
    stock: int
    is_archived: bool
    product: ShownProduct


# The cart page's lines as plain rows: the ORM statement of three whole rows per line (56
# columns) was a quarter of the page's work. The checkout reads ORM objects (cart_for),
# which placing the order then reuses.
_SHOWN_COLUMNS = (
    "SELECT v.id, v.option_label, v.price, v.stock, v.is_archived,"
    " p.name, p.slug, p.status, p.cooperative_id, c.name, c.slug, c.is_active"
    " FROM product_variants v JOIN products p ON p.id = v.product_id"
    " JOIN cooperatives c ON c.id = p.cooperative_id"
)
_USER_LINES_SQL = (
    "SELECT l.quantity, v.id, v.option_label, v.price, v.stock, v.is_archived,"
    " p.name, p.slug, p.status, p.cooperative_id, c.name, c.slug, c.is_active"
    " FROM cart_lines l JOIN carts ON carts.id = l.cart_id"
    " JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id"
    " JOIN cooperatives c ON c.id = p.cooperative_id"
    " WHERE carts.user_id = :user_id ORDER BY l.id"
)


def cart_page_for(owner: CartOwner) -> CartView:
    """cart_for() as the cart page shows it, read as plain data (ShownVariant)."""
    if isinstance(owner, GuestCart):
        variants = _shown_variants([variant_id for variant_id, _quantity in owner.lines])
        pairs = [(variants[vid], qty) for vid, qty in owner.lines if vid in variants]
        gone = tuple(vid for vid, _quantity in owner.lines if vid not in variants)
    else:
        found = rows(_USER_LINES_SQL, {"user_id": owner.id})
        pairs, gone = [(_shown_variant(row[1:]), row[0]) for row in found], ()
    return _grouped(pairs, gone)


def _shown_variants(variant_ids: list[int]) -> dict[int, ShownVariant]:
    if not variant_ids:
        return {}
    names = {f"v{n}": variant_id for n, variant_id in enumerate(variant_ids)}
    sql = _SHOWN_COLUMNS + " WHERE v.id IN (" + ", ".join(f":{name}" for name in names) + ")"
    variants = (_shown_variant(row) for row in rows(sql, names))
    return {variant.id: variant for variant in variants}


def _shown_variant(row: tuple) -> ShownVariant:
    variant_id, option_label, price, stock, is_archived, *product_columns = row
    name, slug, status, cooperative_id, coop_name, coop_slug, coop_active = product_columns
    cooperative = ShownCooperative(cooperative_id, coop_name, coop_slug, bool(coop_active))
    product = ShownProduct(name, slug, status, cooperative_id, cooperative)
    return ShownVariant(variant_id, option_label, price, stock, bool(is_archived), product)


def cart_for(owner: CartOwner) -> CartView:
    """The cart grouped by cooperative (by name; lines in the order added). Every line counts
    in the totals at today's price, problems included: nothing changes without the shopper."""
    if isinstance(owner, GuestCart):
        variants = variants_by_id([variant_id for variant_id, _quantity in owner.lines])
        pairs = [(variants[vid], qty) for vid, qty in owner.lines if vid in variants]
        gone = tuple(vid for vid, _quantity in owner.lines if vid not in variants)
    else:
        lines = db.session.scalars(
            select(CartLine)
            .join(CartLine.cart)
            .where(Cart.user_id == owner.id)
            .options(
                joinedload(CartLine.variant)
                .joinedload(ProductVariant.product)
                .joinedload(Product.cooperative)
            )
            .order_by(CartLine.id)
        )
        pairs, gone = [(line.variant, line.quantity) for line in lines], ()
    return _grouped(pairs, gone)


def _grouped(pairs: list[tuple], gone: tuple[int, ...]) -> CartView:
    by_cooperative: dict[int, list[CartLineView]] = {}
    for variant, quantity in pairs:
        line = CartLineView(variant, quantity, _problem(variant, quantity))
        by_cooperative.setdefault(variant.product.cooperative_id, []).append(line)
    groups = [
        CooperativeGroup(cooperative=lines[0].product.cooperative, lines=tuple(lines))
        for lines in by_cooperative.values()
    ]
    groups.sort(key=lambda group: (group.cooperative.name, group.cooperative.id))
    return CartView(groups=tuple(groups), gone_variant_ids=gone)


def item_count(owner: CartOwner) -> int:
    """How many items are in the cart (the header's number): for a guest without a query,
    for a user loaded with the user (shop.accounts.session), else in one small one."""
    if isinstance(owner, GuestCart):
        return owner.item_count
    if owner.cart_item_count is not None:
        return owner.cart_item_count
    return db.session.scalar(select(cart_item_count_of(owner.id)))


def cart_item_count_of(user_id):
    """A scalar subquery: the items in the user's cart (loaded with the user)."""
    return (
        select(func.coalesce(func.sum(CartLine.quantity), 0))
        .join(CartLine.cart)
        .where(Cart.user_id == user_id)
        .scalar_subquery()
    )


def _problem(variant: ProductVariant, quantity: int) -> str | None:
    if not is_variant_on_sale(variant):
        return _("No longer on sale. Please remove it from your cart.")
    if variant.stock == 0:
        return _("Out of stock. Please remove it from your cart.")
    if quantity > variant.stock:
        return _("Only %(count)s left. Please lower the quantity.", count=variant.stock)
    return None
