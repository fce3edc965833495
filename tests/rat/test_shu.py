"""The RAT pack's SHU once the year's SHU is confirmed (through the SHU service, as an admin
would on 5 January 2027): the sheet's figures are the confirmed split, the members' shares
add up to the ledger's SHU entry (summed here from the postings), the ODS figure is the SHU,
and a RAT that ratified other percentages is named. Also the links between the two pages.

2026's basis (tests/rat/conftest.py): Siti sales 43.875 + 14.625 - 14.625 refunded = 43.875,
capital 125.000; Budi sales 39.000 + 78.000 = 117.000, capital 25.000; Pak Admin nothing.
SHU Rp 1.000.000, jasa anggota 35 % = 350.000: jasa usaha 70 % of it = 245.000 by 43.875 :
117.000 -> 66.818,18 and 178.181,81 -> 66.818 and 178.182 (the Rupiah left to the larger
fraction); jasa modal 105.000 by 125.000 : 25.000 -> 87.500 and 17.500. So Siti 154.318,
Budi 195.682.
"""

from datetime import date

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from shop.coops.models import Role
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.rat import pack as pack_module
from shop.rat import services as rat_services
from shop.rat.check import check_against_ledger
from shop.rat.figures import year_figures
from shop.rat.models import PaidShuTo
from shop.rat.pack import build_pack
from shop.rat.services import RatRecord, financial_year, record_rat
from shop.shu import services as shu_services
from shop.shu.models import ShuDestination
from shop.shu.services import ShuPercentages, confirm_shu, distribution_of, preview_shu
from tests.factories import make_coop, make_membership
from tests.rat.conftest import YEAR
from tests.rat.test_pack import PERIOD, SHEETS, table_of, totals_of, workbook_of
from tests.reports.conftest import dated, jakarta, posted
from tests.shu.conftest import PARTS_BP

SHU = 1_000_000
# Per member number's holder: jasa usaha basis, jasa modal basis, the two shares, total.
HAND = {
    "siti": (43_875, 125_000, 66_818, 87_500, 154_318),
    "budi": (117_000, 25_000, 178_182, 17_500, 195_682),
    "admin": (0, 0, 0, 0, 0),
}


@pytest.fixture
def shu_year(year, monkeypatch):
    """The year's SHU confirmed on 5 January 2027, its entry dated then."""
    monkeypatch.setattr(shu_services, "today_in_jakarta", lambda: date(2027, 1, 5))
    admin = year.books.admin.user
    shu_services.save_settings(year.tani, ShuPercentages(PARTS_BP, 7000, False), admin)
    token = preview_shu(year.tani, YEAR, SHU).token
    confirm_shu(year.tani, YEAR, SHU, ShuDestination.SUKARELA, token, admin)
    dated(jakarta(date(2027, 1, 5)), JournalEntry.kind == EntryKind.SHU_DISTRIBUTION)
    return year


@pytest.fixture
def admin_client(client, login, year):
    login(year.books.admin.user)
    return client


def ledger_shu(coop) -> int:
    """The members' shares as the ledger holds them: debited to SHU shared in 2027."""
    return posted(coop, Account.SHU_SHARED, EntryKind.SHU_DISTRIBUTION, period=financial_year(2027))


def pack_sheets(client, coop) -> dict:
    workbook = workbook_of(client, coop)
    assert len(workbook.sheetnames) == len(SHEETS)
    return dict(zip(SHEETS, workbook.worksheets, strict=True))


def test_the_shu_sheets_are_the_confirmed_split_and_equal_the_ledger(app, admin_client, shu_year):
    books, tani = shu_year.books, shu_year.tani
    sheets = pack_sheets(admin_client, tani)
    paid = ledger_shu(tani)
    assert paid == 350_000

    shu = table_of(sheets["shu"])  # part, percentage, amount; totals last
    assert [row[1:] for row in shu[:7]] == [
        ("40 %", 400_000), ("35 %", 350_000), ("5 %", 50_000), ("5 %", 50_000),
        ("5 %", 50_000), ("5 %", 50_000), ("5 %", 50_000),
    ]  # fmt: skip
    assert [row[1:] for row in shu[7:10]] == [("70 %", 245_000), ("30 %", 105_000), (None, paid)]
    assert shu[-1][1:] == ("100 %", SHU)

    shares = table_of(sheets["shu_shares"])
    rows = {row[0]: row[2:] for row in shares[:-1]}
    assert rows == {books.siti.member_number: HAND["siti"],
                    books.budi.member_number: HAND["budi"],
                    books.admin.member_number: HAND["admin"]}  # fmt: skip
    assert totals_of(sheets["shu_shares"])[2:] == (160_875, 150_000, 245_000, 105_000, paid)
    # Each member's credit in the entry is their share.
    credited = credited_by_the_shu_entry(tani)
    assert credited == {
        share.member_id: share.total for share in distribution_of(tani, YEAR).shares if share.total
    }
    assert credited == {books.siti.id: HAND["siti"][-1], books.budi.id: HAND["budi"][-1]}

    ods = dict(table_of(sheets["ods"]))
    assert "Rp 1.000.000" in ods.values()

    # The pack's check compares the shares with the ledger's SHU entry, and names a difference.
    figures = year_figures(tani, PERIOD, "id")
    check = check_against_ledger(tani.id, figures, paid)
    assert check.matches and len(check.comparisons) == 20
    assert check.comparisons[-1].in_ledger == paid
    [difference] = check_against_ledger(tani.id, figures, paid - 1).differences
    assert (difference.in_pack, difference.in_ledger) == (paid - 1, paid)


