"""The admin's shipping page: what the cooperative offers, the local fee, its zones and the
courier services' rates per zone; and the rules update_shipping_settings keeps.

Who may open it is in test_access.py's table; here an admin uses it."""

import html
import re

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.checkout.models import (
    CourierService,
    CourierZoneRate,
    ShippingSettings,
    ShippingZone,
    ZoneKind,
)
from shop.checkout.shipping_settings import (
    CourierServiceInput,
    InvalidShippingSettings,
    ShippingSettingsInput,
    ZoneInput,
    ZoneRateInput,
    update_shipping_settings,
)
from shop.coops.models import Role
from shop.demo.data import DEMO_COOPS
from shop.extensions import db
from tests.coops import audit_entries, count, error_beside, in_site_language, input_value
from tests.factories import make_coop, make_membership, make_shipping_settings, make_user


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera", city="Kota Yogyakarta")


@pytest.fixture
def admin(client, login, coop):
    user = make_membership(coop=coop, role=Role.ADMIN).user
    login(user)
    return user


def page_url(coop) -> str:
    return f"/koperasi/{coop.slug}/kelola/pengiriman"


def shipping_form(**over) -> dict:
    """Everything offered: pickup, local delivery for Rp 10.000, and JNE REG to two zones:
    the cooperative's province (Rp 9.000 + Rp 8.000/kg, 1-2 days) and Papua (Rp 60.000 +
    Rp 55.000/kg, 5-9 days)."""
    values = {
        "offers_pickup": "y",
        "offers_local": "y",
        "local_fee": "10.000",
        "offers_courier": "y",
        "zones-0-name": "DIY",
        "zones-0-kind": "same_province",
        "zones-1-name": "Papua",
        "zones-1-kind": "provinces",
        "zones-1-provinces": "Papua, papua barat\nPapua Pegunungan",
        "services-0-name": "JNE REG",
        "services-0-rounding_tolerance_kg": "0,3",
        "services-0-rates-0-first_kg_fee": "9.000",
        "services-0-rates-0-next_kg_fee": "8000",
        "services-0-rates-0-eta_min_days": "1",
        "services-0-rates-0-eta_max_days": "2",
        "services-0-rates-1-first_kg_fee": "Rp 60.000",
        "services-0-rates-1-next_kg_fee": "55.000",
        "services-0-rates-1-eta_min_days": "5",
        "services-0-rates-1-eta_max_days": "9",
    }
    return {key: value for key, value in (values | over).items() if value is not None}


def saved(coop) -> tuple:
    """The settings row, its zones and rates, and the cooperative's audit rows, as stored."""
    return (
        db.session.execute(
            select(*ShippingSettings.__table__.c).where(ShippingSettings.cooperative_id == coop.id)
        ).all(),
        zones_of(coop),
        rates_of(coop),
        count(AuditEntry, AuditEntry.cooperative_id == coop.id),
    )


def zones_of(coop) -> list[tuple]:
    return [
        (zone.name, zone.kind, zone.provinces)
        for zone in db.session.scalars(
            select(ShippingZone)
            .where(ShippingZone.cooperative_id == coop.id)
            .order_by(ShippingZone.position)
        )
    ]


def rates_of(coop) -> list[tuple]:
    """(service, tolerance g, zone, first kg, next kg, days from, days to) per rate."""
    rows = db.session.execute(
        select(
            CourierService.name,
            CourierService.rounding_tolerance_grams,
            ShippingZone.name,
            CourierZoneRate.first_kg_fee,
            CourierZoneRate.next_kg_fee,
            CourierZoneRate.eta_min_days,
            CourierZoneRate.eta_max_days,
        )
        .join(CourierZoneRate.service)
        .join(CourierZoneRate.zone)
        .where(CourierService.cooperative_id == coop.id)
        .order_by(CourierService.position, ShippingZone.position)
    )
    return [tuple(row) for row in rows]


def test_saving_stores_the_zones_and_rates_and_returns_to_the_console(client, admin, coop):
    response = client.post(page_url(coop), data=shipping_form())

    assert response.status_code == 302
    assert response.headers["Location"] == f"/koperasi/{coop.slug}/kelola/"
    settings = db.session.get(ShippingSettings, coop.id)
    assert (settings.offers_pickup, settings.offers_local, settings.local_fee) == (
        True,
        True,
        10000,
    )
    assert zones_of(coop) == [
        ("DIY", ZoneKind.SAME_PROVINCE, []),
        ("Papua", ZoneKind.PROVINCES, ["Papua", "Papua Barat", "Papua Pegunungan"]),
    ]
    assert rates_of(coop) == [
        ("JNE REG", 300, "DIY", 9000, 8000, 1, 2),
        ("JNE REG", 300, "Papua", 60000, 55000, 5, 9),
    ]
    console = client.get(response.headers["Location"]).get_data(as_text=True)
    assert in_site_language("The shipping settings have been saved.") in console


