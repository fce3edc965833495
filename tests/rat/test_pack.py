"""The RAT pack of 2026: one workbook that openpyxl opens, a sheet per part, whose totals
equal the ledger's postings (summed here by the reports' test helpers, not by the pack's
own check) and the hand-worked figures of conftest.py; the printable page shows the same."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select, update

from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Payout, PayoutStatus
from shop.payouts.iris_webhook import _returned as returned_payout
from shop.rat import pack as pack_module
from shop.rat.check import check_against_ledger
from shop.rat.figures import year_figures
from shop.rat.pack import build_pack
from shop.rat.services import financial_year
from tests.factories import reseal_hash_chains
from tests.rat.conftest import YEAR
from tests.reports.conftest import balance_at, posted

SHEETS = ("summary", "members", "sales", "categories", "income", "refunds", "payouts",
          "balances", "savings", "shu", "shu_shares", "ods")  # fmt: skip
PERIOD = financial_year(YEAR)


@pytest.fixture
def admin_client(client, login, year):
    login(year.books.admin.user)
    return client


def workbook_of(client, coop, year=YEAR):
    response = client.get(f"/koperasi/{coop.slug}/kelola/rat/{year}/paket.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{coop.slug}-rat-{year}.xlsx"'
    )
    return load_workbook(io.BytesIO(response.data))


def table_of(sheet) -> list[tuple]:
    """The sheet's rows under the headings, down to the totals (a blank row ends it)."""
    rows = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(row)
    return rows


def totals_of(sheet) -> tuple:
    return table_of(sheet)[-1]


def sheets_of(workbook) -> dict:
    assert len(workbook.sheetnames) == len(SHEETS)
    return dict(zip(SHEETS, workbook.worksheets, strict=True))


def ledger_totals(coop) -> dict[str, int]:
    """The year's figures straight from the postings (signs: what was earned or owed)."""
    end = PERIOD.ends_at

    def credited(account, *kinds):
        return -posted(coop, account, *kinds, period=PERIOD)

    return {
        "gross": credited(Account.MEMBER_PENDING, EntryKind.SETTLEMENT)
        + credited(Account.FEE_REVENUE, EntryKind.SETTLEMENT),
        "fees": credited(Account.FEE_REVENUE, EntryKind.SETTLEMENT),
        "fees_net": credited(Account.FEE_REVENUE),
        "shipping": credited(Account.SHIPPING_REVENUE),
        "gateway_fees": posted(coop, Account.GATEWAY_FEES, period=PERIOD),
        "refunds": credited(Account.GATEWAY_CLEARING, EntryKind.REFUND),
        "paid_out": credited(Account.BANK, EntryKind.PAYOUT_PAID),
        "pending": balance_at(coop, Account.MEMBER_PENDING, end),
        "available": balance_at(coop, Account.MEMBER_AVAILABLE, end),
        "in_transit": balance_at(coop, Account.PAYOUTS_IN_TRANSIT, end),
        "pokok": balance_at(coop, Account.SIMPANAN_POKOK, end),
        "wajib": balance_at(coop, Account.SIMPANAN_WAJIB, end),
        "sukarela": balance_at(coop, Account.SIMPANAN_SUKARELA, end),
    }


# Worked by hand in tests/rat/conftest.py.
HAND = {
    "gross": 180_000, "fees": 4_500, "fees_net": 4_125, "shipping": 12_000,
    "gateway_fees": 5_224, "refunds": 15_000, "paid_out": 30_000, "pending": 92_625,
    "available": 28_250, "in_transit": 10_000, "pokok": 100_000, "wajib": 50_000,
    "sukarela": 30_000,
}  # fmt: skip


def test_the_workbook_has_a_sheet_per_part_and_its_totals_equal_the_ledger(admin_client, year):
    sheets = sheets_of(workbook_of(admin_client, year.tani))
    ledger = ledger_totals(year.tani)
    assert ledger == HAND  # the ledger holds the hand-worked year

    sales = totals_of(sheets["sales"])  # gross, fees, refunds, returned, net, pending, avail., paid
    assert sales[2:5] == (ledger["gross"], ledger["fees"], ledger["refunds"])
    assert sales[7:10] == (ledger["pending"], ledger["available"], ledger["paid_out"])
    assert totals_of(sheets["categories"])[1:] == (
        ledger["gross"],
        ledger["fees"],
        ledger["refunds"],
    )
    income = [row[1] for row in table_of(sheets["income"])]
    assert income == [
        ledger["fees"], ledger["fees_net"] - ledger["fees"], ledger["shipping"],
        -ledger["gateway_fees"],
        ledger["fees_net"] + ledger["shipping"] - ledger["gateway_fees"],
    ]  # fmt: skip
    assert totals_of(sheets["refunds"])[-1] == ledger["refunds"]
    assert len(table_of(sheets["refunds"])) == 2  # the refund, then the total
    assert totals_of(sheets["payouts"])[-1] == ledger["paid_out"]
    balances = totals_of(sheets["balances"])
    assert balances[2:] == (
        ledger["pending"], ledger["available"],
        ledger["pending"] + ledger["available"] + ledger["in_transit"],
    )  # fmt: skip
    assert totals_of(sheets["savings"])[2:] == (
        ledger["pokok"], ledger["wajib"], ledger["sukarela"],
        ledger["pokok"] + ledger["wajib"] + ledger["sukarela"],
    )  # fmt: skip


