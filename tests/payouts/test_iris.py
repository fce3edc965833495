"""Payouts through Midtrans Iris, against the built-in Iris simulator over real HTTP.

The simulator runs on a live server (tests/payments/conftest.py simulator_app); the app under
test calls it with the iris adapter (shop/payouts/iris.py). The simulator's signed
notifications go to a receiver here, which keeps their raw bytes and Iris-Signature, and the
test hands them to the app's notification URL as Iris would, in the order it chooses.
"""

import json
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import EntryKind, Payout, PayoutStatus
from shop.notifications.models import Notification
from shop.payouts.iris import (
    IrisClient,
    IrisPayouts,
    IrisPayoutStatus,
    IrisRejected,
    IrisUnavailable,
    idempotency_key,
)
from shop.payouts.iris_webhook import apply_iris_status, iris_signature
from shop.payouts.models import IrisNotification
from shop.payouts.services import (
    PayoutRefused,
    approve_payout,
    mark_payout_paid,
    request_payout,
)
from shop.reports.period import Period
from shop.reports.queries import member_report
from shop.timeutil import utcnow
from tests.payouts.conftest import (
    AMOUNT,
    NOTIFICATION_URL,
    available,
    entry_count,
    entry_kinds,
    in_transit,
    notify,
    reloaded,
)


def paid_out(coop) -> int:
    today = utcnow().date()
    period = Period(today - timedelta(days=1), today + timedelta(days=1))
    return member_report(coop.id, period).totals.paid_out


# The acceptance path -----------------------------------------------------------------------


def test_an_iris_payout_completed_then_failed_gives_the_member_their_money_back(
    sent, earned, iris, client
):
    reference = sent.iris_reference
    assert iris.client().payout_status(reference).status == "approved"  # by the approver key
    assert available(earned.siti) == 95_000 - AMOUNT
    assert in_transit(earned.coop) == AMOUNT

    assert notify(client, iris.move(reference, "processed")).status_code == 200
    assert reloaded(sent).status == PayoutStatus.APPROVED  # nothing to do yet

    response = notify(client, iris.move(reference, "completed"))
    assert response.status_code == 200 and response.json["status"] == "paid"
    paid = reloaded(sent)
    assert paid.status == PayoutStatus.PAID
    assert paid.transfer_reference == reference
    assert paid_out(earned.coop) == AMOUNT
    assert in_transit(earned.coop) == 0
    assert available(earned.siti) == 95_000 - AMOUNT

    response = notify(client, iris.move(reference, "failed"))  # the bank sent it back
    assert response.json["status"] == "returned"
    returned = reloaded(sent)
    assert returned.status == PayoutStatus.RETURNED
    assert returned.returned_at is not None
    assert available(earned.siti) == 95_000
    assert entry_kinds(sent) == [
        EntryKind.PAYOUT_APPROVED,
        EntryKind.PAYOUT_PAID,
        EntryKind.PAYOUT_RETURNED,
    ]
    assert check_ledger() == []
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == sent.id)
    ).all()
    assert "payout.returned" in actions
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert "payout_returned" in kinds and "admin_payout_returned" in kinds
    assert paid_out(earned.coop) == 0  # the members' report nets it: nothing paid out in the end


def test_a_payout_that_fails_before_completing_goes_back_to_available(sent, earned, iris, client):
    response = notify(client, iris.move(sent.iris_reference, "failed"))

    assert response.json["status"] == "rejected"
    rejected = reloaded(sent)
    assert rejected.status == PayoutStatus.REJECTED
    assert "Iris" in rejected.rejection_reason
    assert available(earned.siti) == 95_000
    assert in_transit(earned.coop) == 0


def test_the_member_may_ask_again_for_returned_money(sent, earned, iris, client):
    notify(client, iris.move(sent.iris_reference, "completed"))
    notify(client, iris.move(sent.iris_reference, "failed"))

    again = request_payout(earned.siti, 95_000, earned.siti_user)

    assert again.amount == 95_000


# Notifications: checked, re-fetched, idempotent --------------------------------------------