def test_saving_writes_an_audit_row_naming_the_admin(client, admin, coop):
    client.post(page_url(coop), data=shipping_form())

    (entry,) = audit_entries("coop.shipping_updated")
    assert (entry.actor_id, entry.cooperative_id) == (admin.id, coop.id)
    assert entry.details["zones"][0] == []
    assert entry.details["services"][1][0][2][1] == ["Papua", 60000, 55000, 5, 9]


def test_a_zone_left_empty_drops_out_with_its_rates_and_the_rest_keep_theirs(client, admin, coop):
    form = shipping_form(**{"zones-0-name": "", "zones-0-kind": "everywhere"})
    form |= {f"services-0-rates-0-{name}": "" for name in ("first_kg_fee", "next_kg_fee")}
    form |= {f"services-0-rates-0-{name}": "" for name in ("eta_min_days", "eta_max_days")}

    client.post(page_url(coop), data=form)

    assert [name for name, _kind, _provinces in zones_of(coop)] == ["Papua"]
    assert rates_of(coop) == [("JNE REG", 300, "Papua", 60000, 55000, 5, 9)]


def test_a_service_that_skips_a_zone_does_not_go_there(client, admin, coop):
    form = shipping_form(
        **{
            "services-1-name": "JNE JTR",
            "services-1-rounding_tolerance_kg": "0",
            "services-1-rates-1-first_kg_fee": "350000",
            "services-1-rates-1-next_kg_fee": "35000",
            "services-1-rates-1-eta_min_days": "10",
            "services-1-rates-1-eta_max_days": "21",
        }
    )

    client.post(page_url(coop), data=form)

    assert rates_of(coop)[2:] == [("JNE JTR", 0, "Papua", 350000, 35000, 10, 21)]


def test_the_page_shows_the_saved_settings(client, admin, coop):
    client.post(page_url(coop), data=shipping_form())

    page = client.get(page_url(coop)).get_data(as_text=True)

    assert input_value(page, "local_fee") == "10000"
    assert input_value(page, "zones-1-name") == "Papua"
    assert input_value(page, "zones-1-provinces") == "Papua, Papua Barat, Papua Pegunungan"
    assert input_value(page, "services-0-name") == "JNE REG"
    assert input_value(page, "services-0-rounding_tolerance_kg") == "0,3"
    assert input_value(page, "services-0-rates-1-first_kg_fee") == "60000"
    assert input_value(page, "services-0-rates-1-eta_max_days") == "9"
    assert input_value(page, "zones-5-name") == ""  # blank rows to add more
    assert input_value(page, "services-2-rates-5-first_kg_fee") == ""
    assert '<th scope="row">Papua</th>' in page  # each rate row says its zone


def test_a_new_cooperative_is_shown_pickup_only(client, admin, coop):
    page = client.get(page_url(coop)).get_data(as_text=True)

    assert '<input checked id="offers_pickup"' in page
    assert '<input id="offers_local"' in page
    assert input_value(page, "services-0-rounding_tolerance_kg") == "0,3"  # JNE's rule
    assert count(ShippingSettings) == 0


RATE = "services-0-rates-1-"
TOLERANCE = "services-0-rounding_tolerance_kg"
MAX_WEIGHT = "services-0-max_weight_kg"
HEAVIEST = "Enter a weight in kg over 0 and at most 1000, for example 30."
RUPIAH = "Enter an amount in Rupiah, for example 15.000."
ALL_FOUR = "Fill in all four, or none for no service to this zone."
FASTEST = "At least the days it takes at the fastest."
NOT_A_PROVINCE = ("Not a province of Indonesia: %(names)s.", {"names": "Atlantis"})
WHOLE_DAYS = ("Enter whole days, 1 to %(max)d.", {"max": 60})
AT_MOST = ("Use at most %(zones)d zones and %(services)d courier services.",
           {"zones": 6, "services": 3})  # fmt: skip
