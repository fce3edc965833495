"""The cooperative's profile and fee, a member's own profile and payout account, and onboarding
a cooperative from the command line."""

import html
import re

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.checkout.regions import PROVINCES
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from tests.coops import (
    audit_entries,
    count,
    error_beside,
    in_site_language,
    input_value,
    selected_option,
)
from tests.factories import DEFAULT_PASSWORD, make_coop, make_membership, make_user


def row(model, instance) -> tuple:
    """One row as the database holds it, every column."""
    return db.session.execute(select(*model.__table__.c).where(model.id == instance.id)).one()


# The cooperative's profile (admins)


@pytest.fixture
def coop():
    return make_coop(
        name="Koperasi Mlijo Sejahtera",
        city="Kota Yogyakarta",
        province="DI Yogyakarta",
        whatsapp="+6281100001111",
        fee_bp=500,
    )


@pytest.fixture
def admin(client, login, coop):
    user = make_membership(coop=coop, role=Role.ADMIN).user
    login(user)
    return user


def coop_form(coop, **over) -> dict:
    """The profile form as the page fills it in, with some fields retyped."""
    values = {
        "name": coop.name,
        "registration_number": coop.registration_number,
        "city": coop.city,
        "province": coop.province,
        "address": coop.address,
        "phone": coop.phone,
        "whatsapp": coop.whatsapp,
        "description": coop.description,
        "fee_percent": "5",
        "hold_days": str(coop.hold_days),
        "min_payout": f"{coop.min_payout}",
    }
    # Checkboxes: a ticked one is posted, an unticked one is absent.
    values |= {
        name: "y"
        for name in ("reviews_new_products", "reviews_edits", "payouts_need_two_admins")
        if getattr(coop, name)
    }
    return values | over


def save_coop(client, coop, **over):
    return client.post(f"/koperasi/{coop.slug}/kelola/profil", data=coop_form(coop, **over))


def test_the_province_is_chosen_from_indonesias_38(client, admin, coop):
    page = client.get(f"/koperasi/{coop.slug}/kelola/profil").get_data(as_text=True)

    options = re.findall(r'<option[^>]*value="([^"]*)"', page.split('name="province"')[1])
    assert options[: len(PROVINCES) + 1] == ["", *PROVINCES]
    assert selected_option(page, "province") == "DI Yogyakarta"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Jogja", "Choose one of Indonesia's 38 provinces from the list."),
        ("", "Choose the province."),
    ],
)
def test_a_province_not_in_the_list_is_refused_and_nothing_changes(
    client, admin, coop, typed, message
):
    before = row(Cooperative, coop)

    page = save_coop(client, coop, province=typed, city="Kabupaten Bantul").get_data(as_text=True)

    assert error_beside(page, "province") == in_site_language(message)
    db.session.expire_all()
    assert row(Cooperative, coop) == before


def test_a_province_saved_as_typed_before_the_list_keeps_working(client, admin):
    spaced = make_coop(province="di  yogyakarta")
    misspelt = make_coop(province="Jogja")
    make_membership(user=admin, coop=spaced, role=Role.ADMIN)
    make_membership(user=admin, coop=misspelt, role=Role.ADMIN)

    spaced_page = client.get(f"/koperasi/{spaced.slug}/kelola/profil").get_data(as_text=True)
    misspelt_page = client.get(f"/koperasi/{misspelt.slug}/kelola/profil")

    assert selected_option(spaced_page, "province") == "DI Yogyakarta"
    assert misspelt_page.status_code == 200
    assert selected_option(misspelt_page.get_data(as_text=True), "province") == ""  # "Choose"
    assert "Jogja" in html.unescape(error_free_hint(misspelt_page.get_data(as_text=True)))
    assert (spaced.province, misspelt.province) == ("di  yogyakarta", "Jogja")  # untouched

    save_coop(client, misspelt, province="DI Yogyakarta")

    db.session.expire_all()
    assert db.session.get(Cooperative, misspelt.id).province == "DI Yogyakarta"


