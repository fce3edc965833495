"""What every product listing (home, category, cooperative, member, search) shares: which
products are on sale, and how to load a page of product cards in a fixed number of queries."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from shop.catalog.models import Product, ProductStatus
from shop.coops.models import Cooperative

# A card shows the price range, the first image, the cooperative: loaded with the page in
# two extra queries (variants, images), never one per card.
CARD_LOADING = (
    joinedload(Product.cooperative),
    selectinload(Product.variants),
    selectinload(Product.images),
)


def on_sale() -> Select:
    """Active products of active cooperatives, with what a card needs."""
    return (
        select(Product)
        .join(Product.cooperative)
        .where(Product.status == ProductStatus.ACTIVE, Cooperative.is_active.is_(True))
        .options(*CARD_LOADING)
    )
