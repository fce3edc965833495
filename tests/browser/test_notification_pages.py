"""A member on a phone: the notification list, marking read and the e-mail settings, at
360 px, accessible, with the unread count in the header."""

import pytest
from playwright.sync_api import expect

from shop.coops.models import Role
from shop.extensions import db
from shop.jobs.models import JobProgress, JobState
from shop.jobs.progress import finish_job
from shop.notifications.services import Recipient, record
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_user

pytestmark = pytest.mark.slow


def test_a_member_reads_notifications_and_turns_one_mail_off(
    page, live_server, live_data, axe_violations
):
    with live_data():
        coop = make_coop(name="Koperasi Notifikasi")
        make_membership(coop=coop, role=Role.ADMIN)
        member = make_membership(coop=coop, user=make_user(email="notif.member@example.test"))
        params = {"amount": 150000, "coop_slug": coop.slug, "reference": "TRF-77", "reason": ""}
        record("payout_paid", Recipient.of(member.user), "browser-1", params)
        db.session.commit()
        email = member.user.email

    sign_in(page, live_server, email)
    page.get_by_role("link", name="Notifikasi (1 baru)").click()
    assert "Pencairan dana Rp 150.000 Anda sudah ditransfer" in page.content()
    assert "wa.me/?text=" in page.content()
    assert_fits_and_is_accessible(page, axe_violations)

    page.get_by_role("button", name="Tandai sudah dibaca").click()
    assert page.get_by_role("link", name="Notifikasi", exact=True).is_visible()

    page.get_by_role("link", name="Pengaturan email").click()
    assert_fits_and_is_accessible(page, axe_violations)
    page.get_by_label("Pencairan ditransfer").uncheck()
    page.get_by_role("button", name="Simpan").click()
    assert "Pengaturan notifikasi Anda tersimpan." in page.content()
    assert not page.get_by_label("Pencairan ditransfer").is_checked()


def test_a_progress_bar_follows_its_job_and_shows_the_result(
    page, live_server, live_data, axe_violations
):
    with live_data():
        operator = make_user(email="progress.operator@example.test", is_operator=True)
        job = JobProgress(kind="import", owner_id=operator.id, state=JobState.RUNNING,
                          done=1, total=4)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id, email = job.id, operator.email

    sign_in(page, live_server, email)
    page.goto(f"{live_server}/tugas/{job_id}")
    expect(page.get_by_text("Sedang dikerjakan: 1 dari 4")).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)

    with live_data():
        finish_job(job_id, "4 produk", "/operator/tugas")
    # progress.js notices within a second or two and shows the result.
    expect(page.get_by_role("link", name="Lihat hasilnya")).to_be_visible(timeout=10_000)
    assert page.locator("progress").get_attribute("value") == "100"


def test_the_operators_jobs_page_fits_a_phone(page, live_server, live_data, axe_violations):
    from shop.jobs.models import FailedJob

    with live_data():
        operator = make_user(email="jobs.operator@example.test", is_operator=True)
        failed = FailedJob(task_name="shop.outbox.tasks.send_outgoing_mail", task_id="t1",
                           arguments="[12]", error="SMTPServerDisconnected: closed")  # fmt: skip
        db.session.add(failed)
        db.session.commit()
        email = operator.email
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/operator/tugas")
    expect(page.get_by_role("button", name="Jalankan lagi").first).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)
