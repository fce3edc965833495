"""Catalog queries used by the pages. The storefront issue grows these (FTS search,
renditions, filters); for now they list what is on sale."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Category, Product, ProductStatus
from shop.coops.models import Cooperative
from shop.extensions import db

SEARCH_LIMIT = 24


def top_categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.parent_id.is_(None))
            .options(selectinload(Category.children))
            .order_by(Category.position)
        )
    )


def active_cooperatives() -> list[Cooperative]:
    return list(
        db.session.scalars(
            select(Cooperative).where(Cooperative.is_active.is_(True)).order_by(Cooperative.name)
        )
    )


def _on_sale():
    return (
        select(Product)
        .join(Cooperative)
        .where(Product.status == ProductStatus.ACTIVE, Cooperative.is_active.is_(True))
        .options(selectinload(Product.variants), selectinload(Product.cooperative))
    )


def newest_products(limit: int = 12) -> list[Product]:
    return list(
        db.session.scalars(
            _on_sale().order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
        )
    )


def search_products(query: str) -> list[Product]:
    """Products on sale whose name contains every word of the query (case-insensitive)."""
    words = [word for word in (query or "").lower().split() if word][:5]
    if not words:
        return []
    statement = _on_sale()
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(func.lower(Product.name).like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(statement.order_by(Product.name).limit(SEARCH_LIMIT)))


def price_range(product: Product) -> tuple[int, int]:
    prices = [variant.price for variant in product.variants] or [0]
    return min(prices), max(prices)
