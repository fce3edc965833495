"""A member on a phone: the notification list, marking read and the e-mail settings, at
360 px, accessible, with the unread count in the header."""

import pytest

from shop.coops.models import Role
from shop.extensions import db
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
