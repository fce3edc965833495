"""The pengawas's pages: the supervision report (drafted, edited until submitted, read by the
admins, listed by year for the RAT), the journal, and a member's statement read by the
pengawas."""

import pytest
from sqlalchemy import select

from shop.coops.models import Membership, Role
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.notifications.models import Notification
from shop.notifications.services import render_mail
from shop.supervision.models import ReportPeriod, ReportStatus, SupervisionReport
from shop.supervision.services import (
    ReportText,
    edit_report,
    submit_report,
    supervision_reports_of,
    write_report,
)
from tests.coops import audit_entries
from tests.factories import make_coop, make_membership, make_user
from tests.payouts.conftest import earn


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera")


@pytest.fixture
def admin(coop) -> Membership:
    return make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Budi"))


@pytest.fixture
def pengawas(coop) -> Membership:
    return make_membership(coop=coop, role=Role.PENGAWAS, user=make_user(name="Bu Ratna"))


def text(year: int = 2026, title: str = "Triwulan I", period=ReportPeriod.Q1) -> ReportText:
    return ReportText(year, period, title, "Buku kas dan bank diperiksa.",
                      "Dua pencairan tanpa bukti transfer.", "Simpan bukti transfer.")  # fmt: skip


def reloaded(report: SupervisionReport) -> SupervisionReport:
    return db.session.get(SupervisionReport, report.id, populate_existing=True)


def test_the_pengawas_writes_a_draft_from_the_page(client, login, english, coop, pengawas):
    login(pengawas.user)

    response = client.post(
        f"/koperasi/{coop.slug}/pengawas/laporan/baru",
        data={"year": "2026", "period": "q2", "title": "Triwulan II", "body": "Diperiksa",
              "findings": "Kas selisih Rp 5.000", "recommendation": "Hitung ulang kas"},
    )  # fmt: skip

    (report,) = db.session.scalars(select(SupervisionReport)).all()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kelola/pengawasan/{report.id}")
    assert (report.year, report.period, report.title) == (2026, ReportPeriod.Q2, "Triwulan II")
    assert (report.findings, report.status) == ("Kas selisih Rp 5.000", ReportStatus.DRAFT)
    assert report.written_by_id == pengawas.user_id
    assert audit_entries("supervision.written")[0].cooperative_id == coop.id


@pytest.mark.parametrize(
    ("field", "value"), [("year", "26"), ("year", "3000"), ("title", ""), ("period", "bulan")]
)
def test_bad_input_is_refused_and_nothing_saved(client, login, english, coop, pengawas, field,
                                                value):  # fmt: skip
    login(pengawas.user)
    data = {"year": "2026", "period": "year", "title": "Tahunan"} | {field: value}

    response = client.post(f"/koperasi/{coop.slug}/pengawas/laporan/baru", data=data)

    assert response.status_code == 400
    assert db.session.scalars(select(SupervisionReport)).all() == []


def test_a_draft_can_be_edited_until_it_is_submitted(in_english, coop, pengawas):
    report = write_report(pengawas, text())

    edit_report(report, text(title="Triwulan I (perbaikan)"), pengawas.user)
    submit_report(report, pengawas.user)

    report = reloaded(report)
    assert (report.title, report.status) == ("Triwulan I (perbaikan)", ReportStatus.SUBMITTED)
    assert report.submitted_by_id == pengawas.user_id and report.submitted_at is not None
    with pytest.raises(InvalidTransition):
        edit_report(report, text(title="Diubah setelah dikirim"), pengawas.user)
    with pytest.raises(InvalidTransition):
        submit_report(report, pengawas.user)
    assert reloaded(report).title == "Triwulan I (perbaikan)"
    assert [e.action for e in audit_entries("supervision.edited")] == ["supervision.edited"]
    assert len(audit_entries("supervision.submitted")) == 1


