"""Paying members out of their available balance: request, approval, transfer, rejection.

Money moves when an admin approves (member available -> payouts in transit), when the
transfer is recorded (in transit -> bank) and when an approved payout is rejected (back to
available). A request moves nothing, but counts against what the member may still ask for,
so two requests cannot promise the same money.

Every service locks the membership row first, then moves the payout by a conditional UPDATE.
The refund rule locks the same row before it takes money from available, so a payout and a
refund racing for one balance run one after the other on PostgreSQL, and of two admins
deciding the same payout at once, one wins and the other is told.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.models import Cooperative, Membership
from shop.coops.services import find_membership
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.fulfilment.allocation import is_held
from shop.ledger.journal import add_entry, balance, credit, debit
from shop.ledger.models import Account, EntryKind, Payout, PayoutStatus
from shop.money import format_rupiah
from shop.notifications import events
from shop.payouts.adapter import SubmitResult, payout_adapter, transfers_automatically
from shop.payouts.maker_checker import maker_checker_on
from shop.savings.services import settings_of
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

ALLOWED_MOVES = {
    PayoutStatus.REQUESTED: (PayoutStatus.APPROVED, PayoutStatus.REJECTED),
    PayoutStatus.APPROVED: (PayoutStatus.PAID, PayoutStatus.REJECTED),
    # The bank sent a paid transfer back (Iris: failed after completed; see iris_webhook.py).
    PayoutStatus.PAID: (PayoutStatus.RETURNED,),
}
REFERENCE_MIN, REFERENCE_MAX = 3, 80  # Payout.transfer_reference is String(80)
REASON_MAX = 500


class PayoutError(ShopError):
    pass


class PayoutNotAllowed(PayoutError):
    """The actor may not do this to this payout (not the member, not an admin)."""


class PayoutRefused(PayoutError):
    """The amount, the bank account or the balance does not allow it."""


def request_payout(
    membership: Membership, amount: int, actor: User, deduct_wajib: bool = False
) -> Payout:
    """The member asks to be paid `amount` to their saved bank account, which is copied onto
    the payout. With `deduct_wajib`, the member consents to one month of simpanan wajib (the
    cooperative's amount, recorded on the payout) being taken from their available balance
    too when the payout is approved. Raises PayoutNotAllowed unless the actor is that member,
    PayoutRefused for an amount that is not positive, below the cooperative's minimum or
    (with the wajib) above what is available less the member's payouts still waiting, and
    for a missing bank account."""
    try:
        if actor.id != membership.user_id:
            raise PayoutNotAllowed(_("Only the member can ask for their own payout."))
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise PayoutRefused(_("Enter an amount above Rp 0."), field="amount")
        member = lock_membership(membership.id)
        coop = member.cooperative
        if not coop.is_active:
            raise PayoutNotAllowed(_("This cooperative is not active."))
        if not member.has_payout_account:
            raise PayoutRefused(
                _("Add your bank account to your member profile first."), field="amount"
            )
        _check_not_held(member)
        deduction = settings_of(coop).wajib_amount if deduct_wajib else 0
        requestable = _available(member) - _requested(member) - deduction
        # A former member may take out all the rest of what they are owed, however small.
        if amount < coop.min_payout and (member.is_active or amount != requestable):
            raise PayoutRefused(
                _("The minimum payout is %(amount)s.", amount=format_rupiah(coop.min_payout)),
                field="amount",
            )
        if amount > requestable:
            raise PayoutRefused(
                _(
                    "That is more than you can ask for now: at most %(amount)s.",
                    amount=format_rupiah(max(requestable, 0)),
                ),
                field="amount",
            )
        payout = Payout(
            cooperative_id=coop.id,
            member_id=member.id,
            amount=amount,
            bank_name=member.bank_name,
            bank_account_number=member.bank_account_number,
            bank_account_holder=member.bank_account_holder,
            wajib_deduction=deduction,
            requested_by_id=actor.id,
        )
        db.session.add(payout)
        db.session.flush()
        # Which account the money was asked to, as it was then: the bookkeeper's trail.
        details = {"amount": amount, "bank": member.bank_name,
                   "account": member.bank_account_number,
                   "wajib_deduction": deduction}  # fmt: skip
        record_audit(actor, coop, "payout.requested", payout, details)
        events.payout_requested(payout)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s requested: member %s, %s", payout.id, member.id, amount)
    return payout


def approve_payout(payout: Payout, actor: User) -> SubmitResult:
    """An admin approves a requested payout: its amount leaves the member's available balance
    for payouts in transit, then the payout adapter starts the transfer (by hand, for now).
    Raises PayoutNotAllowed (also when the cooperative's payouts need two admins: then they
    are approved in batches, shop/payouts/batches.py), InvalidTransition when it is not
    waiting for approval or waits in a batch, and PayoutRefused, leaving it requested, when
    the available balance no longer covers it."""
    adapter = payout_adapter()  # a misconfigured adapter fails before anything is written
    try:
        coop = _require_admin(actor, payout.cooperative_id)
        if maker_checker_on(coop):
            raise PayoutNotAllowed(
                _(
                    "Payouts of this cooperative need two admins: prepare a batch, and "
                    "another admin approves it."
                )
            )
        member = lock_membership(payout.member_id)
        approve_locked(payout, member, actor, Payout.batch_id.is_(None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s approved by user %s", payout.id, actor.id)
    # After the commit: an API that fails must not undo the approval (the adapter's contract).
    return adapter.submit(payout)


def approve_locked(payout: Payout, member: Membership, actor: User, *conditions) -> None:
    """Approve one payout whose member row the caller has locked, and flush: move it (under
    the extra `conditions` of the caller), check the balance, post and audit. Shared by the
    single approval and the batch approval so that both post the same entry, with the same
    idempotency key. Raises InvalidTransition, PayoutRefused."""
    coop = member.cooperative
    move_payout(
        payout, PayoutStatus.APPROVED, *conditions, approved_at=utcnow(), decided_by_id=actor.id
    )
    _check_not_held(member)
    available = _available(member)
    if payout.amount + payout.wajib_deduction > available:
        # A refund (or another payout) took money since the request.
        raise PayoutRefused(
            _(
                "The member's available balance (%(available)s) no longer covers this "
                "payout, so it stays requested. Reject it, or wait for new earnings.",
                available=format_rupiah(available),
            )
        )
    add_entry(
        f"payout-approved:{payout.id}",
        EntryKind.PAYOUT_APPROVED,
        coop.id,
        _approval_postings(payout, member),
        payout_id=payout.id,
        actor_id=actor.id,
        memo=f"payout {payout.id} approved",
    )
    record_audit(actor, coop, "payout.approved", payout,
                 {"amount": payout.amount, "wajib_deduction": payout.wajib_deduction})  # fmt: skip
    events.payout_decided(payout, "payout_approved")


def mark_payout_paid(payout: Payout, transfer_reference: str, actor: User) -> None:
    """An admin records the bank transfer of an approved payout: payouts in transit -> bank.
    Raises PayoutNotAllowed, PayoutRefused without a reference of 3 to 80 characters, and
    InvalidTransition unless the payout is approved."""
    reference = " ".join((transfer_reference or "").split())
    try:
        coop = _require_admin(actor, payout.cooperative_id)
        if not REFERENCE_MIN <= len(reference) <= REFERENCE_MAX:
            raise PayoutRefused(
                _(
                    "Enter the bank's transfer reference, %(min)d to %(max)d characters.",
                    min=REFERENCE_MIN,
                    max=REFERENCE_MAX,
                ),
                field="transfer_reference",
            )
        lock_membership(payout.member_id)
        _refuse_if_at_iris(payout)
        move_payout(payout, PayoutStatus.PAID, paid_at=utcnow(), transfer_reference=reference)
        post_payout_paid(payout, actor.id, memo=f"payout {payout.id} paid: {reference}")
        record_audit(
            actor, coop, "payout.paid", payout, {"amount": payout.amount, "reference": reference}
        )
        events.payout_decided(payout, "payout_paid")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s paid, reference %s", payout.id, reference)


def resend_payout(payout: Payout, actor: User) -> SubmitResult:
    """An admin sends an approved payout through the payout API (Midtrans Iris) again, after
    an attempt it did not take left the payout for a hand transfer. Its money is in transit
    already, so nothing is posted; the attempt is counted (a fresh payout at Iris, not the
    withdrawn one) and audited, then the adapter submits it as an approval does. Raises
    PayoutNotAllowed when payouts are transferred by hand here, PayoutRefused unless the
    payout is approved and not held by Iris."""
    if not transfers_automatically():
        raise PayoutNotAllowed(_("Payouts of this cooperative are transferred by hand."))
    adapter = payout_adapter()
    try:
        coop = _require_admin(actor, payout.cooperative_id)
        counted = db.session.execute(
            update(Payout)
            .where(
                Payout.id == payout.id,
                Payout.status == PayoutStatus.APPROVED,
                Payout.iris_reference.is_(None),
            )
            .values(iris_attempt=Payout.iris_attempt + 1)
            .execution_options(synchronize_session=False)
        )
        if counted.rowcount != 1:
            raise PayoutRefused(
                _(
                    "Only an approved payout that Midtrans Iris does not hold can be sent "
                    "through Iris again."
                )
            )
        db.session.refresh(payout)
        details = {"amount": payout.amount, "attempt": payout.iris_attempt}
        record_audit(actor, coop, "payout.resent", payout, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s sent through the API again by user %s", payout.id, actor.id)
    return adapter.submit(payout)


def reject_payout(payout: Payout, reason: str, actor: User) -> None:
    """An admin rejects a payout, saying why. A requested one moved no money, so nothing is
    posted; an approved one returns its amount to the member's available balance. Raises
    PayoutNotAllowed, PayoutRefused without a reason, InvalidTransition once paid or rejected."""
    reason = (reason or "").strip()
    try:
        coop = _require_admin(actor, payout.cooperative_id)
        if not reason or len(reason) > REASON_MAX:
            raise PayoutRefused(
                _("Say why, in at most %(max)d characters: the member reads it.", max=REASON_MAX),
                field="reason",
            )
        lock_membership(payout.member_id)
        _refuse_if_at_iris(payout)
        source = move_payout(
            payout,
            PayoutStatus.REJECTED,
            # One waiting in a batch leaves it first (its preparer removes it, or a cancel).
            or_(Payout.status != PayoutStatus.REQUESTED, Payout.batch_id.is_(None)),
            rejected_at=utcnow(),
            rejection_reason=reason,
            decided_by_id=actor.id,
        )
        if source == PayoutStatus.APPROVED:
            post_payout_rejected(payout, actor.id, memo=f"payout {payout.id} rejected")
        record_audit(
            actor,
            coop,
            "payout.rejected",
            payout,
            {"amount": payout.amount, "was": source.value, "reason": reason},
        )
        events.payout_decided(payout, "payout_rejected")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s rejected (was %s)", payout.id, source)


def _refuse_if_at_iris(payout: Payout) -> None:
    """An approved payout sent to Midtrans Iris is settled by Iris's notifications
    (shop/payouts/iris_webhook.py), never by hand: that could pay the member twice."""
    at_iris = db.session.scalar(
        select(Payout.iris_reference).where(
            Payout.id == payout.id, Payout.status == PayoutStatus.APPROVED
        )
    )
    if at_iris:
        raise PayoutRefused(
            _(
                "Midtrans Iris is transferring this payout (reference %(reference)s): it is "
                "marked paid, or rejected, when Iris reports the result.",
                reference=at_iris,
            )
        )


def _approval_postings(payout: Payout, member: Membership) -> list:
    """The amount leaves available for payouts in transit; the simpanan wajib the member
    agreed to have deducted leaves it for their simpanan wajib, in the same entry (the
    ledger check expects one approval entry per payout). A rejection later returns only the
    amount: the wajib is paid, as the member agreed."""
    postings = [
        debit(Account.MEMBER_AVAILABLE, payout.amount + payout.wajib_deduction, member.id),
        credit(Account.PAYOUTS_IN_TRANSIT, payout.amount),
    ]
    if payout.wajib_deduction:
        postings.append(credit(Account.SIMPANAN_WAJIB, payout.wajib_deduction, member.id))
    return postings


def _check_not_held(member: Membership) -> None:
    """A refund made at Midtrans not yet allocated to lines may take from this member's
    earnings: nothing is paid out until an admin says which lines it was for."""
    if is_held(member.cooperative_id, member.id):
        raise PayoutRefused(
            _(
                "A refund made at Midtrans on one of this member's orders is not allocated "
                "to its items yet. Payouts wait until an admin allocates it."
            )
        )


def lock_membership(membership_id: int) -> Membership:
    """The membership row, locked until commit: what serialises everything that reads a
    member's available balance in order to take from it (SQLite ignores FOR UPDATE)."""
    return db.session.execute(
        select(Membership)
        .where(Membership.id == membership_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _require_admin(actor: User, cooperative_id: int) -> Cooperative:
    coop = db.session.get(Cooperative, cooperative_id)
    membership = find_membership(actor, coop)
    if membership is None or not membership.is_admin:
        raise PayoutNotAllowed(_("Only an admin of this cooperative can decide on its payouts."))
    return coop


def _available(member: Membership) -> int:
    return balance(member.cooperative_id, Account.MEMBER_AVAILABLE, member.id)


def _requested(member: Membership) -> int:
    """What the member's payouts still waiting for approval add up to, with the simpanan
    wajib to be deducted with them."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Payout.amount + Payout.wajib_deduction), 0)).where(
                Payout.member_id == member.id, Payout.status == PayoutStatus.REQUESTED
            )
        )
    )


def move_payout(payout: Payout, target: PayoutStatus, *conditions, **values) -> PayoutStatus:
    """Move the payout to `target` from the status it has now, by a conditional UPDATE (so a
    decision made meanwhile by another admin makes this one fail) that also holds the
    caller's `conditions` (its batch); returns that status."""
    source, batch_id = db.session.execute(
        select(Payout.status, Payout.batch_id).where(Payout.id == payout.id)
    ).one()
    if target not in ALLOWED_MOVES.get(source, ()):
        raise InvalidTransition(_cannot_move(source))
    moved = db.session.execute(
        update(Payout)
        .where(Payout.id == payout.id, Payout.status == source, *conditions)
        .values(status=target, **values)
    ).rowcount
    if moved != 1:
        if source == PayoutStatus.REQUESTED and batch_id is not None:
            raise InvalidTransition(
                _("This payout waits in a batch: it is approved, or taken out, there.")
            )
        raise InvalidTransition(_("Someone else decided on this payout just now; reload."))
    return source


def _cannot_move(source: PayoutStatus) -> str:
    return {
        PayoutStatus.REQUESTED: _("Approve this payout before recording its transfer."),
        PayoutStatus.APPROVED: _("This payout has been approved already."),
        PayoutStatus.PAID: _("This payout has been paid already."),
        PayoutStatus.REJECTED: _("This payout has been rejected already."),
        PayoutStatus.RETURNED: _("This payout came back from the bank already."),
    }[source]


def post_payout_paid(payout: Payout, actor_id: int | None, memo: str) -> None:
    """The transfer left the cooperative's bank: payouts in transit -> bank (once a payout)."""
    add_entry(
        f"payout-paid:{payout.id}",
        EntryKind.PAYOUT_PAID,
        payout.cooperative_id,
        [debit(Account.PAYOUTS_IN_TRANSIT, payout.amount), credit(Account.BANK, payout.amount)],
        payout_id=payout.id,
        actor_id=actor_id,
        memo=memo,
    )


def post_payout_rejected(payout: Payout, actor_id: int | None, memo: str) -> None:
    """An approved payout not transferred: its amount goes back to the member's available
    balance (a deducted simpanan wajib stays paid, as the member agreed)."""
    add_entry(
        f"payout-rejected:{payout.id}",
        EntryKind.PAYOUT_REJECTED,
        payout.cooperative_id,
        [
            debit(Account.PAYOUTS_IN_TRANSIT, payout.amount),
            credit(Account.MEMBER_AVAILABLE, payout.amount, payout.member_id),
        ],
        payout_id=payout.id,
        actor_id=actor_id,
        memo=memo,
    )
