"""Allocating a refund made at Midtrans to the lines it was for.

A refund made in Midtrans's dashboard is recorded as an ExternalRefund with its amount only
(payments/refunds_at_gateway.py). An admin of a cooperative in the order says which of its
lines it was for; each allocation is checked and posted exactly as a refund asked from here
(refunds.prepare_refund and write_refund: the same limits per line, legs, audit row and
notification), with the method GATEWAY_DIRECT and a link to the refund it allocates. It
cannot exceed what remains to allocate. Until nothing remains, the members with lines in
the order are held: payouts.services refuses to pay them out (held_member_ids), since the
refund may still take from their earnings.
"""

import logging
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import exists, select

from shop.accounts.models import User
from shop.checkout.models import Order, OrderLine
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.fulfilment.refunds import RefundRefused, prepare_refund, write_refund
from shop.ledger.models import ExternalRefund, Refund, RefundMethod
from shop.money import format_rupiah
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

DEFAULT_REASON = "Refund made at Midtrans"  # stored as typed when the admin gives none


def open_refunds_of_order(order_id: int) -> list[ExternalRefund]:
    """The order's refunds made at Midtrans with something left to allocate, oldest first."""
    return list(
        db.session.scalars(
            select(ExternalRefund)
            .where(ExternalRefund.order_id == order_id, ExternalRefund.allocated_at.is_(None))
            .order_by(ExternalRefund.id)
        )
    )


def open_refunds_of_cooperative(cooperative_id: int) -> list[tuple[ExternalRefund, str]]:
    """(refund, order number) for every refund made at Midtrans still to allocate on an
    order with lines of the cooperative, oldest first."""
    rows = db.session.execute(
        select(ExternalRefund, Order.number)
        .join(Order, Order.id == ExternalRefund.order_id)
        .where(ExternalRefund.allocated_at.is_(None), _has_lines_of(cooperative_id))
        .order_by(ExternalRefund.id)
    )
    return [(refund, number) for refund, number in rows]


def held_member_ids(cooperative_id: int) -> set[int]:
    """Members of the cooperative with lines in an order that has a refund to allocate."""
    query = (
        select(OrderLine.member_id)
        .join(ExternalRefund, ExternalRefund.order_id == OrderLine.order_id)
        .where(OrderLine.cooperative_id == cooperative_id, ExternalRefund.allocated_at.is_(None))
        .distinct()
    )
    return set(db.session.scalars(query))


def is_held(cooperative_id: int, member_id: int) -> bool:
    query = select(
        exists().where(
            OrderLine.cooperative_id == cooperative_id,
            OrderLine.member_id == member_id,
            ExternalRefund.order_id == OrderLine.order_id,
            ExternalRefund.allocated_at.is_(None),
        )
    )
    return bool(db.session.scalar(query))


def allocate_refund(
    external_refund_id: int,
    cooperative: Cooperative,
    quantities: Mapping[int, int],
    reason: str,
    actor: User,
) -> Refund:
    """Allocate units of the cooperative's lines (order line id -> quantity) to a refund
    made at Midtrans, and post them as a refund. Raises RefundRefused when the refund is
    not open, when the units are worth more than remains to allocate, and for everything
    refund_lines refuses; NotFound when the cooperative has no part in the order."""
    try:
        external = db.session.get(ExternalRefund, external_refund_id)
        if external is None:
            raise RefundRefused(_("There is no such refund to allocate."))
        order = db.session.get(Order, external.order_id)
        plan = prepare_refund(order, cooperative, quantities, RefundMethod.GATEWAY_DIRECT)
        external = _lock(external.id)  # after the order's lock, like every refund
        if external.allocated_at is not None:
            raise RefundRefused(_("This refund is already allocated in full."))
        if plan.amount > external.remaining:
            raise RefundRefused(
                _(
                    "These items come to %(amount)s, more than the %(remaining)s left to "
                    "allocate of this refund.",
                    amount=format_rupiah(plan.amount),
                    remaining=format_rupiah(external.remaining),
                )
            )
        refund = write_refund(
            plan, reason.strip() or DEFAULT_REASON, actor, RefundMethod.GATEWAY_DIRECT
        )
        refund.external_refund_id = external.id
        external.allocated += plan.amount
        if external.remaining == 0:
            external.allocated_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("order %s: %s of refund %s allocated as %s", order.number, plan.amount,
                external.gateway_refund_key, refund.refund_key)  # fmt: skip
    return refund


def _lock(external_refund_id: int) -> ExternalRefund:
    return db.session.scalar(
        select(ExternalRefund)
        .where(ExternalRefund.id == external_refund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _has_lines_of(cooperative_id: int):
    return exists().where(
        OrderLine.order_id == ExternalRefund.order_id, OrderLine.cooperative_id == cooperative_id
    )