def test_a_submitted_report_has_no_edit_page(client, login, english, coop, pengawas):
    report = write_report(pengawas, text())
    submit_report(report, pengawas.user)
    login(pengawas.user)

    edit = client.post(f"/koperasi/{coop.slug}/pengawas/laporan/{report.id}",
                       data={"year": "2026", "period": "q1", "title": "Diubah"})  # fmt: skip
    page = client.get(f"/koperasi/{coop.slug}/kelola/pengawasan/{report.id}")

    assert edit.status_code == 302
    assert reloaded(report).title == "Triwulan I"
    assert "Submit the report" not in page.get_data(as_text=True)


def test_the_year_is_checked_by_the_service_too(in_english, pengawas):
    with pytest.raises(ShopError, match="Enter a year"):
        write_report(pengawas, text(year=1999))


def test_admins_read_the_report_and_cannot_submit_it(client, login, english, coop, admin,
                                                     pengawas):  # fmt: skip
    report = write_report(pengawas, text())
    login(admin.user)

    page = client.get(f"/koperasi/{coop.slug}/kelola/pengawasan/{report.id}")
    submit = client.post(f"/koperasi/{coop.slug}/pengawas/laporan/{report.id}/kirim")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dua pencairan tanpa bukti transfer." in html and "Submit the report" not in html
    assert submit.status_code == 403
    assert reloaded(report).status == ReportStatus.DRAFT


def test_reports_are_listed_by_year_for_the_rat(coop, pengawas):
    other = make_coop()
    first = write_report(pengawas, text(2025, "Tahunan 2025", ReportPeriod.YEAR))
    second = write_report(pengawas, text(2026, "Semester I", ReportPeriod.H1))
    third = write_report(pengawas, text(2026, "Semester II", ReportPeriod.H2))
    write_report(make_membership(coop=other, role=Role.PENGAWAS), text(2026))

    assert supervision_reports_of(coop, 2026) == [third, second]
    assert supervision_reports_of(coop, 2025) == [first]
    assert supervision_reports_of(coop) == [third, second, first]


def test_the_list_page_filters_by_year(client, login, english, coop, admin, pengawas):
    write_report(pengawas, text(2025, "Laporan Tahun Lalu", ReportPeriod.YEAR))
    write_report(pengawas, text(2026, "Laporan Tahun Ini", ReportPeriod.YEAR))
    login(admin.user)

    html = client.get(f"/koperasi/{coop.slug}/kelola/pengawasan?tahun=2026").get_data(as_text=True)

    assert "Laporan Tahun Ini" in html and "Laporan Tahun Lalu" not in html


def test_the_journal_shows_each_entry_with_its_legs_and_hashes(client, login, english, coop,
                                                               admin, pengawas):  # fmt: skip
    siti = make_membership(coop=coop, business_name="Keripik Bu Siti")
    earn(siti, admin.user)
    entries = db.session.scalars(
        select(JournalEntry).where(JournalEntry.cooperative_id == coop.id)
    ).all()
    login(pengawas.user)

    html = client.get(f"/koperasi/{coop.slug}/kelola/jurnal").get_data(as_text=True)

    assert entries
    for entry in entries:
        assert f"#{entry.id} " in html
        assert entry.content_hash in html and entry.previous_hash in html
    assert "Keripik Bu Siti" in html and "member_available" in html
    # Accounts and entries in words, the code beside the account for the bookkeeper.
    assert 'available balance <code class="muted">member_available' in html
    assert "Payment settled" in html
    assert "Rp\xa0100.000" in html  # the sale's settlement, debited


def test_the_journal_is_paginated(client, login, english, coop, admin, monkeypatch):
    from shop.supervision import journal

    monkeypatch.setattr(journal, "PER_PAGE", 1)
    earn(make_membership(coop=coop), admin.user)
    login(admin.user)

    first = client.get(f"/koperasi/{coop.slug}/kelola/jurnal").get_data(as_text=True)
    second = client.get(f"/koperasi/{coop.slug}/kelola/jurnal?page=2").get_data(as_text=True)

    newest, older = db.session.scalars(
        select(JournalEntry.id).where(JournalEntry.cooperative_id == coop.id)
        .order_by(JournalEntry.id.desc()).limit(2)
    ).all()  # fmt: skip
    assert f"#{newest} " in first and f"#{older} " not in first
    assert f"#{older} " in second


