"""Reconciliation: what Midtrans said it settled, beside what the ledger cleared.

For each order of the period with a part in the cooperative: the order's total and payment
method, the amount in the latest signed settlement notification we stored for it (never a
live call per row: the page would take as long as Midtrans does), this cooperative's part of
the order, what its settlement entry debited to gateway clearing, and the Midtrans fee it
bore. A row that does not agree says why.

The rows are the cooperative's settlement entries of the period, plus the orders paid in the
period that it never settled (the case a bookkeeper most needs to see), and, whatever the
period, every order with a refund made at Midtrans that no admin has allocated to lines yet.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, exists, func, or_, select, union

from shop.checkout.models import Order, OrderLine, OrderShipment, payment_id
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, ExternalRefund, JournalEntry, Posting
from shop.payments.models import PaymentNotification
from shop.payments.signature import PAID_STATUS_CODE
from shop.raw_bodies import json_object
from shop.reports.period import Period
from shop.reports.queries import entries_of

# "163000.00": Midtrans's gross_amount, whole Rupiah with a zero fraction.
GROSS_AMOUNT = re.compile(r"^(\d{1,15})(?:\.0+)?$")
SETTLED_STATUSES = ("settlement", "capture")


class Discrepancy(StrEnum):
    NO_NOTIFICATION = "no_notification"  # no signed settlement notification on record
    GATEWAY_AMOUNT = "gateway_amount"  # the notification's amount is not the order's total
    NOT_SETTLED = "not_settled"  # paid, but no settlement entry for this cooperative
    CLEARED_AMOUNT = "cleared_amount"  # the entry cleared another amount than the part
    NOT_PAID = "not_paid"  # settled, but the order is not marked paid
    # Midtrans refunded part of it (its dashboard) and no admin has said which lines yet.
    REFUND_TO_ALLOCATE = "refund_to_allocate"


@dataclass(frozen=True)
class ReconciliationRow:
    order_number: str
    paid_at: datetime | None
    payment_method: str | None
    order_total: int  # the whole order, every cooperative's part
    gateway_amount: int | None  # what the notification said was settled; None: none stored
    part: int  # this cooperative's items and shipping in the order
    cleared: int  # debited to gateway clearing by this cooperative's settlement entry
    gateway_fee: int  # this cooperative's share of Midtrans's fee
    discrepancies: tuple[Discrepancy, ...]

    @property
    def is_flagged(self) -> bool:
        return bool(self.discrepancies)


@dataclass(frozen=True)
class ReconciliationReport:
    rows: list[ReconciliationRow]
    part: int
    cleared: int
    gateway_fee: int

    @property
    def flagged_count(self) -> int:
        return sum(row.is_flagged for row in self.rows)


def reconciliation_report(cooperative_id: int, period: Period) -> ReconciliationReport:
    orders = db.session.execute(
        select(
            Order.id,
            Order.number,
            Order.paid_at,
            Order.payment_method,
            Order.grand_total,
            Order.payment_attempts,
        )
        .where(Order.id.in_(_order_ids(cooperative_id, period)))
        .order_by(Order.paid_at, Order.id)
    ).all()
    ids = [order.id for order in orders]
    parts = _parts(cooperative_id, ids)
    posted = _posted(cooperative_id, ids)
    notified = _notified_amounts(orders)
    to_allocate = _with_refund_to_allocate(ids)
    rows = []
    for order in orders:
        settled = (order.id, EntryKind.SETTLEMENT) in posted
        row = ReconciliationRow(
            order_number=order.number,
            paid_at=order.paid_at,
            payment_method=order.payment_method,
            order_total=order.grand_total,
            gateway_amount=notified.get(order.number),
            part=parts.get(order.id, 0),
            cleared=posted.get((order.id, EntryKind.SETTLEMENT), 0),
            gateway_fee=posted.get((order.id, EntryKind.GATEWAY_FEE), 0),
            discrepancies=(),
        )
        rows.append(_checked(row, settled, to_allocate=order.id in to_allocate))
    return ReconciliationReport(
        rows,
        part=sum(row.part for row in rows),
        cleared=sum(row.cleared for row in rows),
        gateway_fee=sum(row.gateway_fee for row in rows),
    )


def _checked(row: ReconciliationRow, is_settled: bool, to_allocate: bool) -> ReconciliationRow:
    found = []
    if row.gateway_amount is None:
        found.append(Discrepancy.NO_NOTIFICATION)
    elif row.gateway_amount != row.order_total:
        found.append(Discrepancy.GATEWAY_AMOUNT)
    if not is_settled:
        found.append(Discrepancy.NOT_SETTLED)
    elif row.cleared != row.part:
        found.append(Discrepancy.CLEARED_AMOUNT)
    if row.paid_at is None:
        found.append(Discrepancy.NOT_PAID)
    if to_allocate:
        found.append(Discrepancy.REFUND_TO_ALLOCATE)
    return replace(row, discrepancies=tuple(found))


def _with_refund_to_allocate(order_ids: list[int]) -> set[int]:
    if not order_ids:
        return set()
    query = select(ExternalRefund.order_id).where(
        ExternalRefund.order_id.in_(order_ids), ExternalRefund.allocated_at.is_(None)
    )
    return set(db.session.scalars(query))


def _order_ids(cooperative_id: int, period: Period):
    settled_in_period = select(JournalEntry.order_id).where(
        entries_of(cooperative_id, EntryKind.SETTLEMENT, period)
    )
    has_settlement = exists().where(
        JournalEntry.order_id == Order.id,
        JournalEntry.cooperative_id == cooperative_id,
        JournalEntry.kind == EntryKind.SETTLEMENT,
    )
    paid_unsettled = (
        select(OrderShipment.order_id)
        .join(Order, Order.id == OrderShipment.order_id)
        .where(
            OrderShipment.cooperative_id == cooperative_id,
            Order.paid_at >= period.starts_at,
            Order.paid_at < period.ends_at,
            ~has_settlement,
        )
    )
    # Flagged whatever the period, until allocated: a bookkeeper must not miss one.
    refund_to_allocate = (
        select(ExternalRefund.order_id)
        .join(OrderShipment, OrderShipment.order_id == ExternalRefund.order_id)
        .where(
            OrderShipment.cooperative_id == cooperative_id, ExternalRefund.allocated_at.is_(None)
        )
    )
    order_ids = union(settled_in_period, paid_unsettled, refund_to_allocate).subquery()
    return select(order_ids.c.order_id)


def _parts(cooperative_id: int, order_ids: list[int]) -> dict[int, int]:
    """This cooperative's items and shipping per order: what its entry should clear."""
    items = dict(
        db.session.execute(
            select(OrderLine.order_id, func.sum(OrderLine.line_total))
            .where(OrderLine.cooperative_id == cooperative_id, OrderLine.order_id.in_(order_ids))
            .group_by(OrderLine.order_id)
        ).all()
    )
    shipping = dict(
        db.session.execute(
            select(OrderShipment.order_id, OrderShipment.fee).where(
                OrderShipment.cooperative_id == cooperative_id,
                OrderShipment.order_id.in_(order_ids),
            )
        ).all()
    )
    return {
        order_id: int(items.get(order_id, 0)) + int(shipping.get(order_id, 0))
        for order_id in order_ids
    }


