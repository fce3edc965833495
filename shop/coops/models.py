"""Cooperatives, their memberships (admins and members) and invitations to join."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.extensions import db
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"  # pengurus: runs the cooperative, and may also sell
    MEMBER = "member"  # anggota: sells their own products
    # The supervisory board: reads every book of the cooperative and changes none of them
    # (shop/auth/policy.py require_books_reader); writes the supervision report. Like any
    # member, may sell their own products.
    PENGAWAS = "pengawas"


class Position(StrEnum):
    """An admin's seat on the pengurus (board). Only admins hold one; at most one ketua and
    one bendahara per cooperative (a partial unique index)."""

    KETUA = "ketua"  # chair
    SEKRETARIS = "sekretaris"  # secretary
    BENDAHARA = "bendahara"  # treasurer


# Seats a cooperative has one of.
SINGLE_SEATS = (Position.KETUA, Position.BENDAHARA)


RoleColumn = Enum(
    Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
)
PositionColumn = Enum(
    Position, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
)
SINGLE_SEAT_WHERE = text("position IN ('ketua', 'bendahara')")


class Cooperative(db.Model):
    __tablename__ = "cooperatives"
    __table_args__ = (
        CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_bp_range"),
        CheckConstraint("hold_days >= 0", name="hold_days_not_negative"),
        CheckConstraint("min_payout >= 0", name="min_payout_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Nomor badan hukum (AHU) from the Ministry of Law: how a buyer can check it is real.
    registration_number: Mapped[str] = mapped_column(String(80), default="")
    city: Mapped[str] = mapped_column(String(80))  # kota / kabupaten
    province: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    whatsapp: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Where and when a shopper who chose pickup collects the parcel (shown on the order).
    pickup_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    opening_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    logo_path: Mapped[str | None] = mapped_column(String(255))
    fee_bp: Mapped[int] = mapped_column(default=500)
    # Days after delivery before a member's earnings become available (returns, complaints).
    hold_days: Mapped[int] = mapped_column(default=3, server_default="3")
    min_payout: Mapped[Rupiah] = mapped_column(default=50_000, server_default="50000")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Whether a member's new products, and their edits of products on sale, wait for an
    # admin's approval before they are sold.
    reviews_new_products: Mapped[bool] = mapped_column(default=True, server_default="1")
    reviews_edits: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Maker-checker: with two or more active admins, one prepares a batch of payouts and
    # another approves it (shop/payouts/batches.py maker_checker_on).
    payouts_need_two_admins: Mapped[bool] = mapped_column(default=True, server_default="1")

    memberships: Mapped[list["Membership"]] = relationship(back_populates="cooperative")

    def __repr__(self) -> str:
        return f"<Cooperative {self.slug}>"

    @property
    def pickup_place(self) -> str:
        """Where a shopper collects a pickup parcel: the pickup address the admin set, else
        the cooperative's own address and city."""
        if self.pickup_address.strip():
            return self.pickup_address.strip()
        return ", ".join(part for part in (self.address.strip(), self.city) if part)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "cooperative_id"),
        UniqueConstraint("cooperative_id", "member_number"),
        # Lets products reference (member, cooperative) together, so the database itself
        # refuses a product whose maker belongs to another cooperative.
        UniqueConstraint("id", "cooperative_id"),
        Index(
            "uq_memberships_single_seat",
            "cooperative_id",
            "position",
            unique=True,
            sqlite_where=SINGLE_SEAT_WHERE,
            postgresql_where=SINGLE_SEAT_WHERE,
        ),
        CheckConstraint("position IS NULL OR role = 'admin'", name="position_only_for_admins"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    role: Mapped[Role] = mapped_column(RoleColumn, default=Role.MEMBER)
    position: Mapped[Position | None] = mapped_column(PositionColumn)  # admins only
    member_number: Mapped[str] = mapped_column(String(20))
    business_name: Mapped[str] = mapped_column(String(120), default="")  # the UMKM's name
    story: Mapped[str] = mapped_column(Text, default="")
    whatsapp: Mapped[str] = mapped_column(String(20), default="")
    bank_name: Mapped[str] = mapped_column(String(60), default="")
    bank_account_number: Mapped[str] = mapped_column(String(34), default="")
    bank_account_holder: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The member hears when a variant's stock falls to this many or fewer (0: sold out only).
    low_stock_threshold: Mapped[int] = mapped_column(default=3, server_default="3")

    user: Mapped[User] = relationship()
    cooperative: Mapped[Cooperative] = relationship(back_populates="memberships")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_pengawas(self) -> bool:
        return self.role == Role.PENGAWAS

    @property
    def has_payout_account(self) -> bool:
        return bool(self.bank_name and self.bank_account_number and self.bank_account_holder)

    @property
    def display_name(self) -> str:
        return self.business_name or self.user.name


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(RoleColumn, default=Role.MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cooperative: Mapped[Cooperative] = relationship()