def credited_by_the_shu_entry(coop) -> dict[int, int]:
    """Each member's simpanan sukarela credited by the coop's SHU entry, from its postings."""
    rows = db.session.execute(
        select(Posting.member_id, -func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.cooperative_id == coop.id, Posting.account == Account.SIMPANAN_SUKARELA,
               JournalEntry.kind == EntryKind.SHU_DISTRIBUTION)
        .group_by(Posting.member_id)
    )  # fmt: skip
    return {member_id: int(total) for member_id, total in rows}


def test_the_printable_page_shows_the_shares(admin_client, shu_year):
    response = admin_client.get(f"/koperasi/{shu_year.tani.slug}/kelola/rat/{YEAR}/cetak")
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("\xa0", " ")
    for figure in ("1.000.000", "350.000", "245.000", "105.000", "154.318", "195.682",
                   "66.818", "178.182", "87.500", "17.500"):  # fmt: skip
        assert f"Rp {figure}" in page, figure
    assert 'id="shu_shares"' in page
    assert 'class="ledger-check matches"' in page


def test_a_rat_that_ratified_other_percentages_is_named(app, shu_year, monkeypatch):
    monkeypatch.setattr(rat_services, "today_in_jakarta", lambda: date(2027, 1, 5))
    tani, admin = shu_year.tani, shu_year.books.admin.user
    ratified = PARTS_BP | {"reserve": 3000, "jasa_anggota": 4500}

    def rat(parts, paid_to):
        record_rat(tani, YEAR, RatRecord(date(2027, 1, 4), 2, 3, "", paid_to, parts, ""), admin)
        with app.test_request_context():
            pack = build_pack(tani, YEAR)
            said = pack_module.ratified_differences(distribution_of(tani, YEAR),
                                                    pack_module.meeting_of(tani, YEAR))  # fmt: skip
        return pack.parts[SHEETS.index("shu")].summary, said

    summary, said = rat(PARTS_BP, PaidShuTo.SUKARELA)
    assert said == []
    summary, said = rat(ratified, PaidShuTo.SUKARELA)
    [percentages] = said
    assert percentages in summary
    assert "40 %" in percentages and "30 %" in percentages
    assert "45 %" in percentages and "35 %" in percentages
    assert "5 %" not in percentages.replace("35 %", "").replace("45 %", "")
    summary, said = rat(PARTS_BP, PaidShuTo.AVAILABLE)
    [destination] = said
    assert destination in summary


def test_until_the_shu_is_confirmed_the_sheets_say_so(app, year):
    with app.test_request_context():
        pack = build_pack(year.tani, YEAR)
        with force_locale(pack.language):
            not_yet = _("not yet distributed")
    parts = {part.name: part for part in pack.parts}
    shu, shares, ods = parts["shu"], parts["shu_shares"], parts["ods"]
    assert shu.rows == [(shu.rows[0][0], not_yet)]
    assert shares.rows == [] and shares.summary == not_yet
    assert not_yet in dict(ods.rows).values()
    assert pack.check.comparisons[-1].in_pack == pack.check.comparisons[-1].in_ledger == 0


def test_the_rat_and_shu_pages_of_a_year_link_to_each_other(english, login):
    coop = make_coop(name="Koperasi Tani Makmur")
    login(make_membership(coop=coop, role=Role.ADMIN).user)
    rat_page = f"/koperasi/{coop.slug}/kelola/rat/2025"
    shu_page = f"/koperasi/{coop.slug}/kelola/shu/2025"
    assert f'href="{shu_page}"' in english.get(rat_page).get_data(as_text=True)
    assert f'href="{rat_page}"' in english.get(shu_page).get_data(as_text=True)
