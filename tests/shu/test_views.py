"""The SHU pages: settings, a year's preview and confirmation, the members' statements."""

import re

from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, JournalEntry
from shop.shu.models import ShuDestination, ShuDistribution, ShuSettings
from shop.shu.services import confirm_shu, preview_shu
from tests.shu.conftest import PARTS_BP

SHU = 12_345_678


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def settings_form(**over) -> dict:
    values = {"reserve": "40", "jasa_anggota": "35", "pengurus": "5", "karyawan": "5",
              "pendidikan": "5", "sosial": "5", "pembangunan_daerah_kerja": "5",
              "jasa_usaha": "70"}  # fmt: skip
    return values | over


def year_page(mlijo, year=2025) -> str:
    return f"/koperasi/{mlijo.coop.slug}/kelola/shu/{year}"


def test_the_admin_sets_the_percentages(english, login, mlijo):
    login(mlijo.admin)

    response = english.post(f"/koperasi/{mlijo.coop.slug}/kelola/shu/pengaturan",
                            data=settings_form(reserve="37,5", sosial="7,5", jasa_usaha="60",
                                               counts_purchases="y"))  # fmt: skip

    assert response.status_code == 302
    settings = db.session.get(ShuSettings, mlijo.coop.id)
    assert (settings.reserve_bp, settings.sosial_bp, settings.jasa_usaha_bp) == (3750, 750, 6000)
    assert settings.counts_purchases is True


def test_percentages_not_making_100_are_refused_on_the_page(english, login, mlijo):
    login(mlijo.admin)

    response = english.post(f"/koperasi/{mlijo.coop.slug}/kelola/shu/pengaturan",
                            data=settings_form(reserve="45"))  # fmt: skip

    assert response.status_code == 400
    assert "add up to 105 %; they must add up to 100 %" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ShuSettings, mlijo.coop.id).parts_bp == PARTS_BP


def test_the_page_shows_the_split_and_totals_that_sum_exactly(english, login, mlijo):
    login(mlijo.admin)

    response = english.get(year_page(mlijo), query_string={"amount": "12.345.678"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rp\xa04.320.987" in page  # jasa anggota, and the members' total
    assert 'class="shu-members-total"><strong>Rp\xa04.320.987' in page
    assert 'class="shu-usaha-total">Rp\xa03.024.691' in page
    assert 'class="shu-modal-total">Rp\xa01.296.296' in page
    assert "Rp\xa02.736.626" in page and "Rp\xa01.584.361" in page  # Budi's and Siti's
    assert "largest fractions" in page  # the rounding rule, said on the page
    assert count(ShuDistribution) == 0  # a preview writes nothing


def confirm_form(mlijo, destination="available", amount=SHU) -> dict:
    token = preview_shu(mlijo.coop, 2025, amount).token
    return {"amount": str(amount), "token": token, "destination": destination}


def test_confirming_posts_once_and_a_second_click_says_so(english, login, mlijo):
    login(mlijo.admin)
    form = confirm_form(mlijo)

    first = english.post(year_page(mlijo), data=form, follow_redirects=True)
    entries = count(JournalEntry)
    second = english.post(year_page(mlijo), data=form, follow_redirects=True)

    assert "The SHU of 2025 is shared: Rp 4.320.987 to the members." in first.get_data(as_text=True)
    assert "confirmed already; nothing was posted again" in second.get_data(as_text=True)
    assert count(JournalEntry) == entries and count(ShuDistribution) == 1
    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.budi.id) == 2_736_626
    assert check_ledger() == []


def test_confirming_to_simpanan_sukarela_from_the_page(english, login, mlijo):
    login(mlijo.admin)

    english.post(year_page(mlijo), data=confirm_form(mlijo, "sukarela"))

    assert balance(mlijo.coop.id, Account.SIMPANAN_SUKARELA, mlijo.budi.id) == 2_736_626
    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.budi.id) == 0
    # Budi sees it among his simpanan's movements, not only in the balance.
    login(mlijo.budi.user)
    page = english.get(f"/koperasi/{mlijo.coop.slug}/anggota/simpanan").get_data(as_text=True)
    row = re.search(r"<tr>(?:(?!</tr>).)*SHU 2025(?:(?!</tr>).)*</tr>", page, re.S)
    assert row and "Rp\xa02.736.626" in row.group(0) and "Simpanan sukarela" in row.group(0)


def test_a_negative_amount_is_refused_and_changes_nothing(english, login, mlijo):
    login(mlijo.admin)

    shown = english.get(year_page(mlijo), query_string={"amount": "-5.000"})
    posted = english.post(year_page(mlijo), data=confirm_form(mlijo) | {"amount": "-5000"},
                          follow_redirects=True)  # fmt: skip

    assert shown.status_code == 400
    assert "Enter an amount in Rupiah" in shown.get_data(as_text=True)
    assert "look at the split before you confirm" in posted.get_data(as_text=True)
    assert count(ShuDistribution) == 0


def test_a_year_out_of_range_is_refused_and_changes_nothing(english, login, mlijo):
    login(mlijo.admin)

    shown = english.get(year_page(mlijo, 1999), query_string={"amount": "1.000"})
    posted = english.post(year_page(mlijo, 3000), data=confirm_form(mlijo))

    assert shown.status_code == 400
    assert "Choose a year from 2000" in shown.get_data(as_text=True)
    assert posted.status_code == 302
    assert count(ShuDistribution) == 0 and balance(mlijo.coop.id, Account.SHU_SHARED) == 0


def test_a_confirmed_year_shows_what_was_recorded(english, login, mlijo):
    preview = preview_shu(mlijo.coop, 2025, SHU)
    confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    login(mlijo.admin)

    page = english.get(year_page(mlijo)).get_data(as_text=True)

    assert "Confirmed on" in page and "Pak Admin" in page
    assert 'class="shu-members-total"><strong>Rp\xa04.320.987' in page
    assert "Show the split" not in page


def test_members_see_their_own_shu_on_their_pages_home_and_statement(english, login, mlijo):
    preview = preview_shu(mlijo.coop, 2025, SHU)
    confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.SUKARELA, preview.token, mlijo.admin)
    login(mlijo.budi.user)

    for path in ("shu", "shu/2025", "", "mutasi"):
        page = english.get(f"/koperasi/{mlijo.coop.slug}/anggota/{path}").get_data(as_text=True)
        assert "SHU of 2025: Rp\xa02.736.626" in page, path
        assert "1.584.361" not in page, path  # Siti's
    assert "simpanan sukarela" in page
    other_year = english.get(f"/koperasi/{mlijo.coop.slug}/anggota/shu/2024")
    assert "No SHU confirmed for you yet." in other_year.get_data(as_text=True)


def test_the_admin_opens_one_members_shu_statement(english, login, mlijo):
    preview = preview_shu(mlijo.coop, 2025, SHU)
    confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    login(mlijo.admin)

    page = english.get(f"/koperasi/{mlijo.coop.slug}/kelola/shu/anggota/{mlijo.siti.id}")

    assert "SHU of 2025: Rp\xa01.584.361" in page.get_data(as_text=True)
    assert english.get(f"/koperasi/{mlijo.coop.slug}/kelola/shu/anggota/999999").status_code == 404


def test_shu_paid_to_available_reads_as_such_on_the_members_statement(english, login, mlijo):
    preview = preview_shu(mlijo.coop, 2025, SHU)
    confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    login(mlijo.siti.user)

    page = english.get(f"/koperasi/{mlijo.coop.slug}/anggota/mutasi").get_data(as_text=True)

    assert "Your share of the SHU" in page and "Rp\xa01.584.361" in page
