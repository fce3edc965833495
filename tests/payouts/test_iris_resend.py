"""Sending a payout through Midtrans Iris again, after an attempt Iris did not take left it
for a hand transfer: against the built-in Iris simulator over real HTTP (test_iris.py's
fixtures). The money moved once, at the approval; a new attempt posts nothing, and Iris's
notification then settles it as usual."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import EntryKind, PayoutStatus
from shop.payouts.iris import IrisClient, IrisUnavailable
from shop.payouts.services import (
    PayoutNotAllowed,
    PayoutRefused,
    approve_payout,
    request_payout,
    resend_payout,
)
from tests.payouts.conftest import AMOUNT, available, entry_kinds, in_transit, notify, reloaded

REVIEW = "/koperasi/{slug}/kelola/pencairan"


@pytest.fixture
def left_for_hand(earned, iris, app, monkeypatch):
    """Approved while Iris was unreachable: in transit, no Iris reference."""
    monkeypatch.setitem(app.config, "IRIS_BASE_URL", "http://127.0.0.1:9/iris/api/v1")
    monkeypatch.setitem(app.config, "IRIS_TIMEOUT_SECONDS", (0.5, 0.5))
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    assert approve_payout(payout, earned.admin).needs_manual_transfer
    monkeypatch.setitem(app.config, "IRIS_BASE_URL", iris.simulator_url + "/simulator/iris/api/v1")
    return reloaded(payout)


def test_a_payout_iris_could_not_reach_is_sent_again_and_paid_once(
    left_for_hand, earned, iris, client
):
    result = resend_payout(left_for_hand, earned.admin)

    payout = reloaded(left_for_hand)
    assert not result.needs_manual_transfer
    assert payout.iris_reference == result.reference and payout.iris_attempt == 1
    assert notify(client, iris.move(payout.iris_reference, "completed")).json["status"] == "paid"
    assert reloaded(payout).status == PayoutStatus.PAID
    assert entry_kinds(payout) == [EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_PAID]
    assert available(earned.siti) == 95_000 - AMOUNT and in_transit(earned.coop) == 0
    assert check_ledger() == []
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payout.resent"))
    assert audit.details == {"amount": AMOUNT, "attempt": 1}


def test_a_payout_iris_created_then_withdrew_gets_a_fresh_one_there(earned, iris, app, monkeypatch):
    created = []
    create = IrisClient.create_payout

    def recorded(self, *args):
        created.append(create(self, *args))
        return created[-1]

    monkeypatch.setattr(IrisClient, "create_payout", recorded)

    # Iris takes the creation but its approval times out: the payout is withdrawn there.
    def times_out(self, references, otp=""):
        raise IrisUnavailable("timeout", "approve timed out")

    with monkeypatch.context() as during_the_approval:
        during_the_approval.setattr(IrisClient, "approve", times_out)
        payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
        assert approve_payout(payout, earned.admin).needs_manual_transfer
    [withdrawn] = created
    assert iris.client().payout_status(withdrawn).status == "rejected"
    assert reloaded(payout).iris_reference is None

    result = resend_payout(reloaded(payout), earned.admin)

    assert not result.needs_manual_transfer
    assert created == [withdrawn, result.reference] and result.reference != withdrawn
    assert iris.client().payout_status(result.reference).status == "approved"


def test_only_an_approved_payout_iris_does_not_hold_is_sent_again(sent, earned, iris, in_english):
    with pytest.raises(PayoutRefused, match="does not hold"):
        resend_payout(sent, earned.admin)  # Iris is transferring it
    assert reloaded(sent).iris_attempt == 0


def test_nobody_but_an_admin_sends_it_again_and_never_with_hand_transfers(
    left_for_hand, earned, app, monkeypatch, in_english
):
    with pytest.raises(PayoutNotAllowed):
        resend_payout(left_for_hand, earned.siti_user)
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "manual")
    with pytest.raises(PayoutNotAllowed, match="by hand"):
        resend_payout(left_for_hand, earned.admin)
    assert reloaded(left_for_hand).iris_attempt == 0


def test_the_admin_sends_it_again_from_the_payouts_page(
    left_for_hand, earned, client, login, english
):
    login(earned.admin)
    url = REVIEW.format(slug=earned.coop.slug)
    assert "Send through Midtrans Iris again" in client.get(url).get_data(as_text=True)

    response = client.post(
        url, data={"payout": left_for_hand.id, "action": "resend"}, follow_redirects=True
    )

    html = response.get_data(as_text=True)
    assert "sent again" in html and "Midtrans Iris is transferring it" in html
    assert reloaded(left_for_hand).iris_reference is not None


def test_the_payouts_page_offers_no_resend_with_hand_transfers(
    earned, client, login, english, monkeypatch, app
):
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "manual")
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    approve_payout(payout, earned.admin)
    login(earned.admin)

    html = client.get(REVIEW.format(slug=earned.coop.slug)).get_data(as_text=True)

    assert "Record as paid" in html and "Send through Midtrans Iris again" not in html
