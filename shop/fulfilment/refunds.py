"""Refunding lines of a paid order through Midtrans, with the postings that reverse them.

A cooperative refunds units of its own lines. The fee part of a refund is worked on the
units refunded so far, so a line refunded in several steps gives back exactly its fee:
fee_for(unit * (before + n)) - fee_for(unit * before). The member's part comes out of
pending while their part of the order is not completed, out of available after, and a
member's available balance never goes negative: such a refund is refused, naming them.

The whole refund is one transaction that holds the order's row lock (then the part's and
the members') across the gateway call: the quantities and balances checked are still true
when it is written. Its refund_key is deterministic, "<order number>-R<n>" (n = one more
than the order's refunds through Midtrans so far). If Midtrans refunded but we never heard
(a timeout) or could not write it, nothing was written here, and asking again for the same
refund sends the same key: Midtrans answers with the first result instead of refunding
twice, and it is recorded then. Asking instead for a different amount under that key is refused when
Midtrans's answer lists its refunds (the simulator's does): the admin is told to repeat the
earlier request. Where the answer lists none, that gap is left to the reconciliation of
gateway and ledger.

Checking a refund (prepare_refund) and writing it (write_refund) serve refunds made by bank
transfer too (manual_refunds.py), which Midtrans's refusals, audited here, open the way to.
"""

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.checkout.models import Order, OrderLine, OrderShipment, ShipmentStatus
from shop.coops.models import Cooperative, Membership
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.fulfilment.services import lock_order
from shop.ledger.journal import add_entry, balance, credit, debit
from shop.ledger.models import Account, EntryKind, Refund, RefundLine, RefundMethod
from shop.money import fee_for, format_rupiah
from shop.notifications import events
from shop.payments.gateway import (
    Gateway,
    GatewayError,
    GatewayRejected,
    TransactionStatus,
    parse_rupiah,
)
from shop.payments.refunds_at_gateway import REFUNDED_STATES
from shop.payments.services import PAID_OR_LATER
from shop.reviews.aggregates import take_back_sold

logger = logging.getLogger(__name__)

# Midtrans refunds these only by hand, never through its API (MIDTRANS.md §3).
NOT_REFUNDABLE_BY_API = frozenset({"bank_transfer", "echannel", "cstore"})
# Each way a refund is made numbers its keys apart ("-R1", "-M1", "-D1"): the Midtrans ones
# ("R") must stay what a retry after a lost answer asks with again.
KEY_LETTERS = {
    RefundMethod.GATEWAY: "R",
    RefundMethod.BANK_TRANSFER: "M",
    RefundMethod.GATEWAY_DIRECT: "D",
}
GATEWAY_REASON_LENGTH = 255
REFUSED_ACTION = "order.refund_refused"  # audited: Midtrans said no to a refund


class RefundRefused(ShopError):
    """A refund that may not happen. line_id names the order line it is about, if one."""

    def __init__(self, message: str, line_id: int | None = None, field: str | None = None):
        super().__init__(message, field)
        self.line_id = line_id


@dataclass(frozen=True)
class FailedRefund:
    refund_key: str
    amount: int
    is_refused: bool  # Midtrans answered no (rather than not at all)


@dataclass(frozen=True)
class LineRefund:
    """What refunding `quantity` units of a line gives back, and whose money it was."""

    line: OrderLine
    quantity: int
    amount: int
    fee: int

    @property
    def member_amount(self) -> int:
        return self.amount - self.fee


def line_refund(line: OrderLine, refunded_before: int, quantity: int) -> LineRefund:
    """The fee part is the fee on all units refunded so far less the fee on those refunded
    before, so the steps of a line add up to its fee exactly."""
    unit = line.unit_price
    fee = fee_for(unit * (refunded_before + quantity), line.fee_bp) - fee_for(
        unit * refunded_before, line.fee_bp
    )
    return LineRefund(line=line, quantity=quantity, amount=unit * quantity, fee=fee)