def test_the_pengawas_reads_a_members_statement(client, login, english, coop, admin, pengawas):
    siti = make_membership(coop=coop, business_name="Keripik Bu Siti")
    earn(siti, admin.user)
    login(pengawas.user)

    page = client.get(f"/koperasi/{coop.slug}/kelola/anggota/{siti.id}/mutasi")
    download = client.get(f"/koperasi/{coop.slug}/kelola/anggota/{siti.id}/mutasi?format=csv")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Statement of Keripik Bu Siti" in html and "Rp\xa095.000" in html
    assert download.status_code == 200 and "95000" in download.get_data(as_text=True)


def test_a_member_of_another_coop_has_no_statement_here(client, login, coop, pengawas):
    elsewhere = make_membership(coop=make_coop())
    login(pengawas.user)

    response = client.get(f"/koperasi/{coop.slug}/kelola/anggota/{elsewhere.id}/mutasi")

    assert response.status_code == 404


def test_the_pengawas_home_links_every_book(client, login, english, coop, pengawas):
    write_report(pengawas, text(2026, "Triwulan I"))
    login(pengawas.user)

    html = client.get(f"/koperasi/{coop.slug}/pengawas").get_data(as_text=True)

    for path in ("kelola/laporan", "kelola/laporan/reconciliation", "kelola/jurnal",
                 "kelola/audit", "kelola/pencairan", "kelola/anggota", "kelola/simpanan",
                 "kelola/pesanan", "kelola/pengawasan", "pengawas/laporan/baru",
                 "kelola/pencairan/batch", "kelola/shu", "kelola/rat",
                 "kelola/rekonsiliasi/pengecualian"):  # fmt: skip
        assert f'href="/koperasi/{coop.slug}/{path}' in html, path


def test_the_pengawas_home_shows_the_open_exceptions_without_the_admins_links(
    client, login, english, coop, pengawas
):
    from shop.reconciliation.models import ExceptionKind
    from tests.reconciliation.test_pages import exception

    exception(coop, ExceptionKind.PAYOUT_UNAPPROVED, "42", 50_000)
    exception(coop, ExceptionKind.PAID_NOT_SETTLED, "PK-20260101-OLD", resolved=True)
    login(pengawas.user)

    html = client.get(f"/koperasi/{coop.slug}/pengawas").get_data(as_text=True)

    assert "Payout #42" in html and "Rp\xa050.000" in html
    assert "PK-20260101-OLD" not in html  # resolved: not open
    assert 'href="/koperasi/' + coop.slug + '/kelola/pencairan"' in html  # the books nav only
    assert html.count(f'href="/koperasi/{coop.slug}/kelola/pencairan"') == 1


def test_the_rat_year_shows_its_supervision_reports_and_only_the_admin_its_form(
    client, login, english, coop, admin, pengawas
):
    write_report(pengawas, text(2025, "Tahunan 2025", ReportPeriod.YEAR))
    write_report(pengawas, text(2024, "Tahunan 2024", ReportPeriod.YEAR))
    page = f"/koperasi/{coop.slug}/kelola/rat/2025"

    login(pengawas.user)
    read = client.get(page).get_data(as_text=True)
    login(admin.user)
    kept = client.get(page).get_data(as_text=True)

    for html in (read, kept):
        assert "Tahunan 2025" in html and "Tahunan 2024" not in html
    assert 'name="held_on"' not in read
    assert 'name="held_on"' in kept


def test_the_admins_hear_when_a_report_is_submitted(app, coop, admin, pengawas):
    admin.user.language = "en"
    report = write_report(pengawas, text(title="Pemeriksaan kas"))
    told = select(Notification).where(Notification.kind == "admin_supervision_report")
    assert db.session.scalars(told).all() == []  # a draft tells nobody

    submit_report(report, pengawas.user)

    [notification] = db.session.scalars(told).all()
    assert notification.recipient_id == admin.user_id
    with app.test_request_context():
        subject, body = render_mail(notification)
    assert subject == f"{pengawas.user.name} submitted the supervision report “Pemeriksaan kas”"
    assert f"/koperasi/{coop.slug}/kelola/pengawasan/{report.id}" in body