def error_free_hint(page: str) -> str:
    match = re.search(r'<p class="hint" id="province-hint">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("typed", "fee_bp"),
    [("2,5", 250), ("2.55", 255), ("2,55", 255), ("0", 0), ("30", 3000), ("7 %", 700)],
)
def test_fee_is_read_as_a_percentage_into_basis_points(client, admin, coop, typed, fee_bp):
    response = save_coop(client, coop, fee_percent=typed)

    assert response.status_code == 302
    assert db.session.scalar(select(Cooperative.fee_bp).where(Cooperative.id == coop.id)) == fee_bp


def test_hold_period_and_minimum_payout_are_saved(client, admin, coop):
    response = save_coop(client, coop, hold_days="7", min_payout="Rp 100.000")

    assert response.status_code == 302
    saved = db.session.execute(
        select(Cooperative.hold_days, Cooperative.min_payout).where(Cooperative.id == coop.id)
    ).one()
    assert tuple(saved) == (7, 100000)
    page = client.get(f"/koperasi/{coop.slug}/kelola/profil").get_data(as_text=True)
    assert input_value(page, "min_payout") == "Rp 100.000"


def test_edit_page_shows_the_fee_with_a_decimal_comma(client, admin, coop):
    coop.fee_bp = 250
    db.session.commit()

    page = client.get(f"/koperasi/{coop.slug}/kelola/profil").get_data(as_text=True)

    assert input_value(page, "fee_percent") == "2,5"
    assert db.session.scalar(select(Cooperative.fee_bp).where(Cooperative.id == coop.id)) == 250


def test_coop_phone_numbers_are_stored_in_international_form(client, admin, coop):
    save_coop(client, coop, whatsapp="0812-3456-7890", phone="(0274) 512 345")

    stored = db.session.execute(
        select(Cooperative.whatsapp, Cooperative.phone).where(Cooperative.id == coop.id)
    ).one()
    assert tuple(stored) == ("+6281234567890", "+62274512345")


def test_coop_profile_change_is_audited_with_the_changed_fields(client, admin, coop):
    save_coop(client, coop, name="Koperasi Mlijo Makmur", fee_percent="2,5")

    (entry,) = audit_entries("coop.profile_updated")
    assert (entry.actor_id, entry.cooperative_id, entry.target_id) == (admin.id, coop.id, coop.id)
    assert entry.details == {
        "name": ["Koperasi Mlijo Sejahtera", "Koperasi Mlijo Makmur"],
        "fee_bp": [500, 250],
    }


def test_the_review_rules_are_saved_and_audited(client, admin, coop):
    form = coop_form(coop)
    del form["reviews_new_products"]
    client.post(f"/koperasi/{coop.slug}/kelola/profil", data=form | {"reviews_edits": "y"})

    db.session.expire_all()
    saved = db.session.get(Cooperative, coop.id)
    assert (saved.reviews_new_products, saved.reviews_edits) == (False, True)
    (entry,) = audit_entries("coop.profile_updated")
    assert entry.details == {"reviews_new_products": [True, False], "reviews_edits": [False, True]}


def test_turning_two_admin_payouts_off_is_saved_and_audited(client, admin, coop):
    form = coop_form(coop)
    del form["payouts_need_two_admins"]
    client.post(f"/koperasi/{coop.slug}/kelola/profil", data=form)

    db.session.expire_all()
    assert db.session.get(Cooperative, coop.id).payouts_need_two_admins is False
    (entry,) = audit_entries("coop.profile_updated")
    assert entry.details == {"payouts_need_two_admins": [True, False]}


