"""What a cooperative admin's console home shows: the work waiting, oldest first."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product, ProductStatus
from shop.checkout.models import Order, OrderShipment, ShipmentStatus
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.fulfilment.allocation import open_refunds_of_cooperative
from shop.ledger.models import ExternalRefund, Payout, PayoutStatus
from shop.notifications.models import Notification
from shop.reports.period import Period, month_of, today_in_jakarta
from shop.sales.queries import Bucket, Granularity, sales_over_time

PERMIT_WARNING_DAYS = 30
SHOWN_ROWS = 10
FAILED_REFUNDS_SHOWN = 10


@dataclass(frozen=True)
class PartsWaiting:
    count: int
    oldest_paid_at: datetime | None  # the part waiting longest


@dataclass(frozen=True)
class PayoutsWaiting:
    count: int
    amount: int


@dataclass(frozen=True)
class CoopSales:
    """The cooperative's gross sales (as the members report counts them) this month by day,
    and this ISO week so far."""

    month: Period
    days: list[Bucket]
    week_gross: int

    @property
    def month_gross(self) -> int:
        return sum(day.gross for day in self.days)


def coop_sales(coop: Cooperative, today: date) -> CoopSales:
    month = month_of(today)
    days = sales_over_time(coop.id, month, Granularity.DAY)
    week_start = today - timedelta(days=today.weekday())
    # The week may start in last month: its days before this month are asked for separately.
    earlier = Period(week_start, month.first_day - timedelta(days=1))
    before_month = (
        sum(b.gross for b in sales_over_time(coop.id, earlier, Granularity.DAY))
        if week_start < month.first_day
        else 0
    )
    in_month = sum(day.gross for day in days if week_start <= day.first_day <= today)
    return CoopSales(month, days, before_month + in_month)


@dataclass(frozen=True)
class AdminWork:
    to_pack: PartsWaiting
    to_ship: PartsWaiting
    products_to_review: int
    payouts_to_approve: PayoutsWaiting
    payouts_to_transfer: PayoutsWaiting
    members_without_account: list[Membership]
    permits_expiring: list[Product]  # P-IRT expiring within 30 days (or expired), on sale
    failed_refunds: list[Notification]  # what Midtrans refused, as the admin was told
    # refunds made at Midtrans to allocate to lines, with their order's number
    refunds_to_allocate: list[tuple[ExternalRefund, str]]


def admin_work(coop: Cooperative, admin_user_id: int) -> AdminWork:
    parts = _parts_waiting(coop)
    payouts = _payouts_waiting(coop)
    return AdminWork(
        to_pack=parts.get(ShipmentStatus.PENDING, PartsWaiting(0, None)),
        to_ship=parts.get(ShipmentStatus.PACKED, PartsWaiting(0, None)),
        products_to_review=db.session.scalar(
            # A deactivated maker's product cannot be approved: not work waiting.
            select(func.count(Product.id))
            .join(Membership, Membership.id == Product.member_id)
            .where(
                Product.cooperative_id == coop.id,
                Product.status == ProductStatus.PENDING,
                Membership.is_active.is_(True),
            )
        ),
        payouts_to_approve=payouts.get(PayoutStatus.REQUESTED, PayoutsWaiting(0, 0)),
        payouts_to_transfer=payouts.get(PayoutStatus.APPROVED, PayoutsWaiting(0, 0)),
        members_without_account=_members_without_account(coop),
        permits_expiring=permits_expiring(coop, today_in_jakarta()),
        failed_refunds=_failed_refunds(coop, admin_user_id),
        refunds_to_allocate=open_refunds_of_cooperative(coop.id),
    )


def _parts_waiting(coop: Cooperative) -> dict[ShipmentStatus, PartsWaiting]:
    rows = db.session.execute(
        select(OrderShipment.status, func.count(OrderShipment.id), func.min(Order.paid_at))
        .join(Order, Order.id == OrderShipment.order_id)
        .where(
            OrderShipment.cooperative_id == coop.id,
            OrderShipment.status.in_([ShipmentStatus.PENDING, ShipmentStatus.PACKED]),
            Order.paid_at.is_not(None),
        )
        .group_by(OrderShipment.status)
    ).all()
    return {status: PartsWaiting(count, oldest) for status, count, oldest in rows}


def _payouts_waiting(coop: Cooperative) -> dict[PayoutStatus, PayoutsWaiting]:
    rows = db.session.execute(
        select(Payout.status, func.count(Payout.id), func.sum(Payout.amount))
        .where(
            Payout.cooperative_id == coop.id,
            Payout.status.in_([PayoutStatus.REQUESTED, PayoutStatus.APPROVED]),
        )
        .group_by(Payout.status)
    ).all()
    return {status: PayoutsWaiting(count, int(amount)) for status, count, amount in rows}


def _members_without_account(coop: Cooperative) -> list[Membership]:
    """Active members who could not be paid today: a bank detail is missing (the same rule
    as Membership.has_payout_account)."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(
                Membership.cooperative_id == coop.id,
                Membership.is_active.is_(True),
                or_(
                    Membership.bank_name == "",
                    Membership.bank_account_number == "",
                    Membership.bank_account_holder == "",
                ),
            )
            .order_by(Membership.member_number)
            .limit(SHOWN_ROWS * 5)
        )
    )


def permits_expiring(coop: Cooperative, today: date) -> list[Product]:
    """Products on sale or waiting for review whose P-IRT expires within 30 days or has
    expired, soonest first."""
    return list(
        db.session.scalars(
            select(Product)
            .options(joinedload(Product.member).joinedload(Membership.user))
            .where(
                Product.cooperative_id == coop.id,
                Product.status.in_([ProductStatus.ACTIVE, ProductStatus.PENDING]),
                Product.pirt_expires_on.is_not(None),
                Product.pirt_expires_on <= today + timedelta(days=PERMIT_WARNING_DAYS),
            )
            .order_by(Product.pirt_expires_on, Product.id)
            .limit(SHOWN_ROWS)
        )
    )


def _failed_refunds(coop: Cooperative, admin_user_id: int) -> list[Notification]:
    """The refunds of this cooperative Midtrans refused, as this admin was told of them and
    has not read yet (reading the notification is how an admin marks it dealt with)."""
    rows = db.session.scalars(
        select(Notification)
        .where(
            Notification.recipient_id == admin_user_id,
            Notification.kind == "admin_refund_failed",
            Notification.read_at.is_(None),
        )
        .order_by(Notification.id.desc())
        .limit(FAILED_REFUNDS_SHOWN * 5)
    ).all()
    # The cooperative is named inside params (JSON), compared here rather than in SQL.
    return [row for row in rows if row.params.get("coop_slug") == coop.slug][:FAILED_REFUNDS_SHOWN]