def test_a_bad_signature_is_refused_and_changes_nothing(sent, iris, client):
    raw, signature = iris.move(sent.iris_reference, "completed")
    before = entry_count()

    wrong_key = iris_signature(raw, "not-the-merchant-key")
    tampered = raw.replace(b'"completed"', b'"failed"')
    for notification in [(raw, wrong_key), (tampered, signature), (raw, ""), (raw, "x" * 128)]:
        assert notify(client, notification).status_code == 403
    missing_header = client.post(NOTIFICATION_URL, data=raw)
    assert missing_header.status_code == 403

    assert reloaded(sent).status == PayoutStatus.APPROVED
    assert entry_count() == before


def test_duplicate_notifications_are_harmless(sent, earned, iris, client):
    completed = iris.move(sent.iris_reference, "completed")

    answers = [notify(client, completed).json["status"] for _ in range(3)]

    assert answers == ["paid", "unchanged", "unchanged"]
    assert entry_kinds(sent) == [EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_PAID]
    assert available(earned.siti) == 95_000 - AMOUNT


def test_notifications_out_of_order_end_where_iris_is(sent, earned, iris, client):
    reference = sent.iris_reference
    processed = iris.move(reference, "processed")
    completed = iris.move(reference, "completed")
    failed = iris.move(reference, "failed")

    # The last arrives first: Iris says failed, so the money goes back to the member...
    assert notify(client, failed).json["status"] == "rejected"
    # ...and the late ones, re-fetched, say failed too: nothing more happens.
    assert notify(client, completed).json["status"] == "unchanged"
    assert notify(client, processed).json["status"] == "unchanged"
    assert reloaded(sent).status == PayoutStatus.REJECTED
    assert available(earned.siti) == 95_000
    assert in_transit(earned.coop) == 0


def test_a_notification_is_not_believed_without_asking_iris(sent, iris, client, app):
    """Correctly signed (a leaked key, a replay), it says completed; Iris says approved."""
    body = json.dumps({"reference_no": sent.iris_reference, "status": "completed"}).encode()
    forged = (body, iris_signature(body, app.config["IRIS_MERCHANT_KEY"]))

    response = notify(client, forged)

    assert response.status_code == 200 and response.json["status"] == "unchanged"
    assert reloaded(sent).status == PayoutStatus.APPROVED


def test_a_notification_for_an_unknown_payout_is_answered_404_so_iris_retries(iris, client, app):
    body = json.dumps({"reference_no": "nobody-knows", "status": "completed"}).encode()

    response = notify(client, (body, iris_signature(body, app.config["IRIS_MERCHANT_KEY"])))

    assert response.status_code == 404


def test_the_notification_url_needs_no_csrf_token(sent, iris, client, csrf_on):
    response = notify(client, iris.move(sent.iris_reference, "completed"))

    assert response.status_code == 200


# Creating and approving at Iris ------------------------------------------------------------


def test_iris_creates_a_payout_once_per_idempotency_key(iris):
    client = iris.client()
    key = f"test-{time.monotonic_ns()}"

    first = client.create_payout(key, "Siti Aminah", "0123456789", "bri", 50_000, "test")
    again = client.create_payout(key, "Siti Aminah", "0123456789", "bri", 50_000, "test")
    other = client.create_payout(key + "-2", "Siti Aminah", "0123456789", "bri", 50_000, "t")

    assert first == again != other
    assert client.payout_status(first).status == "queued"
    assert client.payout_status(first).amount == 50_000


def test_the_simulator_refuses_a_wrong_key_and_approval_with_the_creator_key(iris):
    reference = iris.client().create_payout(
        f"keys-{time.monotonic_ns()}", "Siti", "0123456789", "bri", 10_000, ""
    )

    with pytest.raises(IrisRejected) as wrong_key:
        iris.client(creator_key="IRIS-wrong-key").payout_status(reference)
    assert wrong_key.value.http_status == 401
    with pytest.raises(IrisRejected) as creator_approves:
        iris.client(approver_key=iris.config["IRIS_CREATOR_KEY"]).approve([reference])
    assert creator_approves.value.http_status == 403
    assert iris.client().payout_status(reference).status == "queued"

    iris.client().approve([reference])
    assert iris.client().payout_status(reference).status == "approved"


