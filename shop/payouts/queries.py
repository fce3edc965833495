"""What the payout pages show: a member's balances and payouts, a cooperative's queue."""

from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.ids import is_row_id
from shop.ledger.journal import balance
from shop.ledger.models import Account, Payout, PayoutStatus, Posting
from shop.payouts.maker_checker import holder_matches
from shop.payouts.models import PayoutBatch

OPEN_STATUSES = (PayoutStatus.REQUESTED, PayoutStatus.APPROVED)
DECIDED_SHOWN = 50  # the latest paid and rejected payouts on the admin's page


class PayoutSummary(NamedTuple):
    pending: int  # earned on orders not completed yet
    available: int  # the ledger's available balance (approved payouts already left it)
    requested: int  # payouts waiting for approval (and their wajib): promised, not moved yet
    paid_out: int  # transferred to the member's bank

    @property
    def requestable(self) -> int:
        """What the member may still ask for."""
        return max(self.available - self.requested, 0)


class ReviewRow(NamedTuple):
    payout: Payout
    member: Membership  # with .user loaded


def payout_summary(membership: Membership) -> PayoutSummary:
    coop_id, member_id = membership.cooperative_id, membership.id
    totals = dict(
        db.session.execute(
            select(Payout.status, func.sum(Payout.amount))
            .where(Payout.member_id == member_id)
            .group_by(Payout.status)
        ).all()
    )
    # The simpanan wajib a waiting payout will take with it is promised too.
    waiting_wajib = db.session.scalar(
        select(func.coalesce(func.sum(Payout.wajib_deduction), 0)).where(
            Payout.member_id == member_id, Payout.status == PayoutStatus.REQUESTED
        )
    )
    return PayoutSummary(
        pending=balance(coop_id, Account.MEMBER_PENDING, member_id),
        available=balance(coop_id, Account.MEMBER_AVAILABLE, member_id),
        requested=int(totals.get(PayoutStatus.REQUESTED, 0)) + int(waiting_wajib),
        paid_out=int(totals.get(PayoutStatus.PAID, 0)),
    )


def payouts_of(membership: Membership) -> list[Payout]:
    return list(
        db.session.scalars(
            select(Payout)
            .where(Payout.member_id == membership.id)
            .order_by(Payout.requested_at.desc(), Payout.id.desc())
        )
    )


def find_payout(coop: Cooperative, payout_id: int) -> Payout | None:
    """The payout, if it belongs to this cooperative."""
    if not is_row_id(payout_id):
        return None
    payout = db.session.get(Payout, payout_id)
    return payout if payout is not None and payout.cooperative_id == coop.id else None


class ReviewQueue(NamedTuple):
    requested: list[ReviewRow]  # oldest first: the order to handle them in
    approved: list[ReviewRow]  # to transfer, oldest first
    decided: list[ReviewRow]  # the latest paid and rejected, newest first


def review_queue(coop: Cooperative) -> ReviewQueue:
    """The cooperative's payouts for its admins: open ones by status, then the latest
    decided ones."""
    rows = _rows(coop, Payout.status.in_(OPEN_STATUSES), Payout.requested_at, Payout.id)
    return ReviewQueue(
        requested=[row for row in rows if row.payout.status == PayoutStatus.REQUESTED],
        approved=[row for row in rows if row.payout.status == PayoutStatus.APPROVED],
        decided=_rows(
            coop,
            Payout.status.not_in(OPEN_STATUSES),
            func.coalesce(Payout.paid_at, Payout.rejected_at).desc(),
            Payout.id.desc(),
            limit=DECIDED_SHOWN,
        ),
    )


def available_by_member(coop: Cooperative) -> dict[int, int]:
    """Each member's available balance in the cooperative, by membership id."""
    return {
        member_id: -int(total)  # credit-normal: what the member is owed is stored negative
        for member_id, total in db.session.execute(
            select(Posting.member_id, func.sum(Posting.amount))
            .where(Posting.cooperative_id == coop.id, Posting.account == Account.MEMBER_AVAILABLE)
            .group_by(Posting.member_id)
        )
    }


def _rows(coop: Cooperative, condition, *order_by, limit: int | None = None) -> list[ReviewRow]:
    statement = (
        select(Payout, Membership)
        .join(Membership, Membership.id == Payout.member_id)
        .options(joinedload(Membership.user))
        .where(Payout.cooperative_id == coop.id, condition)
        .order_by(*order_by)
        .limit(limit)
    )
    return [ReviewRow(payout, member) for payout, member in db.session.execute(statement)]


BATCHES_SHOWN = 50


class BatchPayoutRow(NamedTuple):
    payout: Payout
    member: Membership  # with .user loaded
    holder_matches: bool  # the bank account holder is the member (or their business)


class BatchRow(NamedTuple):
    batch: PayoutBatch
    count: int
    total: int
    prepared_by: User


class TrailRow(NamedTuple):
    entry: AuditEntry
    actor: User | None


def batch_list(coop: Cooperative) -> list[BatchRow]:
    """The cooperative's latest batches, newest first, with their payouts' count and total
    (a cancelled batch's payouts left it: 0)."""
    statement = (
        select(
            PayoutBatch,
            func.count(Payout.id),
            func.coalesce(func.sum(Payout.amount), 0),
            User,
        )
        .join(User, User.id == PayoutBatch.prepared_by_id)
        .outerjoin(Payout, Payout.batch_id == PayoutBatch.id)
        .where(PayoutBatch.cooperative_id == coop.id)
        .group_by(PayoutBatch.id, User.id)
        .order_by(PayoutBatch.id.desc())
        .limit(BATCHES_SHOWN)
    )
    return [BatchRow(batch, count, int(total), user) for batch, count, total, user in
            db.session.execute(statement)]  # fmt: skip


def batch_candidates(coop: Cooperative) -> list[BatchPayoutRow]:
    """Requested payouts in no batch, oldest first: what a new batch can take."""
    return _batch_rows(coop, Payout.status == PayoutStatus.REQUESTED, Payout.batch_id.is_(None))


def batch_payouts(batch: PayoutBatch) -> list[BatchPayoutRow]:
    coop = db.session.get(Cooperative, batch.cooperative_id)
    return _batch_rows(coop, Payout.batch_id == batch.id)


def batch_trail(batch: PayoutBatch) -> list[TrailRow]:
    """Who prepared, changed, approved or cancelled the batch, and when, oldest first."""
    statement = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.target_type == "PayoutBatch", AuditEntry.target_id == batch.id)
        .order_by(AuditEntry.id)
    )
    return [TrailRow(entry, actor) for entry, actor in db.session.execute(statement)]


def find_batch(coop: Cooperative, batch_id: int) -> PayoutBatch | None:
    """The batch, if it belongs to this cooperative."""
    if not is_row_id(batch_id):
        return None
    batch = db.session.get(PayoutBatch, batch_id)
    return batch if batch is not None and batch.cooperative_id == coop.id else None


def _batch_rows(coop: Cooperative, *conditions) -> list[BatchPayoutRow]:
    rows = _rows(coop, and_(*conditions), Payout.requested_at, Payout.id)
    return [
        BatchPayoutRow(row.payout, row.member, holder_matches(row.payout.bank_account_holder,
                                                              row.member))
        for row in rows
    ]  # fmt: skip
