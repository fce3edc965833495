"""Who held which role in a cooperative at a given moment, read back from the audit log.

A membership row says what someone is today. The audit log keeps every change the services
made since (shop/coops/membership_admin.py: "member.role_changed" with the role before and
after, "member.deactivated", "member.reactivated"; shop/coops/services.py: "member.rejoined",
a former member back by invitation, with the role before), so the role at an earlier moment is
today's with each later change undone, newest first. Checks of what happened in the past
(was this payout approved by an admin?) ask this rather than today's row: an admin who steps
down later did not make their earlier approvals wrong, and a member made admin later did not
make their earlier ones right.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.coops.models import Membership, Role
from shop.extensions import db

# The audited changes that move a membership's role or whether it is active.
ROLE_ACTIONS = (
    "member.role_changed",
    "member.deactivated",
    "member.reactivated",
    "member.rejoined",
)


@dataclass(frozen=True)
class _Change:
    at: datetime
    action: str
    details: dict


@dataclass(frozen=True)
class _Today:
    role: Role
    is_active: bool
    joined_at: datetime
    account_active: bool


class RoleHistory:
    """The memberships of one cooperative and their audited changes, read once (two queries),
    for any number of questions about past moments."""

    def __init__(self, cooperative_id: int):
        rows = db.session.execute(
            select(
                Membership.id,
                Membership.user_id,
                Membership.role,
                Membership.is_active,
                Membership.joined_at,
                User.is_active,
            )
            .join(User, User.id == Membership.user_id)
            .where(Membership.cooperative_id == cooperative_id)
        ).all()
        self._membership_of = {row[1]: row[0] for row in rows}
        self._today = {row[0]: _Today(row[2], row[3], row[4], row[5]) for row in rows}
        self._changes: dict[int, list[_Change]] = defaultdict(list)
        for target_id, at, action, details in db.session.execute(
            select(
                AuditEntry.target_id,
                AuditEntry.created_at,
                AuditEntry.action,
                AuditEntry.details,
            )
            .where(
                AuditEntry.cooperative_id == cooperative_id,
                AuditEntry.target_type == Membership.__name__,
                AuditEntry.action.in_(ROLE_ACTIONS),
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        ):
            self._changes[target_id].append(_Change(at, action, details or {}))

    def was_active_admin(self, user_id: int | None, at: datetime | None) -> bool:
        """Whether the user was an active admin of the cooperative at `at`. The user's account
        must be active today: accounts keep no history (no service closes one yet)."""
        membership_id = self._membership_of.get(user_id)
        if membership_id is None or at is None:
            return False
        today = self._today[membership_id]
        if not today.account_active or today.joined_at > at:
            return False
        role, is_active = today.role, today.is_active
        for change in self._changes[membership_id]:  # newest first
            if change.at <= at:
                break
            role, is_active = _undo(change, role, is_active)
        return role == Role.ADMIN and is_active


def _undo(change: _Change, role: Role, is_active: bool) -> tuple[Role, bool]:
    """The role and activity just before `change`."""
    if change.action == "member.deactivated":
        return role, True
    roles = change.details.get("role")  # [before, after], only when the role itself changed
    before = Role(roles[0]) if isinstance(roles, list) else role
    if change.action in ("member.reactivated", "member.rejoined"):
        return before, False
    return before, is_active