def test_the_simulator_reports_its_balance(iris):
    assert iris.client().balance() > 0


def test_an_unreachable_iris_leaves_the_payout_approved_for_a_manual_transfer(
    earned, iris, app, monkeypatch
):
    monkeypatch.setitem(app.config, "IRIS_BASE_URL", "http://127.0.0.1:9/iris/api/v1")
    monkeypatch.setitem(app.config, "IRIS_TIMEOUT_SECONDS", (0.5, 0.5))
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)

    result = approve_payout(payout, earned.admin)

    assert result.needs_manual_transfer
    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert reloaded(payout).iris_reference is None
    with pytest.raises(IrisUnavailable):
        IrisClient("http://127.0.0.1:9", "a", "b", (0.5, 0.5), trust_env=False).balance()


def test_the_admin_sees_that_iris_transfers_it(earned, iris, client, login, english):
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    login(earned.admin)

    response = client.post(
        f"/koperasi/{earned.coop.slug}/kelola/pencairan",
        data={"payout": payout.id, "action": "approve"},
        follow_redirects=True,
    )

    assert "Midtrans Iris is transferring it" in response.get_data(as_text=True)
    assert reloaded(payout).iris_reference is not None


# The member's bank account -----------------------------------------------------------------


def profile(client, coop, bank: str, number: str, holder: str = "Siti Aminah"):
    return client.post(
        f"/koperasi/{coop.slug}/anggota/profil",
        data={"bank_name": bank, "bank_account_number": number, "bank_account_holder": holder},
        follow_redirects=True,
    )


def saved_account(membership: Membership) -> str:
    return db.session.scalar(
        select(Membership.bank_account_number).where(Membership.id == membership.id)
    )


def test_an_account_iris_says_does_not_exist_is_refused(tani, iris, client, login, english):
    login(tani.siti_user)

    response = profile(client, tani.coop, "BCA", "0001234567")

    assert "the bank says this account does not exist" in response.get_data(as_text=True).lower()
    assert saved_account(tani.siti) == "0123456789"


def test_a_bank_iris_does_not_pay_to_is_refused(tani, iris, client, login, english):
    login(tani.siti_user)

    response = profile(client, tani.coop, "Bank Jago", "1234567890")

    assert "does not transfer to this bank" in response.get_data(as_text=True)
    assert saved_account(tani.siti) == "0123456789"


def test_a_valid_account_is_saved_with_the_holder_name_iris_gives(
    tani, iris, client, login, english
):
    login(tani.siti_user)

    response = profile(client, tani.coop, "BCA", "1234567890")

    html = response.get_data(as_text=True)
    assert "The bank says this account belongs to SIMULATOR BCA 7890." in html
    assert saved_account(tani.siti) == "1234567890"


def test_the_manual_adapter_checks_no_account(tani, client, login, english):
    login(tani.siti_user)

    profile(client, tani.coop, "Lainnya", "0001234567")

    assert saved_account(tani.siti) == "0001234567"


def test_an_admin_cannot_settle_by_hand_a_payout_iris_is_transferring(sent, earned, iris):
    from shop.payouts.services import PayoutRefused, mark_payout_paid, reject_payout

    with pytest.raises(PayoutRefused):
        mark_payout_paid(sent, "BRI-123456", earned.admin)
    with pytest.raises(PayoutRefused):
        reject_payout(sent, "Salah rekening", earned.admin)

    assert reloaded(sent).status == PayoutStatus.APPROVED
    assert in_transit(earned.coop) == AMOUNT


def test_the_review_page_shows_iris_at_work_instead_of_the_transfer_form(
    sent, earned, client, login, english
):
    login(earned.admin)

    html = client.get(f"/koperasi/{earned.coop.slug}/kelola/pencairan").get_data(as_text=True)

    assert f"Midtrans Iris is transferring it (reference {sent.iris_reference})" in html
    assert 'name="transfer_reference"' not in html


