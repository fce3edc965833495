"""Orders: what a shopper bought, snapshotted at checkout, with one shipment per cooperative.

Prices, names and the cooperative's fee are copied onto the lines, so later catalog edits
never change a past order. The money rules that fit on one row are CHECK constraints.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
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

from shop.coops.models import Cooperative
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


def _string_enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class OrderStatus(StrEnum):
    PENDING = "pending"  # placed, stock reserved, waiting for the payment
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    DENIED = "denied"


ALLOWED_ORDER_MOVES = {
    OrderStatus.PENDING: {
        OrderStatus.PAID,
        OrderStatus.EXPIRED,
        OrderStatus.CANCELLED,
        OrderStatus.DENIED,
    },
    OrderStatus.PAID: {OrderStatus.PACKED},
    OrderStatus.PACKED: {OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.EXPIRED: set(),
    OrderStatus.CANCELLED: set(),
    OrderStatus.DENIED: set(),
}

# Closing an unpaid order gives its reserved stock back.
RELEASING_STATUSES = frozenset({OrderStatus.EXPIRED, OrderStatus.CANCELLED, OrderStatus.DENIED})


class ShippingMethod(StrEnum):
    PICKUP = "pickup"  # at the cooperative, free
    LOCAL = "local"  # inside the cooperative's city, flat fee
    COURIER = "courier"


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("items_total >= 0", name="items_total_not_negative"),
        CheckConstraint("shipping_total >= 0", name="shipping_total_not_negative"),
        CheckConstraint("grand_total = items_total + shipping_total", name="grand_total_sum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # shown to the shopper
    # SHA-256 of the guest's link token (shop/tokens.py): the link itself is never stored.
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        _string_enum(OrderStatus), default=OrderStatus.PENDING, index=True
    )
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(80))
    district: Mapped[str] = mapped_column(String(80))  # kecamatan
    village: Mapped[str] = mapped_column(String(80))  # kelurahan / desa
    postcode: Mapped[str] = mapped_column(String(10))
    street: Mapped[str] = mapped_column(Text)
    address_notes: Mapped[str] = mapped_column(Text, default="")
    items_total: Mapped[Rupiah]
    shipping_total: Mapped[Rupiah]
    grand_total: Mapped[Rupiah]
    # Set on a move to a releasing status, in the same transaction: stock goes back once.
    stock_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_method: Mapped[str | None] = mapped_column(String(40))  # Midtrans's payment_type
    # Each payment attempt has its own Midtrans order id, "<number>-<n>" (MIDTRANS.md §2);
    # n is this count; the current attempt's Snap page is its row's redirect_url.
    payment_attempts: Mapped[int] = mapped_column(default=0)
    # Retired: nothing writes or reads it (the current attempt's row has its redirect_url).
    # Kept, unloaded, for one release: the release before this one still selects it while
    # hosts move over after `flask db upgrade`; the next release's migration drops it.
    payment_url: Mapped[str | None] = mapped_column(String(255), deferred=True)
    # The language the shopper checked out in: a guest's mails are written in it.
    language: Mapped[str] = mapped_column(String(5), default="id", server_default="id")

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    shipments: Mapped[list["OrderShipment"]] = relationship(
        back_populates="order", order_by="OrderShipment.id", cascade="all, delete-orphan"
    )

    def move_to(self, status: OrderStatus) -> None:
        if status not in ALLOWED_ORDER_MOVES[self.status]:
            raise InvalidTransition(
                f"order {self.number}: {self.status} -> {status} is not allowed"
            )
        self.status = status

    @property
    def current_payment_id(self) -> str | None:
        """The Midtrans order id of the latest payment attempt; None before the first."""
        if not self.payment_attempts:
            return None
        return payment_id(self.number, self.payment_attempts)

    @property
    def is_awaiting_payment(self) -> bool:
        return self.status == OrderStatus.PENDING


def payment_id(number: str, attempt: int) -> str:
    return f"{number}-{attempt}"


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_bp_range"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
        CheckConstraint("fee >= 0 AND member_amount >= 0", name="parts_not_negative"),
        CheckConstraint("fee + member_amount = line_total", name="parts_sum"),
        UniqueConstraint("order_id", "variant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # Plain ids, no foreign keys to the catalog: an order outlives the products it names.
    variant_id: Mapped[int] = mapped_column(index=True)
    product_id: Mapped[int]
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(150))
    variant_label: Mapped[str] = mapped_column(String(60), default="")
    unit_price: Mapped[Rupiah]
    quantity: Mapped[int]
    fee_bp: Mapped[int]
    line_total: Mapped[Rupiah]
    fee: Mapped[Rupiah]
    member_amount: Mapped[Rupiah]

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def name(self) -> str:
        return f"{self.product_name} {self.variant_label}".strip()


class OrderShipment(db.Model):
    __tablename__ = "order_shipments"
    __table_args__ = (
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        UniqueConstraint("order_id", "cooperative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    method: Mapped[ShippingMethod] = mapped_column(_string_enum(ShippingMethod))
    fee: Mapped[Rupiah]
    weight_grams: Mapped[int] = mapped_column(default=0)  # what the courier fee was worked on
    # The courier's quote as the shopper accepted it: later rate changes leave it be.
    courier_service: Mapped[str] = mapped_column(String(60), default="", server_default="")
    shipping_zone: Mapped[str] = mapped_column(String(60), default="", server_default="")
    eta_min_days: Mapped[int | None]
    eta_max_days: Mapped[int | None]
    status: Mapped[ShipmentStatus] = mapped_column(
        _string_enum(ShipmentStatus), default=ShipmentStatus.PENDING
    )
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the member's earnings for this part moved from pending to available.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="shipments")
    cooperative: Mapped[Cooperative] = relationship()


class ShippingSettings(db.Model):
    """How one cooperative sends orders: what it offers, and the fees its admin set."""

    __tablename__ = "shipping_settings"
    __table_args__ = (CheckConstraint("local_fee >= 0", name="local_fee_not_negative"),)

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), primary_key=True
    )
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    offers_local: Mapped[bool] = mapped_column(default=False)
    local_fee: Mapped[Rupiah] = mapped_column(default=0)
    offers_courier: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    zones: Mapped[list["ShippingZone"]] = relationship(
        order_by="ShippingZone.position", cascade="all, delete-orphan"
    )
    courier_services: Mapped[list["CourierService"]] = relationship(
        order_by="CourierService.position", cascade="all, delete-orphan"
    )


class ZoneKind(StrEnum):
    """Where a zone reaches. The relative kinds are measured from the cooperative's own city,
    province and island group, so one set of zones fits a cooperative wherever it is."""

    SAME_CITY = "same_city"
    SAME_PROVINCE = "same_province"
    SAME_ISLAND_GROUP = "same_island_group"
    PROVINCES = "provinces"  # the provinces listed on the zone
    EVERYWHERE = "everywhere"


class ShippingZone(db.Model):
    """One of the cooperative's destination zones. A destination is in the first zone, by
    position, that reaches it: "same city" before "same province" before "anywhere"."""

    __tablename__ = "shipping_zones"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "position"),
        UniqueConstraint("cooperative_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_settings.cooperative_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))  # "Sumba", "Jawa", "Pulau lain"
    kind: Mapped[ZoneKind] = mapped_column(_string_enum(ZoneKind))
    # Province names as regions.PROVINCES writes them; only for ZoneKind.PROVINCES.
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)


class CourierService(db.Model):
    """A courier's service the cooperative sends with ("JNE REG", "J&T EZ"), priced per zone.

    Couriers bill whole kilograms, rounding a parcel down when it is over the kilogram by no
    more than the tolerance (JNE: 0.3 kg, so 1.3 kg pays 1 kg and 1.31 kg pays 2 kg). A
    parcel over the service's maximum weight is not offered it."""

    __tablename__ = "courier_services"
    __table_args__ = (
        CheckConstraint(
            "rounding_tolerance_grams >= 0 AND rounding_tolerance_grams < 1000",
            name="rounding_tolerance_range",
        ),
        CheckConstraint("max_weight_grams > 0", name="max_weight_positive"),
        UniqueConstraint("cooperative_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_settings.cooperative_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    rounding_tolerance_grams: Mapped[int] = mapped_column(default=300)
    # The heaviest parcel the service takes (JNE YES: 70 kg, J&T EZ: 50 kg); None: no limit.
    max_weight_grams: Mapped[int | None]

    rates: Mapped[list["CourierZoneRate"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )


class CourierZoneRate(db.Model):
    """What one service charges to one zone, and how long it takes. No row: the service
    does not go to that zone."""

    __tablename__ = "courier_zone_rates"
    __table_args__ = (
        CheckConstraint("first_kg_fee >= 0 AND next_kg_fee >= 0", name="fees_not_negative"),
        CheckConstraint("eta_min_days > 0 AND eta_max_days >= eta_min_days", name="eta_range"),
        UniqueConstraint("service_id", "zone_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("courier_services.id", ondelete="CASCADE"), index=True
    )
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True
    )
    first_kg_fee: Mapped[Rupiah]
    next_kg_fee: Mapped[Rupiah]  # each kilogram after the first
    eta_min_days: Mapped[int]
    eta_max_days: Mapped[int]

    service: Mapped[CourierService] = relationship(back_populates="rates")
    zone: Mapped[ShippingZone] = relationship()


class SavedAddress(db.Model):
    """An address a signed-in shopper keeps for their next checkouts."""

    __tablename__ = "saved_addresses"
    __table_args__ = (
        # At most one default address per user, whatever races between two tabs.
        Index(
            "uq_saved_addresses_default",
            "user_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")  # "Rumah", "Kantor"
    recipient_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(80))
    district: Mapped[str] = mapped_column(String(80))
    village: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(10))
    street: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The one checkout fills in for a signed-in shopper before they choose.
    is_default: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
