"""Maker-checker payouts: one admin prepares a batch of requested payouts, another approves it.

Preparing moves no money: the payouts stay requested, with their batch_id set, so no other
batch and no single decision can take them. Approving moves every payout's money exactly
once: the batch leaves "prepared" by one conditional UPDATE that also says "not by its
preparer" (of two admins clicking at once, or one clicking twice, one wins, the other is
told), then each payout is approved as a single approval would be, under its member's row
lock, taken in member id order so that two approvals never wait on each other. A batch can
be cancelled before it is approved: its payouts wait for approval again.

The payout adapter hears of a batch in three places only, on_batch_prepared,
on_batch_approved and on_batch_abandoned, each called after the commit (an API that fails
must not undo it). With Midtrans Iris, preparing creates the payouts at Iris with the creator
key, approving approves them there with the approver key, and a cancelled batch (or a payout
taken out of one) rejects them there.
"""

import logging

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.models import Cooperative, Membership
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.ledger.models import Payout, PayoutStatus
from shop.notifications import events
from shop.payouts.adapter import SubmitResult, payout_adapter
from shop.payouts.maker_checker import holder_matches, maker_checker_on
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.payouts.services import (
    PayoutNotAllowed,
    PayoutRefused,
    _require_admin,
    approve_locked,
    lock_membership,
)
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

ALLOWED_MOVES = {
    BatchStatus.PREPARED: (BatchStatus.APPROVED, BatchStatus.CANCELLED),
}