def _posted(cooperative_id: int, order_ids: list[int]) -> dict[tuple[int, EntryKind], int]:
    """(order, kind) -> gateway clearing debited by the settlement entry, or gateway fees
    debited by the fee entry, of this cooperative."""
    rows = db.session.execute(
        select(JournalEntry.order_id, JournalEntry.kind, func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(
            JournalEntry.cooperative_id == cooperative_id,
            JournalEntry.order_id.in_(order_ids),
            or_(
                and_(
                    JournalEntry.kind == EntryKind.SETTLEMENT,
                    Posting.account == Account.GATEWAY_CLEARING,
                ),
                and_(
                    JournalEntry.kind == EntryKind.GATEWAY_FEE,
                    Posting.account == Account.GATEWAY_FEES,
                ),
            ),
        )
        .group_by(JournalEntry.order_id, JournalEntry.kind)
    ).all()
    return {(order_id, kind): int(total) for order_id, kind, total in rows}


def _notified_amounts(orders) -> dict[str, int]:
    """Order number -> gross_amount of its latest signed settlement notification. The
    signature covers the amount and status_code, not transaction_status: what Midtrans
    claims to have settled is a signed notification saying "settlement" (or "capture") with
    the signed status_code "200" (a signed pending body sent again saying "settlement" is not)."""
    midtrans_ids = {}
    for order in orders:
        midtrans_ids[order.number] = order.number
        for attempt in range(1, order.payment_attempts + 1):
            midtrans_ids[payment_id(order.number, attempt)] = order.number
    if not midtrans_ids:
        return {}
    amounts: dict[str, int] = {}
    for midtrans_id, raw_body in db.session.execute(
        select(PaymentNotification.order_id, PaymentNotification.raw_body)
        .where(
            PaymentNotification.order_id.in_(list(midtrans_ids)),
            PaymentNotification.signature_valid.is_(True),
            PaymentNotification.transaction_status.in_(SETTLED_STATUSES),
        )
        .order_by(PaymentNotification.id)
    ):
        amount = _settled_amount(raw_body)
        if amount is not None:
            amounts[midtrans_ids[midtrans_id]] = amount  # later rows win
    return amounts


def _settled_amount(raw_body: str) -> int | None:
    fields = json_object(raw_body.encode())
    if fields is None or fields.get("status_code") != PAID_STATUS_CODE:
        return None
    match = GROSS_AMOUNT.match(str(fields.get("gross_amount", "")))
    return int(match.group(1)) if match else None
