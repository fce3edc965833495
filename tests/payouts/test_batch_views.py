"""The payout batch pages through HTTP: prepare, look, approve, cancel, take a payout out.

Koperasi Tani with two admins (tests/payouts/test_batches.py): Bu Bendahara prepares, Pak
Ketua approves. Who may open the pages is in tests/coops/test_access.py's route table.
"""

import re

from sqlalchemy import select

from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import PayoutStatus
from shop.payouts.models import BatchStatus, PayoutBatch
from tests.payouts.conftest import available, in_transit, reloaded


def batches_url(tani, tail: str = "") -> str:
    return f"/koperasi/{tani.coop.slug}/kelola/pencairan/batch{tail}"


def page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def prepare(client, tani, *payouts):
    data = {"payouts": [str(p.id) for p in payouts]}
    return client.post(batches_url(tani, "/baru"), data=data)


def the_batch() -> PayoutBatch:
    return db.session.scalars(select(PayoutBatch)).one()


def test_the_queue_offers_batches_instead_of_the_approve_button(english, login, requested):
    login(requested.admin)

    html = page(english, f"/koperasi/{requested.coop.slug}/kelola/pencairan")

    assert "Prepare a batch" in html
    assert 'value="approve"' not in html
    assert 'value="reject"' in html  # rejecting a waiting payout moves no money: one admin


def test_with_one_admin_the_queue_keeps_its_approve_button(english, login, earned):
    from shop.payouts.services import request_payout

    request_payout(earned.siti, 60_000, earned.siti_user)
    login(earned.admin)

    html = page(english, f"/koperasi/{earned.coop.slug}/kelola/pencairan")

    assert 'value="approve"' in html
    assert "Prepare a batch" not in html


def test_prepare_shows_the_waiting_payouts_and_their_total(english, login, requested):
    login(requested.bendahara)

    html = page(english, batches_url(requested, "/baru"))

    assert "2 payouts wait, Rp\xa0150.000 in all." in html
    assert html.count('name="payouts"') == 2
    assert "Account holder is not" not in html  # "Bpk. BUDI  santoso" is Budi Santoso


def test_one_admin_prepares_another_approves_through_the_pages(english, login, requested):
    tani = requested
    login(tani.bendahara)
    response = prepare(english, tani, tani.siti_payout, tani.budi_payout)

    batch = the_batch()
    assert response.headers["Location"].endswith(batches_url(tani, f"/{batch.id}"))
    html = page(english, batches_url(tani, f"/{batch.id}"))
    assert "Rp\xa0150.000" in html
    assert "You prepared this batch: another admin of the cooperative approves it." in html
    assert "/setujui" not in html
    # The preparer's POST is refused by the service too, with the same words.
    english.post(batches_url(tani, f"/{batch.id}/setujui"))
    assert reloaded(tani.siti_payout).status == PayoutStatus.REQUESTED
    assert "another admin of the cooperative approves it" in page(english, batches_url(tani))

    login(tani.admin)
    html = page(english, batches_url(tani, f"/{batch.id}"))
    assert "Approve the batch: 2 payouts, Rp\xa0150.000" in html
    english.post(batches_url(tani, f"/{batch.id}/setujui"))

    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.APPROVED
    assert in_transit(tani.coop) == 150_000
    assert available(tani.siti) == 35_000
    html = page(english, batches_url(tani, f"/{batch.id}"))
    assert re.search(r"Prepared · Bu Bendahara · 2 payouts, Rp\xa0150.000", html)
    assert re.search(r"Approved · Pak Ketua · 2 payouts, Rp\xa0150.000", html)
    assert "Approved" in page(english, batches_url(tani))
    assert check_ledger() == []


def test_a_mismatched_holder_is_flagged_and_taken_out_by_the_preparer(english, login, requested):
    tani = requested
    tani.siti_payout.bank_account_holder = "Andi Wijaya"
    db.session.commit()
    login(tani.bendahara)
    prepare(english, tani, tani.siti_payout, tani.budi_payout)
    batch = the_batch()

    html = page(english, batches_url(tani, f"/{batch.id}"))
    assert "holder-mismatch" in html
    assert "does not match its member's name" in html

    english.post(batches_url(tani, f"/{batch.id}/keluarkan"), data={"payout": tani.siti_payout.id})

    assert reloaded(tani.siti_payout).batch_id is None
    assert "holder-mismatch" not in page(english, batches_url(tani, f"/{batch.id}"))


def test_cancelling_through_the_page_sends_the_payouts_back(english, login, requested):
    tani = requested
    login(tani.bendahara)
    prepare(english, tani, tani.siti_payout)
    batch = the_batch()

    login(tani.admin)
    english.post(batches_url(tani, f"/{batch.id}/batalkan"))

    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.CANCELLED
    assert reloaded(tani.siti_payout).batch_id is None
    html = page(english, batches_url(tani, f"/{batch.id}"))
    assert "Its payouts went back to waiting for approval." in html
    assert "Cancelled · Pak Ketua" in html


def test_preparing_nothing_is_refused_beside_the_list(english, login, requested):
    login(requested.bendahara)
    response = english.post(batches_url(requested, "/baru"), data={})
    assert response.status_code == 200
    assert "Choose at least one payout for the batch." in response.get_data(as_text=True)
    assert db.session.scalars(select(PayoutBatch)).all() == []