def test_production_wants_the_iris_keys_with_the_iris_adapter():
    from config import ProductionConfig

    settings = {
        "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": "postgresql://db/pasar",
        "MIDTRANS_SERVER_KEY": "Mid-server-live",
        "REDIS_URL": "redis://cache",
        "PAYOUT_ADAPTER": "iris",
        "IRIS_CREATOR_KEY": "creator",
    }
    with pytest.raises(RuntimeError, match="IRIS_APPROVER_KEY, IRIS_MERCHANT_KEY"):
        ProductionConfig.check(settings)
    ProductionConfig.check({**settings, "IRIS_APPROVER_KEY": "a", "IRIS_MERCHANT_KEY": "m"})


def test_the_iris_simulator_and_its_table_exist_only_while_it_is_on(tmp_path):
    from config import TestConfig
    from shop import create_app
    from shop.payments.simulator.store import sim_iris_payouts
    from tests.payments.test_simulator_store import table_names

    on_app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'on.db'}")
    off_app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'off.db'}",
        IRIS_SIMULATOR_ENABLED=False,
        IRIS_CREATOR_KEY="real-creator-key",
    )

    assert sim_iris_payouts.name in table_names(on_app)
    assert sim_iris_payouts.name not in table_names(off_app)
    assert "iris_simulator.payouts_page" not in off_app.view_functions
    assert "iris.iris_notification" in off_app.view_functions


def test_create_and_approve_are_two_steps_for_a_batch_and_an_abandoned_one_is_rejected(
    earned, iris
):
    from shop.payouts.iris import IrisPayouts

    adapter = IrisPayouts(iris.client())
    first = request_payout(earned.siti, AMOUNT, earned.siti_user)

    references = adapter.create([first])  # prepared: at Iris, queued, no money moved here
    assert reloaded(first).iris_reference == references[0]
    assert reloaded(first).status == PayoutStatus.REQUESTED
    assert adapter.create([reloaded(first)]) == references  # again: nothing new
    assert iris.client().payout_status(references[0]).status == "queued"

    adapter.reject([reloaded(first)], "Batch dibatalkan")
    assert iris.client().payout_status(references[0]).status == "rejected"


def test_the_simulator_takes_beneficiaries_with_the_creator_key_only(iris):
    beneficiary = {"name": "Siti", "account": "0123456789", "bank": "bri", "alias_name": "siti"}
    url = iris.simulator_url + "/simulator/iris/api/v1/beneficiaries"
    session = requests.Session()
    session.trust_env = False

    created = session.post(url, json=beneficiary, auth=(iris.config["IRIS_CREATOR_KEY"], ""))
    by_approver = session.post(url, json=beneficiary, auth=(iris.config["IRIS_APPROVER_KEY"], ""))

    assert created.status_code == 201
    assert by_approver.status_code == 403


# Maker-checker batches: Iris's two keys follow the batch's two admins ------------------------


def iris_status(iris, payout: Payout) -> str:
    return iris.client().payout_status(reloaded(payout).iris_reference).status


def test_a_batch_is_created_at_iris_when_prepared_approved_there_when_approved_then_paid(
    requested, iris, client
):
    from shop.payouts.batches import approve_batch, prepare_batch

    payouts = [requested.siti_payout, requested.budi_payout]
    batch = prepare_batch(requested.coop, [p.id for p in payouts], requested.bendahara)

    for payout in payouts:  # at Iris by the creator key, queued; nothing moved here
        assert reloaded(payout).status == PayoutStatus.REQUESTED
        assert iris_status(iris, payout) == "queued"
    assert in_transit(requested.coop) == 0

    results = approve_batch(batch, requested.admin)  # the second admin: the approver key

    assert [result.needs_manual_transfer for result in results] == [False, False]
    for payout in payouts:
        assert reloaded(payout).status == PayoutStatus.APPROVED
        assert iris_status(iris, payout) == "approved"
    assert in_transit(requested.coop) == 150_000

    for payout in payouts:
        response = notify(client, iris.move(reloaded(payout).iris_reference, "completed"))
        assert response.json["status"] == "paid"
        assert reloaded(payout).status == PayoutStatus.PAID
    assert in_transit(requested.coop) == 0
    assert check_ledger() == []