def refunded_quantities(line_ids: list[int]) -> dict[int, int]:
    """Units refunded so far, by order line id (lines never refunded are left out)."""
    if not line_ids:
        return {}
    rows = db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
        .where(RefundLine.order_line_id.in_(line_ids))
        .group_by(RefundLine.order_line_id)
    ).all()
    return {line_id: int(quantity) for line_id, quantity in rows}


def refund_lines(
    order: Order,
    cooperative: Cooperative,
    quantities: Mapping[int, int],
    reason: str,
    actor: User,
    gateway: Gateway,
) -> Refund:
    """Refund units of the cooperative's lines of a paid order (order line id -> quantity;
    0 means none) through Midtrans, and post the reversal. Shipping is not refunded.

    Raises RefundRefused (nothing written, Midtrans not asked) for an unpaid order, a line
    not the cooperative's, a quantity above what is left to refund, or a member whose
    available balance would go negative; NotFound when the cooperative has no part in the
    order; GatewayError or RefundRefused when Midtrans refuses or does not answer (nothing
    written).
    """
    reason = reason.strip()
    try:
        plan = prepare_refund(order, cooperative, quantities, RefundMethod.GATEWAY)
        _ask_gateway(plan.order, gateway, plan.refund_key, plan.amount, reason)
        refund = write_refund(plan, reason, actor)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if getattr(error, "failed_refund", None):
            _tell_admins_refund_failed(order, cooperative, actor, error)
        raise
    logger.info("order %s: refund %s of %s", order.number, refund.refund_key, refund.amount)
    return refund


@dataclass(frozen=True)
class RefundPlan:
    """A refund checked under the order's lock and not written yet: the units, whose money
    they were, the account the members' part comes from and the refund's key."""

    order: Order
    cooperative: Cooperative
    parts: list[LineRefund]
    account: Account
    refund_key: str

    @property
    def amount(self) -> int:
        return sum(part.amount for part in self.parts)

    @property
    def fee(self) -> int:
        return sum(part.fee for part in self.parts)

    @property
    def owed(self) -> dict[int, int]:
        """Membership id -> what the member gives back."""
        owed: dict[int, int] = defaultdict(int)
        for part in self.parts:
            owed[part.line.member_id] += part.member_amount
        return dict(owed)


