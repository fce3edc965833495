"""A payout tells the admins when it is asked for, and the member at each decision."""

from sqlalchemy import select

from shop.coops.models import Role
from shop.extensions import db
from shop.notifications.models import Notification
from shop.payouts.services import approve_payout, mark_payout_paid, reject_payout, request_payout
from tests.factories import make_membership


def kinds_of(user) -> list[str]:
    query = select(Notification.kind).where(Notification.recipient_id == user.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_payout_tells_the_admin_when_asked_and_the_member_at_each_decision(earned, outbox):
    rejected = request_payout(earned.siti, 50_000, earned.siti_user)
    assert kinds_of(earned.admin)[-1] == "admin_payout_requested"
    reject_payout(rejected, "Rekening tidak cocok", earned.admin)
    approved = request_payout(earned.siti, 50_000, earned.siti_user)
    approve_payout(approved, earned.admin)
    mark_payout_paid(approved, "TRF-2026-001", earned.admin)

    assert [k for k in kinds_of(earned.siti_user) if k.startswith("payout")] == [
        "payout_rejected", "payout_approved", "payout_paid",
    ]  # fmt: skip
    assert kinds_of(earned.admin).count("admin_payout_requested") == 2
    mine = [m for m in outbox if m.to == earned.siti_user.email]
    paid_mail = next(m for m in mine if "ditransfer" in m.subject)
    assert paid_mail.subject == "Pencairan dana Rp 50.000 Anda sudah ditransfer"
    assert "Nomor referensi transfer: TRF-2026-001" in paid_mail.body
    rejected_mail = next(m for m in mine if "ditolak" in m.subject)
    assert "Alasan: Rekening tidak cocok" in rejected_mail.body


def test_an_accepted_invitation_tells_the_admins(tani):
    from shop.coops.models import Role
    from shop.coops.services import accept_invitation, invite_member

    _invitation, link = invite_member(tani.coop, "baru@example.com", Role.MEMBER, tani.admin)
    accept_invitation(link.rsplit("/", 1)[-1], None, "Bu Baru", "rahasia-panjang-1")

    assert kinds_of(tani.admin)[-1] == "admin_invitation_accepted"


def test_a_prepared_batch_tells_the_other_admins_and_links_to_it(requested, app):
    from flask import url_for
    from flask_babel import force_locale

    from shop.notifications.kinds import KINDS
    from shop.payouts.batches import prepare_batch

    third = make_membership(coop=requested.coop, role=Role.ADMIN).user
    before = kinds_of(requested.bendahara)
    batch = prepare_batch(
        requested.coop,
        [requested.siti_payout.id, requested.budi_payout.id],
        requested.bendahara,
    )

    for admin in (requested.admin, third):  # every other admin, to approve it
        assert kinds_of(admin)[-1] == "admin_payout_batch_prepared"
    assert kinds_of(requested.bendahara) == before  # not the one who prepared it
    note = db.session.scalar(
        select(Notification).where(
            Notification.recipient_id == requested.admin.id,
            Notification.kind == "admin_payout_batch_prepared",
        )
    )
    with force_locale("en"):
        message = KINDS[note.kind].render(note.params)
    assert message.title == (
        "Bu Bendahara prepared a batch of 2 payouts, Rp 150.000, for your approval"
    )
    with app.test_request_context():
        link = url_for(message.endpoint, **message.values)
    assert link == f"/koperasi/{requested.coop.slug}/kelola/pencairan/batch/{batch.id}"
