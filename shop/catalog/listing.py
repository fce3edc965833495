"""What every product listing (home, category, cooperative, member, search) shares: which
products are on sale, and how to load product cards in a fixed number of queries."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from shop.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from shop.coops.models import Cooperative
from shop.extensions import db

# A card shows the price range, stock, the first image, rating, sold count and the
# cooperative's name: loaded with the cards in two extra queries (variants, images), never
# one per card, and only the columns a card shows (a product's description, permits and
# review notes, a cooperative's profile, were most of the bytes read and turned into objects).
CARD_LOADING = (
    load_only(
        Product.name,
        Product.slug,
        Product.cooperative_id,
        Product.rating_count,
        Product.rating_average_centi,
        Product.sold_count,
    ),
    joinedload(Product.cooperative).load_only(Cooperative.name),
    selectinload(Product.variants).load_only(ProductVariant.price, ProductVariant.stock),
    selectinload(Product.images).load_only(
        ProductImage.file_path,
        ProductImage.rendition_key,
        ProductImage.width,
        ProductImage.height,
        ProductImage.alt_text,
    ),
)
# A product page shows all of its product's variants and images (and cards for the rest).
FULL_LOADING = (
    joinedload(Product.cooperative),
    selectinload(Product.variants),
    selectinload(Product.images),
)


def on_sale() -> Select:
    """Active products of active cooperatives. Listings select ids from it, then cards()."""
    return (
        select(Product)
        .join(Product.cooperative)
        .where(Product.status == ProductStatus.ACTIVE, Cooperative.is_active.is_(True))
    )


def is_on_sale(product: Product) -> bool:
    """The rule of on_sale(), for one product already loaded (cart, checkout)."""
    return product.status == ProductStatus.ACTIVE and product.cooperative.is_active


def is_variant_on_sale(variant) -> bool:
    """A variant the seller has not removed, of a product on sale."""
    return not variant.is_archived and is_on_sale(variant.product)


def cards(ids: list[int], loading=CARD_LOADING) -> list[Product]:
    """Product cards for these ids, in the order given, in three queries."""
    if not ids:
        return []
    products = db.session.scalars(select(Product).where(Product.id.in_(ids)).options(*loading))
    by_id = {product.id: product for product in products}
    return [by_id[id_] for id_ in ids if id_ in by_id]
