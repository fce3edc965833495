"""Catalog queries used by the pages. The storefront issue grows these (FTS search,
renditions, filters); for now they list what is on sale."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Category, Product, ProductStatus
from shop.coops.models import Cooperative
from shop.extensions import db


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


def price_range(product: Product) -> tuple[int, int]:
    prices = [variant.price for variant in product.variants] or [0]
    return min(prices), max(prices)