def test_a_cancelled_batch_is_rejected_at_iris_and_a_new_batch_creates_it_afresh(requested, iris):
    from shop.payouts.batches import approve_batch, cancel_batch, prepare_batch

    siti = requested.siti_payout
    first = prepare_batch(requested.coop, [siti.id], requested.bendahara)
    abandoned = reloaded(siti).iris_reference

    cancel_batch(first, requested.admin)

    assert iris.client().payout_status(abandoned).status == "rejected"
    assert reloaded(siti).iris_reference is None
    assert reloaded(siti).status == PayoutStatus.REQUESTED

    second = prepare_batch(requested.coop, [siti.id], requested.bendahara)
    assert reloaded(siti).iris_reference not in (None, abandoned)
    [result] = approve_batch(second, requested.admin)
    assert not result.needs_manual_transfer
    assert iris_status(iris, siti) == "approved"


def test_a_payout_taken_out_of_a_batch_is_rejected_at_iris(requested, iris):
    from shop.payouts.batches import prepare_batch, remove_from_batch

    payouts = [requested.siti_payout, requested.budi_payout]
    batch = prepare_batch(requested.coop, [p.id for p in payouts], requested.bendahara)
    taken_out = reloaded(requested.budi_payout).iris_reference

    remove_from_batch(batch, reloaded(requested.budi_payout), requested.bendahara)

    assert iris.client().payout_status(taken_out).status == "rejected"
    assert reloaded(requested.budi_payout).iris_reference is None
    assert iris_status(iris, requested.siti_payout) == "queued"


def test_a_batch_iris_could_not_take_when_prepared_is_created_there_on_approval(
    requested, iris, monkeypatch
):
    from shop.payouts.batches import approve_batch, prepare_batch

    monkeypatch.setitem(iris.config, "IRIS_BASE_URL", "http://127.0.0.1:9/iris/api/v1")
    batch = prepare_batch(requested.coop, [requested.siti_payout.id], requested.bendahara)
    assert reloaded(requested.siti_payout).iris_reference is None  # Iris was unreachable
    monkeypatch.setitem(iris.config, "IRIS_BASE_URL", iris.simulator_url + "/simulator/iris/api/v1")

    [result] = approve_batch(batch, requested.admin)

    assert not result.needs_manual_transfer
    assert iris_status(iris, requested.siti_payout) == "approved"


def test_the_manual_adapter_does_nothing_until_a_batch_is_approved(requested):
    from shop.payouts.batches import approve_batch, prepare_batch

    batch = prepare_batch(requested.coop, [requested.siti_payout.id], requested.bendahara)
    assert reloaded(requested.siti_payout).iris_reference is None

    [result] = approve_batch(batch, requested.admin)

    assert result.needs_manual_transfer
    assert reloaded(requested.siti_payout).iris_reference is None


def test_a_payout_settled_by_hand_while_iris_created_it_is_withdrawn_there(
    earned, iris, app, monkeypatch
):
    """The race: our approval committed, then an admin recorded a transfer by hand before the
    adapter stored Iris's reference. Iris must not send it too."""
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "manual")
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    approve_payout(payout, earned.admin)
    stale = reloaded(payout)  # what the adapter read before the admin's click
    mark_payout_paid(reloaded(payout), "BRI-TRF-123", earned.admin)
    key = idempotency_key(stale)

    with pytest.raises(IrisRejected):
        IrisPayouts()._create_one(stale)

    assert reloaded(payout).status == PayoutStatus.PAID
    assert reloaded(payout).iris_reference is None
    reference = iris.client().create_payout(key, "x", "0123456789", "bri", AMOUNT, "x")
    assert iris.client().payout_status(reference).status == "rejected"
    assert check_ledger() == []