def test_saving_an_unchanged_coop_profile_writes_no_audit_row(client, admin, coop):
    before = row(Cooperative, coop)

    response = save_coop(client, coop)

    assert response.status_code == 302
    assert row(Cooperative, coop) == before
    assert audit_entries("coop.profile_updated") == []


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("fee_percent", "abc", "Enter a percentage between 0 and 100, for example 2,5."),
        ("fee_percent", "101", "Enter a percentage between 0 and 100, for example 2,5."),
        ("fee_percent", "-1", "Enter a percentage between 0 and 100, for example 2,5."),
        ("fee_percent", "2,555", "Enter a percentage between 0 and 100, for example 2,5."),
        ("whatsapp", "12345", "Enter an Indonesian number, for example 0812 3456 7890."),
        ("phone", "12345", "Enter an Indonesian number, for example 0812 3456 7890."),
        ("name", "", "Enter the name."),
        ("hold_days", "61", "Enter a number of days from 0 to 60."),
        ("hold_days", "-1", "Enter a number of days from 0 to 60."),
        ("hold_days", "", "Enter a number of days."),
        ("hold_days", "tiga", "Enter a number of days from 0 to 60."),
        ("min_payout", "lima puluh", "Enter an amount in Rupiah, for example 15.000."),
        ("min_payout", "", "Enter the minimum payout."),
    ],
)
def test_bad_coop_profile_input_is_refused_beside_the_field_and_kept(
    client, admin, coop, field, typed, message
):
    before = row(Cooperative, coop)

    response = save_coop(client, coop, city="Kabupaten Sleman", **{field: typed})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, field) == in_site_language(message)
    assert input_value(page, field) == typed
    assert input_value(page, "city") == "Kabupaten Sleman"
    assert row(Cooperative, coop) == before
    assert count(AuditEntry) == 0


@pytest.mark.parametrize("typed", ["30,01", "100"])
def test_a_fee_above_the_operators_bound_is_refused_beside_the_field(english, admin, coop, typed):
    before = row(Cooperative, coop)

    response = save_coop(english, coop, fee_percent=typed)

    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "fee_percent") == (
        "The fee can be at most 30%."
    )
    assert row(Cooperative, coop) == before


@pytest.mark.parametrize("missing", ["hold_days", "fee_percent", "min_payout", "name"])
def test_a_profile_post_missing_a_field_is_refused_not_a_crash(client, admin, coop, missing):
    before = row(Cooperative, coop)
    data = coop_form(coop)
    del data[missing]

    response = client.post(f"/koperasi/{coop.slug}/kelola/profil", data=data)

    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), missing)
    assert row(Cooperative, coop) == before


def test_the_operators_fee_bound_is_a_setting(app, client, admin, coop, monkeypatch):
    monkeypatch.setitem(app.config, "COOP_FEE_MAX_BP", 4000)

    assert save_coop(client, coop, fee_percent="40").status_code == 302
    assert db.session.scalar(select(Cooperative.fee_bp).where(Cooperative.id == coop.id)) == 4000


def test_coop_whatsapp_with_non_ascii_digits_is_refused(client, admin, coop):
    before = row(Cooperative, coop)

    response = save_coop(client, coop, whatsapp="0812३४५६७८९०")

    assert response.status_code == 200
    assert row(Cooperative, coop) == before


# A member's own profile and payout account


@pytest.fixture
def membership(client, login, coop):
    membership = make_membership(coop=coop, business_name="Keripik Bu Sri")
    login(membership.user)
    return membership


PAYOUT = {"bank_name": "BRI", "bank_account_number": "0123456789", "bank_account_holder": "Sri"}
NO_PAYOUT = dict.fromkeys(PAYOUT, "")


def save_profile(client, coop, **over):
    form = {"business_name": "Keripik Bu Sri", "story": "", "whatsapp": ""} | NO_PAYOUT | over
    return client.post(f"/koperasi/{coop.slug}/anggota/profil", data=form)


def test_member_profile_is_saved_with_whatsapp_in_international_form(client, coop, membership):
    response = save_profile(
        client, coop, business_name="Keripik Tempe Bu Sri", whatsapp="0812 3456 7890", **PAYOUT
    )

    assert response.status_code == 302
    saved = row(Membership, membership)
    assert (saved.business_name, saved.whatsapp) == ("Keripik Tempe Bu Sri", "+6281234567890")
    assert (saved.bank_name, saved.bank_account_number, saved.bank_account_holder) == (
        "BRI",
        "0123456789",
        "Sri",
    )


@pytest.mark.parametrize(
    "given",
    [
        ("bank_name",),
        ("bank_account_number",),
        ("bank_account_holder",),
        ("bank_name", "bank_account_number"),
        ("bank_account_number", "bank_account_holder"),
    ],
)
def test_payout_account_is_all_three_fields_or_none(client, coop, membership, given):
    before = row(Membership, membership)

    response = save_profile(client, coop, **{field: PAYOUT[field] for field in given})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = in_site_language("Fill in the bank, account number and holder together.")
    for field in PAYOUT:
        assert error_beside(page, field) == (None if field in given else message)
    assert input_value(page, "bank_account_number") == (
        PAYOUT["bank_account_number"] if "bank_account_number" in given else ""
    )
    assert row(Membership, membership) == before


