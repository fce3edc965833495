"""The simpanan pages: an admin records deposits and withdrawals and sees arrears; a member
sees their own simpanan on their page, home and statement."""

from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.journal import balance
from shop.ledger.models import Account
from shop.savings.models import SavingsKind, SavingsMovement, SavingsSettings
from shop.savings.services import record_deposit
from tests.savings.conftest import record


def deposit_form(member, **over) -> dict:
    return {"member": str(member.id), "kind": "wajib", "amount": "Rp 25.000", "method": "transfer",
            "reference": "BCA-991", "paid_on": "2026-12-01"} | over  # fmt: skip


def test_the_admin_records_a_deposit_and_sees_it_in_the_list(english, login, tani):
    login(tani.admin)

    response = english.post(f"/koperasi/{tani.coop.slug}/kelola/simpanan/setoran",
                            data=deposit_form(tani.siti), follow_redirects=True)  # fmt: skip

    assert "Rp 25.000 recorded for Keripik Siti." in response.get_data(as_text=True)
    assert balance(tani.coop.id, Account.SIMPANAN_WAJIB, tani.siti.id) == 25_000
    page = english.get(f"/koperasi/{tani.coop.slug}/kelola/simpanan").get_data(as_text=True)
    assert "Keripik Siti" in page and "Wajib in arrears" in page


def test_a_withdrawal_beyond_the_balance_is_shown_on_the_field_and_changes_nothing(
    english, login, tani
):
    record_deposit(record(tani.siti, SavingsKind.SUKARELA, 10_000), tani.admin)
    login(tani.admin)

    form = deposit_form(tani.siti, kind="sukarela", amount="20.000")
    response = english.post(f"/koperasi/{tani.coop.slug}/kelola/simpanan/penarikan", data=form)

    assert response.status_code == 400
    assert "simpanan sukarela is Rp 10.000" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SavingsMovement)) == 1


def test_bad_input_gets_an_error_and_writes_nothing(english, login, tani):
    login(tani.admin)

    form = deposit_form(tani.siti, amount="dua puluh", reference="")
    response = english.post(f"/koperasi/{tani.coop.slug}/kelola/simpanan/setoran", data=form)

    assert response.status_code == 400
    assert "Enter an amount in Rupiah" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SavingsMovement)) == 0


def test_the_admin_sets_the_amounts(english, login, tani):
    login(tani.admin)

    english.post(f"/koperasi/{tani.coop.slug}/kelola/simpanan/pengaturan",
                 data={"pokok_amount": "150.000", "wajib_amount": "30rb",
                       "wajib_starts_on": "2026-07-01"})  # fmt: skip

    settings = db.session.get(SavingsSettings, tani.coop.id)
    assert (settings.pokok_amount, settings.wajib_amount) == (150_000, 30_000)
    assert settings.wajib_starts_on.isoformat() == "2026-07-01"


def test_the_member_sees_their_simpanan_on_their_page_home_and_statement(english, login, tani):
    record_deposit(record(tani.siti, SavingsKind.SUKARELA, 45_000), tani.admin)
    record_deposit(record(tani.budi, SavingsKind.SUKARELA, 99_000), tani.admin)
    login(tani.siti.user)

    for path in ("simpanan", "", "mutasi"):
        page = english.get(f"/koperasi/{tani.coop.slug}/anggota/{path}").get_data(as_text=True)
        assert "Simpanan sukarela" in page and "Rp\xa045.000" in page, path
        assert "99.000" not in page, path
