"""Product cards as plain data: what templates/macros/products.html's product_card shows, read
in three Core queries (products with their cooperative's name, variants, images) of only the
columns a card shows.

Listings show 12 to 24 cards a page. Loading them as ORM objects (identity map, attribute
instrumentation, every column) was about a third of an uncached listing's time; these are
tuples turned into small frozen objects. Their attribute names are the models' own, so the
card macros and picture_sources() read either.
"""

from dataclasses import dataclass

from sqlalchemy import select

from shop.catalog.models import Product, ProductImage, ProductVariant
from shop.coops.models import Cooperative
from shop.extensions import db


@dataclass(frozen=True, slots=True)
class CardCooperative:
    name: str


@dataclass(frozen=True, slots=True)
class CardVariant:
    price: int
    stock: int


@dataclass(frozen=True, slots=True)
class CardImage:
    id: int
    file_path: str
    rendition_key: str
    width: int
    height: int
    alt_text: str


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    name: str
    slug: str
    rating_count: int
    rating_sum: int
    rating_average_centi: int
    sold_count: int
    cooperative: CardCooperative
    variants: list[CardVariant]
    images: list[CardImage]

    @property
    def rating_average(self) -> float:
        """As Product.rating_average."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else 0.0


def load_cards(ids: list[int]) -> list[Card]:
    """Cards for these product ids, in the order given (unknown ids left out)."""
    if not ids:
        return []
    variants: dict[int, list[CardVariant]] = {id_: [] for id_ in ids}
    for product_id, price, stock in db.session.execute(
        select(ProductVariant.product_id, ProductVariant.price, ProductVariant.stock)
        .where(ProductVariant.product_id.in_(ids), ProductVariant.is_archived.is_(False))
        .order_by(ProductVariant.position)  # as Product.variants
    ):
        variants[product_id].append(CardVariant(price, stock))
    images: dict[int, list[CardImage]] = {id_: [] for id_ in ids}
    for product_id, *columns in db.session.execute(
        select(
            ProductImage.product_id,
            ProductImage.id,
            ProductImage.file_path,
            ProductImage.rendition_key,
            ProductImage.width,
            ProductImage.height,
            ProductImage.alt_text,
        )
        .where(ProductImage.product_id.in_(ids))
        .order_by(ProductImage.position)  # as Product.images
    ):
        images[product_id].append(CardImage(*columns))
    rows = db.session.execute(
        select(
            Product.id,
            Product.name,
            Product.slug,
            Product.rating_count,
            Product.rating_sum,
            Product.rating_average_centi,
            Product.sold_count,
            Cooperative.name,
        )
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(Product.id.in_(ids))
    )
    by_id = {
        id_: Card(
            id_,
            name,
            slug,
            count,
            total,
            centi,
            sold,
            CardCooperative(coop),
            variants[id_],
            images[id_],
        )
        for id_, name, slug, count, total, centi, sold, coop in rows
    }
    return [by_id[id_] for id_ in ids if id_ in by_id]
