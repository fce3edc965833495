"""The catalog: categories, products, their variants (the things with a price and stock)
and their images."""

from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.coops.models import Cooperative, Membership
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_id: Mapped[str] = mapped_column(String(80))  # Indonesian
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(
        back_populates="parent", order_by="Category.position"
    )

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for the cooperative's review
    ACTIVE = "active"  # on sale
    REJECTED = "rejected"
    ARCHIVED = "archived"
    SUSPENDED = "suspended"  # on sale until its maker was deactivated; back when reactivated


PRODUCT_STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draft"),
    ProductStatus.PENDING: _l("Awaiting review"),
    ProductStatus.ACTIVE: _l("Active"),
    ProductStatus.REJECTED: _l("Rejected"),
    ProductStatus.ARCHIVED: _l("Archived"),
    ProductStatus.SUSPENDED: _l("Maker inactive"),
}


def pre_order_ready_on(paid_on: date, pre_order_days: int | None) -> date | None:
    """The day a pre-order paid on paid_on was promised for (None: not a pre-order). Order
    lines do not copy pre_order_days, so this reads the product as it is now."""
    return paid_on + timedelta(days=pre_order_days) if pre_order_days else None


def pirt_is_current(pirt_number: str, expires_on: date | None) -> bool:
    """A P-IRT number to show: one whose expiry date has not passed (Jakarta's today)."""
    from shop.reports.period import today_in_jakarta

    if not pirt_number:
        return False
    return expires_on is None or expires_on >= today_in_jakarta()


ALLOWED_PRODUCT_MOVES = {
    ProductStatus.DRAFT: {ProductStatus.PENDING, ProductStatus.ARCHIVED},
    ProductStatus.PENDING: {ProductStatus.ACTIVE, ProductStatus.REJECTED, ProductStatus.DRAFT},
    ProductStatus.ACTIVE: {ProductStatus.PENDING, ProductStatus.ARCHIVED, ProductStatus.SUSPENDED},
    ProductStatus.REJECTED: {ProductStatus.PENDING, ProductStatus.DRAFT, ProductStatus.ARCHIVED},
    ProductStatus.ARCHIVED: {ProductStatus.DRAFT},
    ProductStatus.SUSPENDED: {ProductStatus.ACTIVE, ProductStatus.ARCHIVED},
}


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        ForeignKeyConstraint(
            ["member_id", "cooperative_id"],
            ["memberships.id", "memberships.cooperative_id"],
            name="fk_products_member_in_cooperative",
        ),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
        CheckConstraint("pre_order_days >= 0 AND pre_order_days <= 30", name="pre_order_range"),
        CheckConstraint(
            "length_cm >= 0 AND width_cm >= 0 AND height_cm >= 0", name="size_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(180), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProductStatus] = mapped_column(
        Enum(
            ProductStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ProductStatus.DRAFT,
        index=True,
    )
    # What a new variant weighs unless told otherwise; each variant ships at its own weight.
    weight_grams: Mapped[int]
    # The packed size: couriers charge the larger of the weight and L x W x H / 6000 kg.
    length_cm: Mapped[int] = mapped_column(default=0, server_default="0")
    width_cm: Mapped[int] = mapped_column(default=0, server_default="0")
    height_cm: Mapped[int] = mapped_column(default=0, server_default="0")
    # Days to make it after the order; 0 is ready stock ("Pre-order 3 hari" otherwise).
    pre_order_days: Mapped[int] = mapped_column(default=0, server_default="0")
    # Permits a shopper looks for on food: home-industry (PIRT), halal, and BPOM numbers.
    pirt_number: Mapped[str] = mapped_column(String(40), default="")
    pirt_expires_on: Mapped[date | None] = mapped_column(Date)
    halal_number: Mapped[str] = mapped_column(String(60), default="")
    bpom_number: Mapped[str] = mapped_column(String(40), default="")
    # Why a food product needs neither P-IRT nor BPOM (fresh produce, say), as recorded.
    permit_exemption: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The cooperative's reason when it rejected the product, for the member to read.
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Chosen by the cooperative for the home page.
    is_featured: Mapped[bool] = mapped_column(default=False)
    # Units sold, kept by the checkout when a payment settles (and lowered by refunds,
    # shop/reviews/sold.py): what "best-selling" sorts by and cards show as "Terjual N",
    # without summing order lines on every listing.
    sold_count: Mapped[int] = mapped_column(default=0)
    # Visible reviews (shop/reviews/): their number and the sum of their stars, kept by the
    # review services, and the average x 100 that "sort by rating" reads from an index.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_average_centi: Mapped[int] = mapped_column(default=0, server_default="0", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    member: Mapped[Membership] = relationship(
        foreign_keys=[member_id], primaryjoin="Product.member_id == Membership.id"
    )
    category: Mapped[Category] = relationship()
    # The variants on offer; one the seller removed while an order named it stays in the
    # table (is_archived) for that order, and out of this list.
    variants: Mapped[list["ProductVariant"]] = relationship(
        back_populates="product",
        order_by="ProductVariant.position",
        cascade="all, delete-orphan",
        primaryjoin="and_(Product.id == ProductVariant.product_id, "
        "ProductVariant.is_archived.is_(False))",
    )
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )

    @property
    def is_pirt_current(self) -> bool:
        return pirt_is_current(self.pirt_number, self.pirt_expires_on)

    @property
    def rating_average(self) -> float:
        """The average of the visible reviews' stars, one decimal (0 when there is none)."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else 0.0

    def move_to(self, status: ProductStatus) -> None:
        if status not in ALLOWED_PRODUCT_MOVES[self.status]:
            raise InvalidTransition(f"product {self.id}: {self.status} -> {status} is not allowed")
        self.status = status


class ProductVariant(db.Model):
    __tablename__ = "product_variants"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("weight_grams > 0", name="variant_weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    option_label: Mapped[str] = mapped_column(String(60), default="")  # "250 g", "L", "Merah"
    price: Mapped[Rupiah]
    stock: Mapped[int] = mapped_column(default=0)
    # What one unit ships at (a 250 g pack and a 1 kg pack of the same product differ).
    weight_grams: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    # Removed by the seller while an order still names it: kept for that order, not sold.
    is_archived: Mapped[bool] = mapped_column(default=False, server_default="0")

    product: Mapped[Product] = relationship(back_populates="variants")


class ProductImage(db.Model):
    __tablename__ = "product_images"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    # The original upload, relative to MEDIA_DIR.
    file_path: Mapped[str] = mapped_column(String(255))
    # Names the folder of resized renditions, set by the task that makes them after the image
    # is saved (empty until then: pages show the original); a hash of the content, so a
    # changed image gets new URLs and old ones can be cached forever.
    rendition_key: Mapped[str] = mapped_column(String(40), default="")
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")
