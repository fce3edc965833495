"""What every product listing (home, category, cooperative, member, search) shares: which
products are on sale, and how to load product cards in a fixed number of queries."""

from sqlalchemy import Select, select

from shop.catalog.cards import Card, load_cards
from shop.catalog.models import Product, ProductStatus
from shop.coops.models import Cooperative


def on_sale() -> Select:
    """Active products of active cooperatives. Listings select ids from it, then cards()."""
    return (
        select(Product)
        .join(Product.cooperative)
        .where(Product.status == ProductStatus.ACTIVE, Cooperative.is_active.is_(True))
    )


def is_on_sale(product: Product) -> bool:
    """The rule of on_sale(), for one product already loaded (cart, checkout)."""
    return is_on_sale_as_read(False, product.status, product.cooperative.is_active)


def is_variant_on_sale(variant) -> bool:
    """A variant the seller has not removed, of a product on sale."""
    product = variant.product
    return is_on_sale_as_read(variant.is_archived, product.status, product.cooperative.is_active)


def is_on_sale_as_read(is_archived: bool, product_status: str, cooperative_active: bool) -> bool:
    """The rule of is_variant_on_sale(), for a variant read as plain values (the cart's add)."""
    return not is_archived and product_status == ProductStatus.ACTIVE and bool(cooperative_active)


def cards(ids: list[int]) -> list[Card]:
    """Product cards for these ids, in the order given, in one query (plain data)."""
    return load_cards(ids)
