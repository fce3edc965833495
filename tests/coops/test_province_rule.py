"""A cooperative's province is one of Indonesia's 38 (shop/checkout/regions.py) whichever way
it is written: the profile service, onboarding (the operator's and `flask coop create`)
refuse any other text, and store a known one as the list spells it. A province saved as
typed before the list is kept, never rewritten, until an admin chooses one."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Membership
from shop.coops.services import (
    CoopDetails,
    UnknownProvince,
    create_cooperative,
    update_coop_profile,
)
from shop.extensions import db
from shop.operator.onboarding import onboard_cooperative
from tests.coops import count
from tests.factories import make_coop, make_user

PROFILE_FIELDS = tuple(CoopDetails.__dataclass_fields__)


def details_of(coop: Cooperative, **over) -> CoopDetails:
    """The profile as stored, with some fields changed: what a save of the page sends."""
    return replace(CoopDetails(**{name: getattr(coop, name) for name in PROFILE_FIELDS}), **over)


def stored_province(coop: Cooperative) -> str:
    return db.session.scalar(select(Cooperative.province).where(Cooperative.id == coop.id))


@pytest.mark.parametrize("typed", ["Jogja", "Jawa Tengahh", "", "DI Yogyakarta, Indonesia"])
def test_the_profile_service_refuses_a_province_not_in_the_list_and_changes_nothing(typed):
    coop = make_coop(province="DI Yogyakarta", city="Kota Yogyakarta")
    db.session.commit()

    with pytest.raises(UnknownProvince) as refused:
        update_coop_profile(coop, make_user(), details_of(coop, province=typed, city="Bantul"))

    assert refused.value.field == "province"
    assert refused.value.message == "Pilih salah satu dari 38 provinsi Indonesia di daftar."
    db.session.expire_all()
    assert (stored_province(coop), db.session.get(Cooperative, coop.id).city) == (
        "DI Yogyakarta",
        "Kota Yogyakarta",
    )
    assert count(AuditEntry, AuditEntry.action == "coop.profile_updated") == 0


def test_the_profile_service_stores_a_known_province_as_the_list_spells_it():
    coop = make_coop(province="DI Yogyakarta")

    update_coop_profile(coop, make_user(), details_of(coop, province="  jawa  TENGAH "))

    assert stored_province(coop) == "Jawa Tengah"


def test_a_province_saved_before_the_list_is_kept_when_other_fields_are_saved():
    coop = make_coop(province="Jogja", fee_bp=500)

    update_coop_profile(coop, make_user(), details_of(coop, fee_bp=700))

    db.session.expire_all()
    saved = db.session.get(Cooperative, coop.id)
    assert (saved.province, saved.fee_bp) == ("Jogja", 700)
    with pytest.raises(UnknownProvince):  # but not replaced by another unknown one
        update_coop_profile(coop, make_user(), details_of(coop, province="Yogya"))
    update_coop_profile(coop, make_user(), details_of(coop, province="DI Yogyakarta"))
    assert stored_province(coop) == "DI Yogyakarta"


def test_create_cooperative_refuses_a_province_not_in_the_list_and_writes_nothing():
    admin = make_user()
    details = CoopDetails(name="Koperasi Salah Provinsi", city="Kota Bandung", province="Jabar")

    with pytest.raises(UnknownProvince):
        create_cooperative(details, admin.email, admin.name, None)

    assert count(Cooperative, Cooperative.name == "Koperasi Salah Provinsi") == 0
    assert count(Membership, Membership.user_id == admin.id) == 0


def test_the_operators_onboarding_refuses_a_province_not_in_the_list_and_writes_nothing():
    details = CoopDetails(name="Koperasi Salah Provinsi", city="Kota Bandung", province="Jabar")

    with pytest.raises(UnknownProvince):
        onboard_cooperative(details, "ketua@example.test", make_user())

    assert count(Cooperative, Cooperative.name == "Koperasi Salah Provinsi") == 0


def coop_create(runner, province: str):
    admin = make_user()
    args = ["coop", "create", "--name", "Koperasi Baru", "--city", "Kabupaten Sleman"]
    return runner.invoke(args=[*args, "--province", province, "--admin-email", admin.email])


def test_coop_create_refuses_a_province_not_in_the_list_and_names_the_list(runner):
    result = coop_create(runner, "Jogja")

    assert result.exit_code == 2, result.output
    assert "--province" in result.output and "'Jogja' is not one of" in result.output
    assert "DI Yogyakarta" in result.output and "Papua Pegunungan" in result.output
    assert count(Cooperative, Cooperative.name == "Koperasi Baru") == 0


def test_coop_create_stores_a_known_province_as_the_list_spells_it(runner):
    result = coop_create(runner, "di yogyakarta")

    assert result.exit_code == 0, result.output
    coop = db.session.scalars(select(Cooperative).where(Cooperative.name == "Koperasi Baru")).one()
    assert coop.province == "DI Yogyakarta"
