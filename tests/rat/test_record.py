"""Recording the RAT of a financial year: one row per cooperative and year, corrected in
place, audited; what does not add up is refused beside its field and writes nothing."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from shop.coops.models import Role
from shop.extensions import db
from shop.rat.models import PaidShuTo, RatMeeting
from tests.coops import audit_entries, count, error_beside, input_value
from tests.coops.test_access import RAT_RECORD
from tests.factories import make_coop, make_membership


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Tani Makmur")


@pytest.fixture
def admin_client(english, login, coop):
    login(make_membership(coop=coop, role=Role.ADMIN).user)
    return english


def record(client, coop, year=2025, **changes):
    return client.post(f"/koperasi/{coop.slug}/kelola/rat/{year}", data=RAT_RECORD | changes)


def test_recording_a_rat_keeps_what_was_decided(admin_client, coop):
    response = record(admin_client, coop)

    assert response.status_code == 302
    meeting = db.session.query(RatMeeting).one()
    assert (meeting.cooperative_id, meeting.financial_year) == (coop.id, 2025)
    assert meeting.held_on.isoformat() == "2026-03-14"
    assert (meeting.members_present, meeting.members_total) == (20, 30)
    assert meeting.paid_shu_to == PaidShuTo.SUKARELA
    assert meeting.parts_bp == {
        "reserve": 4000, "jasa_anggota": 4000, "pengurus": 500, "karyawan": 500,
        "pendidikan": 500, "sosial": 250, "pembangunan_daerah_kerja": 250,
    }  # fmt: skip
    [audit] = audit_entries("rat.recorded")
    assert audit.details["before"] is None and audit.details["after"]["reserve_bp"] == 4000


def test_recording_again_corrects_the_same_years_row(admin_client, coop):
    record(admin_client, coop)
    response = record(admin_client, coop, members_present="25", reserve="35", jasa_anggota="45")

    assert response.status_code == 302
    meeting = db.session.query(RatMeeting).one()
    assert (meeting.members_present, meeting.reserve_bp, meeting.jasa_anggota_bp) == (
        25,
        3500,
        4500,
    )
    assert audit_entries("rat.recorded")[-1].details["before"]["members_present"] == 20
    page = admin_client.get(f"/koperasi/{coop.slug}/kelola/rat/2025").get_data(as_text=True)
    assert 'value="25"' in page and 'value="35"' in page


SUM = "The percentages add up to %s %%; they must add up to 100 %%."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reserve": "45"}, "reserve", SUM % "105"),
        ({"sosial": "2"}, "reserve", SUM % "99,5"),
        ({"reserve": "abc"}, "reserve", "Enter a percentage between 0 and 100, for example 2,5."),
        ({"held_on": "2025-12-31"}, "held_on",
         "The RAT for 2025 is held after the year ends, in 2026 or later."),
        ({"held_on": "2099-01-01"}, "held_on", "Record a RAT once it has been held."),
        ({"held_on": "kemarin"}, "held_on", "Enter the date."),
        ({"members_present": "31"}, "members_present",
         "Members present cannot be more than the cooperative's members."),
        ({"members_total": "0", "members_present": "0"}, "members_total",
         "Enter how many members the cooperative had."),
        ({"members_present": "-1"}, "members_present", "Enter a whole number, 0 or more."),
        ({"paid_shu_to": "pocket"}, "paid_shu_to", "Choose one of the options in the list."),
    ],
)  # fmt: skip
def test_what_does_not_add_up_is_refused_beside_its_field(admin_client, coop, changes, field,
                                                         message):  # fmt: skip
    response = record(admin_client, coop, **changes)

    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), field) == message
    assert count(RatMeeting) == 0
    assert audit_entries("rat.recorded") == []


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_outside_the_platforms_is_not_found(admin_client, coop, year):
    assert admin_client.get(f"/koperasi/{coop.slug}/kelola/rat/{year}").status_code == 404
    assert admin_client.get(f"/koperasi/{coop.slug}/kelola/rat/{year}/cetak").status_code == 404
    assert record(admin_client, coop, year=year).status_code == 404


def test_the_years_page_lists_each_year_with_its_rat(admin_client, coop):
    record(admin_client, coop)
    page = admin_client.get(f"/koperasi/{coop.slug}/kelola/rat").get_data(as_text=True)
    assert f"/koperasi/{coop.slug}/kelola/rat/2026/paket.xlsx" in page
    assert f"/koperasi/{coop.slug}/kelola/rat/2025/cetak" in page
    assert "March 14, 2026" in page


def test_the_database_holds_the_percentages_to_100_and_one_row_a_year(coop):
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    values = {
        "cooperative_id": coop.id, "financial_year": 2025, "held_on": date(2026, 3, 1),
        "members_present": 1, "members_total": 2, "paid_shu_to": PaidShuTo.AVAILABLE,
        "reserve_bp": 5000, "jasa_anggota_bp": 5000, "pengurus_bp": 0, "karyawan_bp": 0,
        "pendidikan_bp": 0, "sosial_bp": 0, "pembangunan_daerah_kerja_bp": 0,
        "recorded_by_id": admin.id,
    }  # fmt: skip
    db.session.add(RatMeeting(**values))
    db.session.commit()
    for wrong in ({"financial_year": 2024, "reserve_bp": 5001}, {}):
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                db.session.add(RatMeeting(**(values | wrong)))


def test_the_form_offers_the_members_active_at_the_years_end(admin_client, coop):
    make_membership(coop=coop)
    make_membership(coop=coop, is_active=False)
    page = admin_client.get(f"/koperasi/{coop.slug}/kelola/rat/2026").get_data(as_text=True)
    assert input_value(page, "members_total") == "2"  # the admin and the active member
    # 2025 ended before any of them joined.
    page = admin_client.get(f"/koperasi/{coop.slug}/kelola/rat/2025").get_data(as_text=True)
    assert input_value(page, "members_total") == "0"