def prepare_refund(
    order: Order, cooperative: Cooperative, quantities: Mapping[int, int], method: RefundMethod
) -> RefundPlan:
    """Lock the order (then the part and the members) and check the refund, whatever way it
    is made. Flushes nothing; raises RefundRefused or NotFound as refund_lines says."""
    order = lock_order(order.id)
    if order.status not in PAID_OR_LATER:
        raise RefundRefused(_("Only a paid order can be refunded."))
    shipment = db.session.scalar(
        select(OrderShipment)
        .where(OrderShipment.order_id == order.id, OrderShipment.cooperative_id == cooperative.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shipment is None:
        raise NotFound(_("This order has no part from your cooperative."))
    parts = _line_refunds(order, cooperative, quantities)
    if sum(part.amount for part in parts) == 0:
        raise RefundRefused(_("These items cost nothing: there is nothing to refund."))
    # Until the part is completed its earnings are still pending: refunds take them there.
    account = (
        Account.MEMBER_AVAILABLE
        if shipment.status == ShipmentStatus.COMPLETED
        else Account.MEMBER_PENDING
    )
    plan = RefundPlan(order, cooperative, parts, account, _next_refund_key(order, method))
    if account == Account.MEMBER_AVAILABLE:
        _check_available(cooperative, plan.owed)
    return plan


def write_refund(
    plan: RefundPlan,
    reason: str,
    actor: User,
    method: RefundMethod = RefundMethod.GATEWAY,
    bank_reference: str | None = None,
    note: str = "",
) -> Refund:
    """Write the refund, its reversing entry (the same legs whichever way the money went
    back), its audit row and the shopper's notification. Flushes only."""
    order, cooperative = plan.order, plan.cooperative
    refund = Refund(
        order_id=order.id,
        cooperative_id=cooperative.id,
        refund_key=plan.refund_key,
        amount=plan.amount,
        reason=reason,
        method=method,
        bank_reference=bank_reference,
        note=note,
        created_by_id=actor.id,
        lines=[
            RefundLine(
                order_line_id=part.line.id,
                quantity=part.quantity,
                amount=part.amount,
                fee=part.fee,
                member_amount=part.member_amount,
            )
            for part in plan.parts
        ],
    )
    db.session.add(refund)
    db.session.flush()
    _post_reversal(plan, refund, actor)
    take_back_sold((part.line, part.quantity) for part in plan.parts)  # "Terjual N" on cards
    details = {
        "order": order.number,
        "amount": plan.amount,
        "from": plan.account.value,
        "lines": {str(part.line.id): part.quantity for part in plan.parts},
        "method": method.value,
    }
    if bank_reference is not None:
        details["reference"] = bank_reference
    record_audit(actor, cooperative, "order.refunded", refund, details)
    items = [{"name": part.line.product_name, "quantity": part.quantity} for part in plan.parts]
    events.order_refunded(order, refund.refund_key, plan.amount, items, bank_reference)
    return refund


def _post_reversal(plan: RefundPlan, refund: Refund, actor: User) -> None:
    owed = plan.owed
    legs = [debit(plan.account, owed[member_id], member_id) for member_id in sorted(owed)]
    legs += [debit(Account.FEE_REVENUE, plan.fee), credit(Account.GATEWAY_CLEARING, plan.amount)]
    add_entry(
        f"refund:{plan.refund_key}",
        EntryKind.REFUND,
        plan.cooperative.id,
        legs,
        order_id=plan.order.id,
        refund_id=refund.id,
        actor_id=actor.id,
        memo=f"refund {plan.refund_key} of order {plan.order.number}",
    )


def _tell_admins_refund_failed(
    order: Order, cooperative: Cooperative, actor: User, error: Exception
) -> None:
    """The gateway refused or did not answer: nothing was refunded, and the admins hear of
    it in a transaction of its own (the refund's was rolled back). A refusal is audited
    too: it is what lets the admin record a refund made by bank transfer instead."""
    failed: FailedRefund = error.failed_refund
    try:
        events.refund_failed(order, cooperative.id, failed.refund_key, failed.amount, str(error))
        if failed.is_refused:
            said = getattr(error.__cause__ or error, "midtrans_message", "") or str(error)
            details = {"order": order.number, "amount": failed.amount, "reason": said[:300]}
            record_audit(actor, cooperative, REFUSED_ACTION, order, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("order %s: could not record the failed refund", order.number)


def _line_refunds(
    order: Order, cooperative: Cooperative, quantities: Mapping[int, int]
) -> list[LineRefund]:
    wanted = {line_id: quantity for line_id, quantity in quantities.items() if quantity}
    if not wanted:
        raise RefundRefused(_("Enter how many units of which item to refund."))
    lines = {line.id: line for line in order.lines if line.cooperative_id == cooperative.id}
    # Read under the order's lock: a refund committed meanwhile is counted.
    already = refunded_quantities(sorted(wanted))
    parts = []
    for line_id, quantity in sorted(wanted.items()):
        line = lines.get(line_id)
        if line is None:
            raise RefundRefused(_("That item is not part of your cooperative's order."))
        refunded_before = already.get(line_id, 0)
        left = line.quantity - refunded_before
        if left == 0:
            raise RefundRefused(
                _("%(item)s has been refunded in full already.", item=line.name), line_id
            )
        if not 1 <= quantity <= left:
            raise RefundRefused(
                _(
                    "Refund above what was paid: at most %(left)d of %(item)s can still be "
                    "refunded.",
                    left=left,
                    item=line.name,
                ),
                line_id,
            )
        parts.append(line_refund(line, refunded_before, quantity))
    return parts


def _check_available(cooperative: Cooperative, owed: Mapping[int, int]) -> None:
    """Lock the members' rows (as a payout does) and refuse if one of them has less
    available than this refund takes back."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.id.in_(sorted(owed)))
        .order_by(Membership.id)
        .with_for_update()
    ).all()
    for membership in memberships:
        available = balance(cooperative.id, Account.MEMBER_AVAILABLE, membership.id)
        if available < owed[membership.id]:
            raise RefundRefused(
                _(
                    "Refund refused: %(member)s has %(available)s available, less than the "
                    "%(needed)s this refund takes back from their earnings (they have been "
                    "paid out already). Nothing was refunded.",
                    member=membership.display_name,
                    available=format_rupiah(available),
                    needed=format_rupiah(owed[membership.id]),
                )
            )


def _next_refund_key(order: Order, method: RefundMethod) -> str:
    """Deterministic under the order's lock, so a retry after a lost answer reuses it. Refunds
    by bank transfer count apart ("-M<n>"): recording one between a lost answer and its
    retry must not change the key Midtrans is asked with again."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Refund)
        .where(Refund.order_id == order.id, Refund.method == method)
    )
    return f"{order.number}-{KEY_LETTERS[method]}{count + 1}"


def _ask_gateway(
    order: Order, gateway: Gateway, refund_key: str, amount: int, reason: str
) -> TransactionStatus:
    try:
        return _call_gateway(order, gateway, refund_key, amount, reason)
    except (GatewayError, RefundRefused) as error:
        # Only Midtrans's own "no" proves nothing was refunded. After no answer, an answer
        # that is not a refund, or "duplicate refund key" (an earlier request may have
        # refunded), it may still have happened.
        rejected = error if isinstance(error, GatewayRejected) else error.__cause__
        is_refused = isinstance(rejected, GatewayRejected) and rejected.status_code != "406"
        error.failed_refund = FailedRefund(refund_key, amount, is_refused)  # for the admins
        raise


def _call_gateway(
    order: Order, gateway: Gateway, refund_key: str, amount: int, reason: str
) -> TransactionStatus:
    payment = order.current_payment_id or order.number  # the Midtrans order id that was paid
    try:
        answer = gateway.refund(payment, refund_key, amount, reason[:GATEWAY_REASON_LENGTH])
    except GatewayRejected as error:
        if order.payment_method in NOT_REFUNDABLE_BY_API:
            raise RefundRefused(
                _(
                    "Payments by bank transfer (virtual account) or at a shop cannot be "
                    "refunded through the payment service. Nothing was refunded: transfer "
                    "the money back to the shopper yourself."
                )
            ) from error
        raise
    if answer.transaction_status not in REFUNDED_STATES:
        logger.error("refund %s: answered %s", refund_key, answer.transaction_status)
        raise RefundRefused(
            _("The payment service did not confirm the refund. Nothing was refunded.")
        )
    _check_same_refund(answer, refund_key, amount)
    return answer


def _check_same_refund(answer: TransactionStatus, refund_key: str, amount: int) -> None:
    """The key was used before, for another amount: by an earlier request whose answer we
    never got. Recording this one would not match what Midtrans refunded."""
    for listed in answer.raw.get("refunds") or []:
        if listed.get("refund_key") != refund_key:
            continue
        refunded = parse_rupiah(listed.get("refund_amount"))
        if refunded != amount:
            logger.error("refund %s: Midtrans refunded %s, asked %s", refund_key, refunded, amount)
            raise RefundRefused(
                _(
                    "The payment service already refunded %(amount)s under reference "
                    "%(key)s, for an earlier request that got no answer. Repeat that request "
                    "with the same items and quantities to record it.",
                    amount=format_rupiah(refunded),
                    key=refund_key,
                )
            )