LISTED_ONLY = 'Choose "The provinces listed" to list provinces.'
BAD_INPUT = [
    ({"local_fee": "sepuluh"}, "local_fee", RUPIAH),
    ({"local_fee": ""}, "local_fee", "Enter the fee for local delivery."),
    ({"services-0-name": ""}, "services-0-name", "Name the courier and its service, e.g. JNE REG."),
    ({RATE + "first_kg_fee": "-5000"}, RATE + "first_kg_fee", RUPIAH),
    ({RATE + "next_kg_fee": "-1"}, RATE + "next_kg_fee", RUPIAH),
    ({RATE + "next_kg_fee": ""}, RATE + "next_kg_fee", ALL_FOUR),
    ({RATE + "eta_min_days": "0"}, RATE + "eta_min_days", WHOLE_DAYS),
    ({RATE + "eta_max_days": "dua"}, RATE + "eta_max_days", WHOLE_DAYS),
    ({RATE + "eta_min_days": "10"}, RATE + "eta_max_days", FASTEST),
    ({"zones-1-provinces": "Papua, Atlantis"}, "zones-1-provinces", NOT_A_PROVINCE),
    ({"zones-1-provinces": ""}, "zones-1-provinces", "List the provinces of this zone."),
    ({"zones-0-provinces": "Bali"}, "zones-0-provinces", LISTED_ONLY),
    ({"zones-1-name": ""}, "zones-1-name", "Name the zone, e.g. Jawa."),
    ({"zones-1-kind": "moon"}, "zones-1-kind", "Choose one of the options in the list."),
    ({TOLERANCE: "1"}, TOLERANCE, "Enter a tolerance under 1 kg, for example 0,3."),
    ({MAX_WEIGHT: "0"}, MAX_WEIGHT, HEAVIEST),
    ({MAX_WEIGHT: "1000,001"}, MAX_WEIGHT, HEAVIEST),
    ({MAX_WEIGHT: "tiga puluh"}, MAX_WEIGHT, HEAVIEST),
    (
        {"zones-2-name": "", "services-0-rates-2-first_kg_fee": "5000"},
        "services-0-rates-2-first_kg_fee",
        "Name this zone above first.",
    ),
]  # fmt: skip


def site_text(message: str | tuple[str, dict]) -> str:
    """A message given as plain text, or as a msgid with its values, as the site says it."""
    msgid, values = (message, {}) if isinstance(message, str) else message
    return in_site_language(msgid, **values)


@pytest.mark.parametrize(("over", "field_id", "message"), BAD_INPUT)
def test_bad_input_is_shown_beside_the_field_kept_and_saves_nothing(
    client, admin, coop, over, field_id, message
):
    make_shipping_settings(coop, courier=(9000, 9000))
    before = saved(coop)

    response = client.post(page_url(coop), data=shipping_form(**over))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, field_id) == site_text(message)
    assert 'aria-invalid="true"' in page
    assert dict(summary_links(page))[field_id].endswith(": " + site_text(message))
    assert input_value(page, "zones-1-name") == over.get("zones-1-name", "Papua")
    db.session.expire_all()
    assert saved(coop) == before


def summary_links(page: str) -> list[tuple[str, str]]:
    """(id linked to, link text) of each link in the error summary at the top of the page."""
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S)
    if summary is None:
        return []
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary.group(0), re.S)
    return [(target, html.unescape(text)) for target, text in links]


def test_a_refused_rate_far_down_the_page_is_named_and_linked_at_its_top(client, admin, coop):
    over = {RATE + "first_kg_fee": "enam puluh ribu", "services-0-name": ""}

    page = client.post(page_url(coop), data=shipping_form(**over)).get_data(as_text=True)

    service = in_site_language("Name the courier and its service, e.g. JNE REG.")
    assert summary_links(page) == [
        (
            "services-0-name",
            in_site_language(
                "%(place)s: %(error)s",
                place=in_site_language(
                    "Courier service %(n)d, %(field)s",
                    n=1,
                    field=in_site_language("Courier and service"),
                ),
                error=service,
            ),
        ),
        (
            RATE + "first_kg_fee",
            in_site_language(
                "%(place)s: %(error)s",
                place=in_site_language(
                    "Courier service %(n)d, %(zone)s, %(field)s",
                    n=1,
                    zone="Papua",
                    field=in_site_language("First kg (Rp)"),
                ),
                error=in_site_language(RUPIAH),
            ),
        ),
    ]
    assert page.index('class="error-summary"') < page.index('<form method="post" class="form"')
    assert f'id="{RATE}first_kg_fee"' in page  # where the link goes


