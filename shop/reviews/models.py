"""A shopper's review of one order line, with up to MAX_PHOTOS photos, the member's reply and
an admin's hiding. Reviews are never edited by anyone but their author, and never deleted."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow

MAX_PHOTOS = 3
MAX_TEXT = 2000  # characters of a review or a reply: a few paragraphs on a phone
MAX_HIDDEN_REASON = 300


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One review per order line: the database refuses a second.
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    # The line's name as bought ("Keripik Tempe 250 g"), copied like the line copies it.
    item_name: Mapped[str] = mapped_column(String(220))
    # What the public reads as the author: a first name and an initial, never the full name.
    author_name: Mapped[str] = mapped_column(String(60))
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the one edit a shopper may make.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Hidden by an admin (abuse): kept, shown to the admins, left out of the aggregates.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(
        String(MAX_HIDDEN_REASON), default="", server_default=""
    )
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    photos: Mapped[list["ReviewPhoto"]] = relationship(
        back_populates="review", order_by="ReviewPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def can_be_edited(self) -> bool:
        return self.edited_at is None

    @property
    def can_be_replied(self) -> bool:
        return self.replied_at is None


class ReviewPhoto(db.Model):
    """A review's photo, stored and resized like a product's (shop/catalog/images.py)."""

    __tablename__ = "review_photos"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    file_path: Mapped[str] = mapped_column(String(255))  # reviews/<review id>/<key>/original.jpg
    rendition_key: Mapped[str] = mapped_column(String(40), default="")
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    review: Mapped[Review] = relationship(back_populates="photos")