def test_blank_account_holder_counts_as_missing(client, coop, membership):
    before = row(Membership, membership)

    response = save_profile(client, coop, **PAYOUT | {"bank_account_holder": "   "})

    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "bank_account_holder")
    assert row(Membership, membership) == before


@pytest.mark.parametrize(
    "typed", ["1234", "1" * 21, "0123-456789", "0123 456789", "01234abc", "١٢٣٤٥٦٧٨٩"]
)
def test_account_number_must_be_5_to_20_plain_digits(client, coop, membership, typed):
    before = row(Membership, membership)

    response = save_profile(client, coop, **PAYOUT | {"bank_account_number": typed})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, "bank_account_number") == in_site_language(
        "Digits only, 5 to 20 of them."
    )
    assert input_value(page, "bank_account_number") == typed
    assert row(Membership, membership) == before


def test_bank_not_in_the_list_is_refused(client, coop, membership):
    before = row(Membership, membership)

    response = save_profile(client, coop, **PAYOUT | {"bank_name": "Bank Antah Berantah"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, "bank_name")
    assert input_value(page, "bank_account_holder") == PAYOUT["bank_account_holder"]
    assert row(Membership, membership) == before


def test_bad_member_whatsapp_is_refused(client, coop, membership):
    before = row(Membership, membership)

    response = save_profile(client, coop, whatsapp="12345")

    page = response.get_data(as_text=True)
    assert error_beside(page, "whatsapp") == in_site_language(
        "Enter an Indonesian number, for example 0812 3456 7890."
    )
    assert input_value(page, "whatsapp") == "12345"
    assert row(Membership, membership) == before


def test_payout_account_change_is_audited_with_old_and_new_values(client, coop, membership):
    membership.bank_name, membership.bank_account_number = "BRI", "0123456789"
    membership.bank_account_holder = "Sri"
    db.session.commit()

    save_profile(client, coop, **PAYOUT | {"bank_name": "BCA", "bank_account_number": "987654321"})

    (entry,) = audit_entries("member.payout_account_changed")
    assert (entry.actor_id, entry.cooperative_id) == (membership.user_id, coop.id)
    assert (entry.target_type, entry.target_id) == ("Membership", membership.id)
    assert entry.details == {
        "bank_name": ["BRI", "BCA"],
        "bank_account_number": ["0123456789", "987654321"],
    }
    assert row(Membership, membership).bank_name == "BCA"


def test_removing_the_payout_account_is_audited(client, coop, membership):
    membership.bank_name, membership.bank_account_number = "BRI", "0123456789"
    membership.bank_account_holder = "Sri"
    db.session.commit()

    save_profile(client, coop)

    (entry,) = audit_entries("member.payout_account_changed")
    assert entry.details["bank_account_number"] == ["0123456789", ""]
    saved = row(Membership, membership)
    assert (saved.bank_name, saved.bank_account_number, saved.bank_account_holder) == ("", "", "")


def test_profile_change_without_payout_change_writes_no_audit_row(client, coop, membership):
    save_profile(client, coop, business_name="Keripik Tempe Bu Sri", story="Sejak 1998.")

    assert row(Membership, membership).story == "Sejak 1998."
    assert audit_entries("member.payout_account_changed") == []


def test_member_profile_belongs_to_one_cooperative(client, coop, membership):
    other_coop = make_coop()
    elsewhere = make_membership(membership.user, other_coop, business_name="Batik Bu Sri")

    save_profile(client, coop, business_name="Keripik Tempe Bu Sri", **PAYOUT)

    assert row(Membership, elsewhere).business_name == "Batik Bu Sri"
    assert row(Membership, elsewhere).bank_account_number == ""


def test_profile_page_shows_the_saved_bank(client, coop, membership):
    membership.bank_name, membership.bank_account_number = "Mandiri", "1234567890"
    membership.bank_account_holder = "Sri"
    db.session.commit()

    page = client.get(f"/koperasi/{coop.slug}/anggota/profil").get_data(as_text=True)

    assert selected_option(page, "bank_name") == "Mandiri"
    assert row(Membership, membership).bank_name == "Mandiri"


# Onboarding a cooperative: flask coop create


def coop_create(runner, *extra: str):
    args = ["coop", "create", "--city", "Kabupaten Sleman", "--province", "DI Yogyakarta"]
    return runner.invoke(args=[*args, *extra])


def coops_named(name: str) -> list[Cooperative]:
    return list(
        db.session.scalars(
            select(Cooperative).where(Cooperative.name == name).order_by(Cooperative.id)
        )
    )


def test_coop_create_onboards_the_coop_with_a_new_admin_account(runner):
    result = coop_create(
        runner,
        *("--name", "Koperasi Mlijo Sejahtera", "--fee", "2,5"),
        *("--admin-email", "Ketua@Example.com", "--admin-password", DEFAULT_PASSWORD),
    )

    assert result.exit_code == 0, result.output
    (coop,) = coops_named("Koperasi Mlijo Sejahtera")
    assert (coop.slug, coop.city, coop.fee_bp) == (
        "koperasi-mlijo-sejahtera",
        "Kabupaten Sleman",
        250,
    )
    (membership,) = coop.memberships
    assert (membership.user.email, membership.role, membership.is_active) == (
        "ketua@example.com",
        Role.ADMIN,
        True,
    )
    assert audit_entries("coop.created")[0].cooperative_id == coop.id
    assert f"/koperasi/{coop.slug}/kelola/" in result.output


def test_coop_create_gives_each_coop_a_unique_slug(runner):
    admin = make_user()
    for _ in range(3):
        result = coop_create(runner, "--name", "Koperasi Maju", "--admin-email", admin.email)
        assert result.exit_code == 0, result.output

    slugs = [coop.slug for coop in coops_named("Koperasi Maju")]
    assert slugs == ["koperasi-maju", "koperasi-maju-2", "koperasi-maju-3"]


def test_coop_create_attaches_an_existing_account_without_a_password(runner):
    budi = make_user(email="budi@example.com")

    result = coop_create(runner, "--name", "Koperasi Budi", "--admin-email", "BUDI@example.com")

    assert result.exit_code == 0, result.output
    (coop,) = coops_named("Koperasi Budi")
    assert [(m.user_id, m.role) for m in coop.memberships] == [(budi.id, Role.ADMIN)]
    assert count(User, User.email == "budi@example.com") == 1


def test_coop_admin_made_by_the_cli_can_open_the_console(runner, client, login):
    budi = make_user(email="budi@example.com")
    coop_create(runner, "--name", "Koperasi Budi", "--admin-email", budi.email)
    login(budi)

    response = client.get("/koperasi/koperasi-budi/kelola/")

    assert response.status_code == 200
    assert count(Membership, Membership.user_id == budi.id) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # The command line speaks the default language, Indonesian.
        (("--admin-email", "baru@example.com"), "Belum ada akun dengan email ini"),
        (("--admin-email", "baru@example.com", "--fee", "abc"), "--fee"),
        (("--admin-email", "baru@example.com", "--fee", "101"), "--fee"),
        (("--admin-email", "baru@example.com", "--admin-password", "pendek"), "8 characters"),
    ],
)
def test_coop_create_fails_cleanly_and_creates_nothing(runner, extra, message):
    result = coop_create(runner, "--name", "Koperasi Gagal", *extra)

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    assert coops_named("Koperasi Gagal") == []
    assert count(User, User.email == "baru@example.com") == 0
    assert count(Membership) == 0
    assert count(AuditEntry) == 0


def test_coop_create_for_unknown_email_without_password_fails_and_creates_nothing(runner):
    result = coop_create(runner, "--name", "Koperasi Gagal", "--admin-email", "baru@example.com")

    assert result.exit_code != 0
    assert coops_named("Koperasi Gagal") == []
    assert count(User, User.email == "baru@example.com") == 0
    assert count(Membership) == 0
