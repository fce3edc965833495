"""The lists of the member's "my products" and of the admin's catalog console."""

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Category, Product, ProductStatus, ProductVariant
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.reports.period import today_in_jakarta

PAGE_SIZE = 50

# The tabs of "my products": each a condition on the product.
_IN_STOCK = exists().where(
    ProductVariant.product_id == Product.id,
    ProductVariant.stock > 0,
    ProductVariant.is_archived.is_(False),
)
TABS = {
    "dijual": (Product.status == ProductStatus.ACTIVE) & _IN_STOCK,
    "habis": (Product.status == ProductStatus.ACTIVE) & ~_IN_STOCK,
    "ditinjau": Product.status == ProductStatus.PENDING,
    "ditolak": Product.status == ProductStatus.REJECTED,
    "draf": Product.status == ProductStatus.DRAFT,
    "arsip": Product.status == ProductStatus.ARCHIVED,
}


@dataclass(frozen=True)
class Filters:
    tab: str = ""
    member_id: int | None = None
    category_id: int | None = None
    text: str = ""
    low_stock: bool = False
    expired_permit: bool = False


def _with_cards(query: Select) -> Select:
    return query.options(
        selectinload(Product.variants),
        selectinload(Product.images),
        selectinload(Product.member).joinedload(Membership.user),
    )


def products_of(coop: Cooperative, filters: Filters) -> list[Product]:
    """The cooperative's products matching the filters, newest first (PAGE_SIZE)."""
    query = select(Product).where(Product.cooperative_id == coop.id)
    if filters.tab in TABS:
        query = query.where(TABS[filters.tab])
    elif filters.tab != "semua":
        query = query.where(Product.status != ProductStatus.ARCHIVED)
    if filters.member_id:
        query = query.where(Product.member_id == filters.member_id)
    if filters.category_id:
        children = select(Category.id).where(Category.parent_id == filters.category_id)
        query = query.where(
            or_(Product.category_id == filters.category_id, Product.category_id.in_(children))
        )
    if filters.text:
        like = f"%{filters.text.lower()}%"
        query = query.where(
            or_(
                func.lower(Product.name).like(like),
                exists().where(
                    ProductVariant.product_id == Product.id,
                    func.lower(ProductVariant.sku).like(like),
                ),
            )
        )
    if filters.low_stock:
        # Each variant against its maker's own threshold.
        query = query.join(Membership, Membership.id == Product.member_id).where(
            exists().where(
                ProductVariant.product_id == Product.id,
                ProductVariant.is_archived.is_(False),
                ProductVariant.stock <= Membership.low_stock_threshold,
            )
        )
    if filters.expired_permit:
        query = query.where(Product.pirt_expires_on < today_in_jakarta())
    query = query.order_by(Product.updated_at.desc(), Product.id.desc()).limit(PAGE_SIZE)
    return list(db.session.scalars(_with_cards(query)))


def tab_counts(coop: Cooperative, member_id: int | None) -> dict[str, int]:
    counts = {}
    for tab, condition in TABS.items():
        query = select(func.count(Product.id)).where(Product.cooperative_id == coop.id, condition)
        if member_id:
            query = query.where(Product.member_id == member_id)
        counts[tab] = db.session.scalar(query)
    return counts


def leaf_categories() -> list[tuple[int, str, str]]:
    """(id, Indonesian path, English path) of every category a product can be filed under."""
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    by_id = {category.id: category for category in categories}
    parents = {category.parent_id for category in categories if category.parent_id}
    leaves = []
    for category in categories:
        if category.id in parents:
            continue
        parent = by_id.get(category.parent_id)
        path_id = f"{parent.name_id} › {category.name_id}" if parent else category.name_id
        path_en = f"{parent.name_en} › {category.name_en}" if parent else category.name_en
        leaves.append((category.id, path_id, path_en))
    return sorted(leaves, key=lambda leaf: leaf[1])


def product_of(coop: Cooperative, product_id: int) -> Product | None:
    """The cooperative's product with this id, or None (another cooperative's looks absent)."""
    product = db.session.get(Product, product_id)
    return product if product is not None and product.cooperative_id == coop.id else None


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    name: str


def category_choices() -> list[CategoryChoice]:
    """Every category for the console's filter, top ones and their subcategories ("›"), in
    the reader's language (a top category's filter includes its subcategories)."""
    from shop.i18n import current_language

    language = current_language()
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    tops = [c for c in categories if c.parent_id is None]
    choices = []
    for top in tops:
        choices.append(CategoryChoice(top.id, top.name_in(language)))
        choices += [
            CategoryChoice(c.id, f"{top.name_in(language)} › {c.name_in(language)}")
            for c in categories
            if c.parent_id == top.id
        ]
    return choices