def test_a_payout_iris_created_but_could_not_approve_is_withdrawn_there_for_a_hand_transfer(
    earned, iris, monkeypatch
):
    def approval_lost(self, reference_nos, otp=""):
        raise IrisUnavailable("Midtrans Iris cannot be reached just now.", "test")

    monkeypatch.setattr(IrisClient, "approve", approval_lost)
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    key = idempotency_key(reloaded(payout))

    result = approve_payout(payout, earned.admin)

    assert result.needs_manual_transfer
    assert reloaded(payout).iris_reference is None
    withdrawn = iris.client().create_payout(key, "x", "0123456789", "bri", AMOUNT, "x")
    assert iris.client().payout_status(withdrawn).status == "rejected"
    mark_payout_paid(reloaded(payout), "BRI-TRF-456", earned.admin)  # now the admin's to pay
    assert reloaded(payout).status == PayoutStatus.PAID
    assert check_ledger() == []


def test_a_payout_iris_keeps_is_left_to_iris_and_never_offered_for_a_hand_transfer(
    earned, iris, app, monkeypatch
):
    """Approval and withdrawal both refused (the approver key is wrong): Iris may still hold
    the payout, so its notifications settle it, not the admin."""
    monkeypatch.setitem(app.config, "IRIS_APPROVER_KEY", "kunci-salah")
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)

    result = approve_payout(payout, earned.admin)

    assert not result.needs_manual_transfer
    assert reloaded(payout).iris_reference == result.reference != ""
    with pytest.raises(PayoutRefused):
        mark_payout_paid(reloaded(payout), "BRI-TRF-789", earned.admin)


def test_every_notification_is_stored_with_what_came_of_it(sent, iris, client, app):
    completed = iris.move(sent.iris_reference, "completed")
    wrong = (completed[0], iris_signature(completed[0], "not-the-merchant-key"))
    huge = b'{"reference_no": "' + b"x" * 10_000 + b'"}'
    unknown = json.dumps({"reference_no": "nobody-knows", "status": "completed"}).encode()

    for notification in (completed, completed, wrong, (huge, "x" * 128)):
        notify(client, notification)
    notify(client, (unknown, iris_signature(unknown, app.config["IRIS_MERCHANT_KEY"])))

    rows = db.session.scalars(select(IrisNotification).order_by(IrisNotification.id)).all()
    assert [(r.outcome, r.http_status, r.signature_valid) for r in rows] == [
        ("paid", 200, True),
        ("unchanged", 200, True),
        ("bad_signature", 403, False),
        ("bad_signature", 403, False),
        ("unknown", 404, True),
    ]
    assert rows[0].raw_body == completed[0].decode()
    assert (rows[0].reference_no, rows[0].sent_status) == (sent.iris_reference, "completed")
    # A body nobody signed is kept cut short, with its size and digest.
    assert len(rows[3].raw_body) <= 4096 and rows[3].raw_body.endswith("]")
    assert "10020 bytes, sha256" in rows[3].raw_body


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"reference_no": "\\ud800"}', b"\xff\xfe"],
    ids=["deeply nested", "lone surrogate", "not UTF-8"],  # a NUL: shop/guards.py, 400
)
def test_a_hostile_unsigned_body_is_refused_and_stored_without_a_500(client, body):
    response = notify(client, (body, "x" * 128))

    assert response.status_code == 403
    [stored] = db.session.scalars(select(IrisNotification)).all()
    assert (stored.outcome, stored.signature_valid, stored.reference_no) == (
        "bad_signature",
        False,
        None,
    )


def test_a_status_for_another_amount_is_left_for_a_person(sent, earned):
    remote = IrisPayoutStatus(sent.iris_reference, "completed", AMOUNT + 1)

    assert apply_iris_status(sent, remote) == "amount_mismatch"
    assert reloaded(sent).status == PayoutStatus.APPROVED
    assert available(earned.siti) == 95_000 - AMOUNT


def test_no_transaction_is_open_while_iris_is_asked(sent, earned, iris, client, monkeypatch):
    """Iris may be slow: the handler must not keep a transaction (and its connection) open
    across the status call."""
    completed = iris.move(sent.iris_reference, "completed")
    seen = []
    ask = IrisClient.payout_status

    def watched(self, reference):
        seen.append(db.session().in_transaction())
        return ask(self, reference)

    monkeypatch.setattr(IrisClient, "payout_status", watched)

    assert notify(client, completed).json["status"] == "paid"
    assert seen == [False]
    assert reloaded(sent).status == PayoutStatus.PAID