def prepare_batch(coop: Cooperative, payout_ids: list[int], actor: User) -> PayoutBatch:
    """An admin puts requested payouts of the cooperative in a new batch for another admin to
    approve. Raises PayoutNotAllowed for a non-admin or when the cooperative's payouts do not
    need two admins, PayoutRefused for no payout chosen, and InvalidTransition when one of
    them is no longer waiting on its own (decided, or put in a batch, meanwhile)."""
    ids = sorted(set(payout_ids))
    try:
        _require_admin(actor, coop.id)
        if not maker_checker_on(coop):
            raise PayoutNotAllowed(
                _("This cooperative's payouts are approved one by one: batches need two admins.")
            )
        if not ids:
            raise PayoutRefused(_("Choose at least one payout for the batch."), field="payouts")
        batch = PayoutBatch(cooperative_id=coop.id, prepared_by_id=actor.id)
        db.session.add(batch)
        db.session.flush()
        batched = db.session.execute(
            update(Payout)
            .where(
                Payout.id.in_(ids),
                Payout.cooperative_id == coop.id,
                Payout.status == PayoutStatus.REQUESTED,
                Payout.batch_id.is_(None),
            )
            .values(batch_id=batch.id)
        ).rowcount
        if batched != len(ids):
            raise InvalidTransition(
                _("Some of these payouts were decided or put in a batch just now; choose again.")
            )
        record_audit(actor, coop, "payout_batch.prepared", batch, _summary(batch))
        events.payout_batch_prepared(batch, payouts_in(batch), actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout batch %s prepared by user %s: %s", batch.id, actor.id, ids)
    on_batch_prepared(batch)
    return batch


def approve_batch(batch: PayoutBatch, actor: User) -> list[SubmitResult]:
    """A second admin approves a prepared batch: every payout in it is approved (its money
    moves from the member's available balance to payouts in transit), all or none, then the
    payout adapter starts the transfers. Raises PayoutNotAllowed for the admin who prepared
    it; PayoutRefused while a payout's bank account holder does not match its member, or a
    member's available balance no longer covers their payout; InvalidTransition once
    approved or cancelled (by another admin's click too)."""
    payout_adapter()  # a misconfigured adapter fails before anything is written
    try:
        coop = _require_admin(actor, batch.cooperative_id)
        if batch.prepared_by_id == actor.id:
            raise PayoutNotAllowed(
                _("You prepared this batch: another admin of the cooperative approves it.")
            )
        _move_batch(
            batch,
            BatchStatus.APPROVED,
            PayoutBatch.prepared_by_id != actor.id,
            approved_by_id=actor.id,
            approved_at=utcnow(),
        )
        payouts = payouts_in(batch)
        _check_holders(payouts)
        members = {
            member_id: lock_membership(member_id)
            for member_id in sorted({payout.member_id for payout in payouts})
        }
        for payout in payouts:
            member = members[payout.member_id]
            try:
                approve_locked(payout, member, actor, Payout.batch_id == batch.id)
            except PayoutRefused as error:
                raise PayoutRefused(f"{member.display_name}: {error.message}") from error
        record_audit(actor, coop, "payout_batch.approved", batch, _summary(batch))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout batch %s approved by user %s", batch.id, actor.id)
    return on_batch_approved(batch)


def cancel_batch(batch: PayoutBatch, actor: User) -> None:
    """An admin (its preparer, or the admin asked to approve it) cancels a prepared batch: its
    payouts wait for approval again, free for another batch. Raises PayoutNotAllowed and
    InvalidTransition once approved or cancelled."""
    try:
        coop = _require_admin(actor, batch.cooperative_id)
        details = _summary(batch)
        leaving = payouts_in(batch)
        _move_batch(batch, BatchStatus.CANCELLED, cancelled_by_id=actor.id, cancelled_at=utcnow())
        db.session.execute(
            update(Payout)
            .where(Payout.batch_id == batch.id, Payout.status == PayoutStatus.REQUESTED)
            .values(batch_id=None)
        )
        record_audit(actor, coop, "payout_batch.cancelled", batch, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout batch %s cancelled by user %s", batch.id, actor.id)
    on_batch_abandoned(leaving, f"Batch {batch.id} dibatalkan")


def remove_from_batch(batch: PayoutBatch, payout: Payout, actor: User) -> None:
    """The admin who prepared a batch takes one payout out of it (a bank account holder who
    does not match, a balance that no longer covers it); it waits for approval again. Raises
    PayoutNotAllowed for anyone else (the approving admin approves what was prepared, or
    cancels it), PayoutRefused for the last payout of a batch (cancel it instead), and
    InvalidTransition once the batch is approved or cancelled, or the payout is not in it."""
    try:
        coop = _require_admin(actor, batch.cooperative_id)
        if batch.prepared_by_id != actor.id:
            raise PayoutNotAllowed(_("Only the admin who prepared this batch can change it."))
        _lock_prepared(batch)
        if [p.id for p in payouts_in(batch)] == [payout.id]:
            raise PayoutRefused(_("This is the batch's last payout: cancel the batch instead."))
        removed = db.session.execute(
            update(Payout)
            .where(
                Payout.id == payout.id,
                Payout.batch_id == batch.id,
                Payout.status == PayoutStatus.REQUESTED,
            )
            .values(batch_id=None)
        ).rowcount
        if removed != 1:
            raise InvalidTransition(_("This payout is not in this batch any more; reload."))
        details = {"payout": payout.id, "amount": payout.amount, "member": payout.member_id}
        record_audit(actor, coop, "payout_batch.payout_removed", batch, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    on_batch_abandoned([payout], f"Dikeluarkan dari batch {batch.id}")


def on_batch_prepared(batch: PayoutBatch) -> None:
    """Where the payout adapter hears of a new batch (Iris creates its payouts here, queued).
    The manual transfer has nothing to do until the batch is approved."""
    payout_adapter().batch_prepared(payouts_in(batch))


def on_batch_approved(batch: PayoutBatch) -> list[SubmitResult]:
    """Where the payout adapter starts the transfers of an approved batch: one result per
    payout, in the batch's order."""
    return payout_adapter().batch_approved(payouts_in(batch))


def on_batch_abandoned(payouts: list[Payout], reason: str) -> None:
    """Where the payout adapter hears that payouts left a prepared batch unapproved (Iris
    rejects those it created)."""
    payout_adapter().batch_abandoned(payouts, reason)


def payouts_in(batch: PayoutBatch) -> list[Payout]:
    """The batch's payouts, by member then id (the order their members are locked in)."""
    return list(
        db.session.scalars(
            select(Payout)
            .where(Payout.batch_id == batch.id)
            .order_by(Payout.member_id, Payout.id)
            .execution_options(populate_existing=True)
        )
    )


def mismatched_holders(payouts: list[Payout]) -> list[Payout]:
    """The payouts whose bank account holder is not their member's name."""
    members = {
        member.id: member
        for member in db.session.scalars(
            select(Membership).where(Membership.id.in_({p.member_id for p in payouts}))
        )
    }
    return [p for p in payouts if not holder_matches(p.bank_account_holder, members[p.member_id])]


def _check_holders(payouts: list[Payout]) -> None:
    mismatched = mismatched_holders(payouts)
    if mismatched:
        raise PayoutRefused(
            ngettext(
                "The bank account holder of %(num)d payout does not match its member's name: "
                "the admin who prepared the batch takes it out first.",
                "The bank account holders of %(num)d payouts do not match their members' "
                "names: the admin who prepared the batch takes them out first.",
                len(mismatched),
            )
        )


def _move_batch(batch: PayoutBatch, target: BatchStatus, *conditions, **values) -> None:
    """Move the batch to `target` by a conditional UPDATE that holds `conditions` too, so
    that of two admins (or two clicks) only one moves it; the other is told why."""
    source = db.session.scalar(select(PayoutBatch.status).where(PayoutBatch.id == batch.id))
    if target not in ALLOWED_MOVES.get(source, ()):
        raise InvalidTransition(_cannot_move(source))
    moved = db.session.execute(
        update(PayoutBatch)
        .where(PayoutBatch.id == batch.id, PayoutBatch.status == source, *conditions)
        .values(status=target, **values)
    ).rowcount
    if moved != 1:
        raise InvalidTransition(_("Another admin decided on this batch just now; reload."))
    db.session.refresh(batch)


def _lock_prepared(batch: PayoutBatch) -> None:
    """Lock the batch row while it is prepared, so an approval waits for this change."""
    status = db.session.scalar(
        select(PayoutBatch.status).where(PayoutBatch.id == batch.id).with_for_update()
    )
    if status != BatchStatus.PREPARED:
        raise InvalidTransition(_cannot_move(status))


def _summary(batch: PayoutBatch) -> dict:
    payouts = payouts_in(batch)
    return {
        "payouts": [payout.id for payout in payouts],
        "count": len(payouts),
        "total": sum(payout.amount for payout in payouts),
    }


def _cannot_move(source: BatchStatus) -> str:
    return {
        BatchStatus.APPROVED: _("This batch has been approved already."),
        BatchStatus.CANCELLED: _("This batch has been cancelled."),
    }[source]