def test_a_rule_across_rows_is_linked_from_the_summary_to_where_it_is_shown(client, admin, coop):
    over = {"zones-1-name": "diy"}

    page = client.post(page_url(coop), data=shipping_form(**over)).get_data(as_text=True)

    assert summary_links(page) == [
        ("zones-error", in_site_language("Give each zone its own name."))
    ]


def test_a_page_without_errors_has_no_summary(client, admin, coop):
    assert 'class="error-summary"' not in client.get(page_url(coop)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("over", "group", "message"),
    [
        (
            {"offers_pickup": None, "offers_local": None, "offers_courier": None},
            "methods",
            "Offer at least one way to send orders.",
        ),
        ({"zones-1-name": "diy"}, "zones", "Give each zone its own name."),
        (
            {
                "services-1-name": "JNE  REG",
                RATE.replace("0", "1", 1) + "first_kg_fee": "1",
                RATE.replace("0", "1", 1) + "next_kg_fee": "1",
                RATE.replace("0", "1", 1) + "eta_min_days": "1",
                RATE.replace("0", "1", 1) + "eta_max_days": "1",
            },
            "services",
            "Give each courier service its own name.",
        ),
        (
            {
                f"services-0-rates-{zone}-{name}": ""
                for zone in (0, 1)
                for name in ("first_kg_fee", "next_kg_fee", "eta_min_days", "eta_max_days")
            },
            "services",
            "Give at least one courier service a rate to at least one zone.",
        ),
        ({"zones-6-name": "Bulan"}, "zones", AT_MOST),
        ({"services-3-name": "Kurir Lain"}, "zones", AT_MOST),
        (
            {"services-0-rates-6-first_kg_fee": "1"},
            "zones",
            AT_MOST,
        ),
    ],  # fmt: skip
)
def test_rules_across_rows_are_shown_above_their_group_and_save_nothing(
    client, admin, coop, over, group, message
):
    before = saved(coop)

    response = client.post(page_url(coop), data=shipping_form(**over))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="{group}-error" role="alert">' in page
    assert site_text(message) in html.unescape(page)
    assert saved(coop) == before
    assert count(ShippingSettings) == 0


def test_a_tampered_post_with_a_huge_row_number_gives_no_error_page(client, admin, coop):
    form = shipping_form(**{"zones-999999999999-name": "x", "services-0-rates-99999-eta": "1"})

    response = client.post(page_url(coop), data=form)

    assert response.status_code == 200
    assert count(ShippingSettings) == 0


def test_the_console_links_to_the_shipping_page(client, admin, coop):
    console = client.get(f"/koperasi/{coop.slug}/kelola/").get_data(as_text=True)

    assert f'href="{page_url(coop)}"' in console


# The service's own checks, for callers other than the form.


def settings_input(zones=None, services=None, **over) -> ShippingSettingsInput:
    zones = zones or (ZoneInput("Jawa", ZoneKind.SAME_ISLAND_GROUP),)
    services = services or (CourierServiceInput("JNE REG", (ZoneRateInput(9000, 8000, 1, 3),)),)
    values = {"offers_pickup": True, "offers_local": True, "local_fee": 12000}
    values |= {"offers_courier": True, "zones": zones, "services": services}
    return ShippingSettingsInput(**(values | over))


def service_with(rate: ZoneRateInput, tolerance: int = 300) -> tuple:
    return (CourierServiceInput("JNE REG", (rate,), tolerance),)


INVALID_SETTINGS = [
    ({"local_fee": None}, "local_fee"),
    ({"local_fee": -1}, "local_fee"),
    ({"local_fee": 10_000_001}, "local_fee"),
    ({"services": service_with(ZoneRateInput(-1, 0, 1, 2))}, "services"),
    ({"services": service_with(ZoneRateInput(0, 10_000_001, 1, 2))}, "services"),
    ({"services": service_with(ZoneRateInput(1, 1, 3, 2))}, "services"),  # ETA min > max
    ({"services": service_with(ZoneRateInput(1, 1, 0, 2))}, "services"),
    ({"services": service_with(ZoneRateInput(1, 1, 1, 61))}, "services"),
    ({"services": service_with(ZoneRateInput(1, 1, 1, 2), tolerance=1000)}, "services"),
    ({"services": (CourierServiceInput("JNE", (ZoneRateInput(1, 1, 1, 1),), 300, 0),)}, "services"),
    ({"zones": (ZoneInput("Timur", ZoneKind.PROVINCES, ("Papua", "Atlantis")),)}, "zones"),
    ({"zones": (ZoneInput("Timur", ZoneKind.PROVINCES, ()),)}, "zones"),
    ({"zones": (ZoneInput(" ", ZoneKind.EVERYWHERE),)}, "zones"),
    ({"zones": tuple(ZoneInput(f"Zona {n}", ZoneKind.EVERYWHERE) for n in range(7))}, "zones"),
    (
        {"services": tuple(CourierServiceInput(f"Kurir {n}", (None,)) for n in range(4))},
        "services",
    ),
    ({"services": (CourierServiceInput("JNE", (None, ZoneRateInput(1, 1, 1, 1))),)}, "services"),
]  # fmt: skip


