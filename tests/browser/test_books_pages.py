"""The cooperative's books on a 360 px phone: simpanan, SHU, the RAT and its printable pack,
payout batches, reconciliation exceptions, the journal, supervision reports, the pengawas's
home and the member's SHU. Each page passes axe and never scrolls sideways; the pengawas sees
the books without a single form that would change them.

The data is made once for the module (the live database is not rolled back).
"""

import os
from datetime import date

import pytest

from shop.coops.models import Role
from shop.extensions import db
from shop.ledger.models import Payout
from shop.payouts.batches import prepare_batch
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.services import SavingsRecord, record_deposit, save_settings
from shop.supervision.models import ReportPeriod
from shop.supervision.services import ReportText, write_report
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_user
from tests.payouts.conftest import earn

YEAR = 2025
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")  # a folder: each page saved there


@pytest.fixture(scope="module")
def books(live_app) -> dict:
    """Who signs in, and the paths they open."""
    with live_app.app_context():
        coop = make_coop(name="Koperasi Buku Besar", city="Kabupaten Bantul")
        admin = make_membership(coop=coop, role=Role.ADMIN).user
        second = make_membership(coop=coop, role=Role.ADMIN).user
        pengawas = make_membership(coop=coop, role=Role.PENGAWAS)
        maker = make_membership(
            coop=coop,
            user=make_user(name="Sri Lestari Wulandari"),
            business_name="Anyaman Sri",
            bank_name="BRI",
            bank_account_number="0123456789",
            bank_account_holder="Sri Lestari Wulandari",
        )
        save_settings(coop, 100_000, 25_000, None, admin)
        record_deposit(
            SavingsRecord(maker, SavingsKind.POKOK, 100_000, PaymentMethod.CASH, "",
                          date(YEAR, 3, 1)),
            admin,
        )  # fmt: skip
        earn(maker, admin)
        payout = Payout(cooperative_id=coop.id, member_id=maker.id, amount=40_000,
                        bank_name="BRI", bank_account_number="0123456789",
                        bank_account_holder="Sri Lestari Wulandari",
                        requested_by_id=maker.user_id)  # fmt: skip
        db.session.add(payout)
        db.session.commit()
        batch = prepare_batch(coop, [payout.id], second)
        report = write_report(
            pengawas,
            ReportText(YEAR, ReportPeriod.Q1, "Triwulan I", "Buku kas dan simpanan diperiksa.",
                       "Bukti setoran lengkap.", "Lanjutkan."),
        )  # fmt: skip
        console = f"/koperasi/{coop.slug}/kelola"
        return {
            "admin": admin.email,
            "pengawas": pengawas.user.email,
            "maker": maker.user.email,
            "simpanan": f"{console}/simpanan",
            "shu_settings": f"{console}/shu/pengaturan",
            "shu_year": f"{console}/shu/{YEAR}",
            "rat": f"{console}/rat",
            "rat_year": f"{console}/rat/{YEAR}",
            "rat_print": f"{console}/rat/{YEAR}/cetak",
            "payouts": f"{console}/pencairan",
            "batches": f"{console}/pencairan/batch",
            "batch": f"{console}/pencairan/batch/{batch.id}",
            "exceptions": f"{console}/rekonsiliasi/pengecualian",
            "journal": f"{console}/jurnal",
            "supervision": f"{console}/pengawasan",
            "report": f"{console}/pengawasan/{report.id}",
            "pengawas_home": f"/koperasi/{coop.slug}/pengawas",
            "new_report": f"/koperasi/{coop.slug}/pengawas/laporan/baru",
            "member_simpanan": f"/koperasi/{coop.slug}/anggota/simpanan",
            "member_shu": f"/koperasi/{coop.slug}/anggota/shu",
        }


PAGES = {
    "simpanan": ("admin", "simpanan"),
    "SHU settings": ("admin", "shu_settings"),
    "SHU of a year": ("admin", "shu_year"),
    "RAT years": ("admin", "rat"),
    "RAT of a year": ("admin", "rat_year"),
    "RAT pack, printable": ("admin", "rat_print"),
    "payouts": ("admin", "payouts"),
    "payout batches": ("admin", "batches"),
    "a payout batch": ("admin", "batch"),
    "reconciliation exceptions": ("admin", "exceptions"),
    "journal": ("admin", "journal"),
    "supervision reports": ("admin", "supervision"),
    "a supervision report": ("admin", "report"),
    "pengawas home": ("pengawas", "pengawas_home"),
    "new supervision report": ("pengawas", "new_report"),
    "member's simpanan": ("maker", "member_simpanan"),
    "member's SHU": ("maker", "member_shu"),
}

# What the pengawas reads: every one of them without a form that posts.
PENGAWAS_READS = ("journal", "payouts", "batch", "rat_year", "shu_year", "exceptions", "simpanan")


@pytest.mark.parametrize("name", PAGES)
def test_the_books_page_fits_a_phone_and_passes_axe(page, live_server, books, axe_violations, name):
    who, path = PAGES[name]
    sign_in(page, live_server, books[who])
    assert page.goto(live_server + books[path]).status == 200
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/books-{path}.png", full_page=True)
    assert_fits_and_is_accessible(page, axe_violations)


def test_the_pengawas_reads_the_books_and_is_offered_nothing_to_change(page, live_server, books):
    sign_in(page, live_server, books["pengawas"])
    for path in PENGAWAS_READS:
        assert page.goto(live_server + books[path]).status == 200, path
        # Only the header's own forms (language, sign out) post; none of the page's.
        posting = page.locator("main form[method=post]")
        assert posting.count() == 0, f"{path}: {posting.count()} form(s) that would change it"