def test_simpanan_per_member_is_as_at_the_year_end(admin_client, year):
    books = year.books
    savings = sheets_of(workbook_of(admin_client, year.tani))["savings"]
    rows = {row[0]: row[2:] for row in table_of(savings)[:-1]}
    assert rows[books.siti.member_number] == (100_000, 25_000, 30_000, 155_000)
    # Budi's 70.000 of 1 January 2027 belongs to the next year.
    assert rows[books.budi.member_number] == (0, 25_000, 0, 25_000)
    assert rows[books.admin.member_number] == (0, 0, 0, 0)


def test_the_summary_says_the_totals_equal_the_ledger_after_checking(admin_client, year):
    check = check_against_ledger(year.tani.id, year_figures(year.tani, PERIOD, "id"))
    assert check.matches and len(check.comparisons) == 20
    summary = table_of(sheets_of(workbook_of(admin_client, year.tani))["summary"])
    with_language = {row[0]: row[1] for row in summary}
    assert pack_module.ledger_sentence(check) in with_language.values()


def test_a_total_that_differs_from_the_ledger_is_named_instead(app, year, monkeypatch):
    """A pack whose per-member refunds lost a Rupiah cannot say it equals the ledger."""
    real = pack_module.year_figures

    def off_by_one(*args):
        figures = real(*args)
        figures.sales.totals.refunds += 1
        return figures

    monkeypatch.setattr(pack_module, "year_figures", off_by_one)
    with app.test_request_context():
        pack = build_pack(year.tani, YEAR)
    assert not pack.check.matches
    [difference] = pack.check.differences
    assert (difference.in_pack, difference.in_ledger) == (15_001, 15_000)
    sales = pack.parts[SHEETS.index("sales")]
    assert sales.totals[4] == 15_001  # what was checked is what the sheet shows
    summary = dict(pack.parts[0].rows)
    assert pack_module.ledger_sentence(pack.check) in summary.values()
    assert any("Rp 15.001" in str(value) for value in summary.values())


def test_the_year_ends_at_midnight_in_jakarta():
    """An entry at 31 Dec 23:59:59 WIB is the year's; one at 1 Jan 00:00 WIB the next's."""
    assert PERIOD.ends_at - PERIOD.starts_at == timedelta(days=365)
    assert PERIOD.starts_at.isoformat() == "2025-12-31T17:00:00+00:00"


def test_members_at_year_end_and_the_ods_figures(admin_client, year):
    sheets = sheets_of(workbook_of(admin_client, year.tani))
    members = table_of(sheets["members"])
    assert len(members) == 4  # Pak Admin, Siti, Budi, then the count
    assert members[-1][-1] == "3"
    ods = dict(table_of(sheets["ods"]))
    assert "3" in ods.values()
    assert "Rp 180.000" in ods.values()


def test_the_printable_page_shows_the_same_totals(admin_client, year):
    response = admin_client.get(f"/koperasi/{year.tani.slug}/kelola/rat/{YEAR}/cetak")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = set(re.findall(r"Rp\s*-?[\d.]+", page.replace("\xa0", " ")))
    for figure in ("180.000", "4.500", "12.000", "15.000", "30.000", "92.625", "28.250",
                   "130.875", "100.000", "50.000", "155.000"):  # fmt: skip
        assert f"Rp {figure}" in shown, figure
    sections = re.findall(r'<section class="rat-part" id="(\w+)"', page)
    assert tuple(sections) == SHEETS
    assert 'class="ledger-check matches"' in page


def test_a_payout_the_bank_sent_back_still_equals_the_ledger(app, year):
    """Budi's Rp 30.000, transferred, comes back (Iris: completed, then failed): the members'
    payouts are net of it, the payouts listed are what was transferred, both as the ledger."""
    paid = db.session.scalar(
        select(Payout).where(
            Payout.cooperative_id == year.tani.id, Payout.status == PayoutStatus.PAID
        )
    )
    returned_payout(paid)
    db.session.execute(
        update(JournalEntry)
        .where(JournalEntry.idempotency_key == f"payout-returned:{paid.id}")
        .values(created_at=datetime(YEAR, 12, 20, 3, 0, tzinfo=UTC))
    )
    db.session.commit()
    reseal_hash_chains()

    check = check_against_ledger(year.tani.id, year_figures(year.tani, PERIOD, "id"))

    assert check.matches, check.differences
    with force_locale("en"):
        compared = {str(c.what): (c.in_pack, c.in_ledger) for c in check.comparisons}
    assert compared["Payouts per member"] == (0, 0)
    assert compared["Payouts listed"] == (paid.amount, paid.amount)
