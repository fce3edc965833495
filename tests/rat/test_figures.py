"""Who was a member at a year's end: from when they joined and the audit log's
deactivations and reactivations, not from how they are today."""

from datetime import UTC, datetime

from sqlalchemy import update

from shop.audit.models import AuditEntry
from shop.coops.membership_admin import deactivate_member, reactivate_member
from shop.coops.models import Membership, Role
from shop.extensions import db
from shop.rat.figures import members_at
from shop.rat.services import financial_year
from tests.factories import make_coop, make_membership

END_2025 = financial_year(2025).ends_at


def _at(membership, when: datetime, action: str | None = None) -> None:
    if action is None:
        values = {"joined_at": when}
        db.session.execute(update(Membership).where(Membership.id == membership.id).values(values))
    else:
        db.session.execute(
            update(AuditEntry)
            .where(AuditEntry.target_id == membership.id, AuditEntry.action == action)
            .values(created_at=when)
        )
    db.session.commit()


def test_a_year_end_sees_members_as_they_were_then():
    coop = make_coop()
    admin = make_membership(coop=coop, role=Role.ADMIN)
    stayed, left_later, left_before, came_back, joined_later = (
        make_membership(coop=coop) for _ in range(5)
    )
    for membership in (admin, stayed, left_later, left_before, came_back):
        _at(membership, datetime(2025, 6, 1, tzinfo=UTC))
    deactivate_member(left_later, admin.user)  # now, in 2026: active at the end of 2025
    deactivate_member(left_before, admin.user)
    _at(left_before, datetime(2025, 9, 1, tzinfo=UTC), "member.deactivated")
    deactivate_member(came_back, admin.user)
    _at(came_back, datetime(2025, 9, 1, tzinfo=UTC), "member.deactivated")
    reactivate_member(came_back, admin.user)
    _at(came_back, datetime(2025, 10, 1, tzinfo=UTC), "member.reactivated")

    at_end = {m.member_number: m.is_active for m in members_at(coop, END_2025)}

    assert at_end == {
        admin.member_number: True,
        stayed.member_number: True,
        left_later.member_number: True,
        left_before.member_number: False,
        came_back.member_number: True,
    }
    assert joined_later.member_number not in at_end