@pytest.mark.parametrize(("over", "field"), INVALID_SETTINGS)
def test_invalid_settings_are_refused_by_the_service_and_nothing_changes(coop, over, field):
    make_shipping_settings(coop, courier=(9000, 9000))
    before = saved(coop)
    with pytest.raises(InvalidShippingSettings) as refused:
        update_shipping_settings(coop, make_user(), settings_input(**over))
    assert refused.value.field == field
    db.session.expire_all()
    assert saved(coop) == before


def test_saving_the_same_settings_writes_no_audit_entry(coop):
    update_shipping_settings(coop, make_user(), settings_input())
    update_shipping_settings(coop, make_user(), settings_input())
    assert count(AuditEntry, AuditEntry.cooperative_id == coop.id) == 1


def test_turning_the_courier_off_keeps_its_rates_for_later(coop):
    update_shipping_settings(coop, make_user(), settings_input())
    wanted = settings_input()
    update_shipping_settings(
        coop, make_user(), ShippingSettingsInput(**(vars(wanted) | {"offers_courier": False}))
    )
    assert db.session.get(ShippingSettings, coop.id).offers_courier is False
    assert rates_of(coop) == [("JNE REG", 300, "Jawa", 9000, 8000, 1, 3)]


def test_the_demo_cooperatives_settings_keep_the_admins_rules():
    for demo in DEMO_COOPS:
        coop = make_coop(city=demo.details.city, province=demo.details.province)
        update_shipping_settings(coop, make_user(), demo.shipping)  # raises when not
        assert rates_of(coop)


def service_ids(coop) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(CourierService.name, CourierService.id)
            .where(CourierService.cooperative_id == coop.id)
            .order_by(CourierService.position)
        ).all()
    )


def named(*names: str) -> tuple[CourierServiceInput, ...]:
    return tuple(CourierServiceInput(name, (ZoneRateInput(9000, 8000, 1, 3),)) for name in names)


def test_saving_keeps_the_ids_of_kept_services_adds_new_ones_and_removes_dropped_ones(coop):
    update_shipping_settings(coop, make_user(), settings_input(services=named("JNE REG", "J&T EZ")))
    before = service_ids(coop)

    # Reordered (each takes the other's position), one dropped, one new, one re-cased.
    services = named("Pos Kilat", "jne reg")
    update_shipping_settings(coop, make_user(), settings_input(services=services))

    db.session.expire_all()
    after = service_ids(coop)
    assert list(after) == ["Pos Kilat", "jne reg"]
    assert after["jne reg"] == before["JNE REG"]
    # SQLite may hand a dropped row's id to a new one; PostgreSQL's sequence never does.
    assert after["Pos Kilat"] != before["JNE REG"]
    assert count(CourierService, CourierService.cooperative_id == coop.id) == 2
    assert [row[0] for row in rates_of(coop)] == ["Pos Kilat", "jne reg"]


def test_swapping_two_services_keeps_both_ids(coop):
    update_shipping_settings(coop, make_user(), settings_input(services=named("JNE REG", "J&T EZ")))
    before = service_ids(coop)

    update_shipping_settings(coop, make_user(), settings_input(services=named("J&T EZ", "JNE REG")))

    db.session.expire_all()
    assert list(service_ids(coop).items()) == [
        ("J&T EZ", before["J&T EZ"]),
        ("JNE REG", before["JNE REG"]),
    ]


def test_a_maximum_weight_is_saved_shown_again_and_cleared_by_leaving_it_empty(client, admin, coop):
    client.post(page_url(coop), data=shipping_form(**{MAX_WEIGHT: "30,5"}))

    assert db.session.scalar(select(CourierService.max_weight_grams)) == 30_500
    assert input_value(client.get(page_url(coop)).get_data(as_text=True), MAX_WEIGHT) == "30,5"

    client.post(page_url(coop), data=shipping_form())

    db.session.expire_all()
    assert db.session.scalar(select(CourierService.max_weight_grams)) is None
