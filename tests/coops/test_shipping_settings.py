"""The admin's shipping page: what the cooperative offers, the local fee, the courier's rates.

Who may open it is in test_access.py's table; here an admin uses it."""

import html

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.checkout.models import CourierRate, ShippingSettings
from shop.coops.models import Role
from shop.extensions import db
from tests.coops import audit_entries, count, error_beside, in_site_language, input_value
from tests.factories import make_coop, make_membership, make_shipping_settings


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
    """Everything offered: pickup, local delivery for Rp 10.000, JNE REG up to 1 kg and 3 kg."""
    values = {
        "offers_pickup": "y",
        "offers_local": "y",
        "local_fee": "10.000",
        "offers_courier": "y",
        "courier_name": "JNE REG",
        "rates-0-max_weight_kg": "1",
        "rates-0-fee": "9.000",
        "rates-1-max_weight_kg": "3",
        "rates-1-fee": "Rp 18.000",
    }
    return {key: value for key, value in (values | over).items() if value is not None}


def saved(coop) -> tuple:
    """The settings row, its rate steps and the cooperative's audit rows, as stored."""
    return (
        db.session.execute(
            select(*ShippingSettings.__table__.c).where(ShippingSettings.cooperative_id == coop.id)
        ).all(),
        rates_of(coop),
        count(AuditEntry, AuditEntry.cooperative_id == coop.id),
    )


def rates_of(coop) -> list[tuple[int, int]]:
    return [
        tuple(rate)
        for rate in db.session.execute(
            select(CourierRate.max_weight_grams, CourierRate.fee)
            .where(CourierRate.cooperative_id == coop.id)
            .order_by(CourierRate.max_weight_grams)
        )
    ]


def test_saving_stores_the_settings_and_returns_to_the_console(client, admin, coop):
    response = client.post(page_url(coop), data=shipping_form())

    assert response.status_code == 302
    assert response.headers["Location"] == f"/koperasi/{coop.slug}/kelola/"
    settings = db.session.get(ShippingSettings, coop.id)
    assert (settings.offers_pickup, settings.offers_local, settings.local_fee) == (
        True,
        True,
        10000,
    )
    assert (settings.offers_courier, settings.courier_name) == (True, "JNE REG")
    assert rates_of(coop) == [(1000, 9000), (3000, 18000)]
    console = client.get(response.headers["Location"]).get_data(as_text=True)
    assert in_site_language("The shipping settings have been saved.") in console


def test_saving_writes_an_audit_row_naming_the_admin(client, admin, coop):
    client.post(page_url(coop), data=shipping_form())

    (entry,) = audit_entries("coop.shipping_updated")
    assert (entry.actor_id, entry.cooperative_id) == (admin.id, coop.id)
    assert entry.details["rates"] == [[], [[1000, 9000], [3000, 18000]]]


@pytest.mark.parametrize(
    ("typed", "grams"), [("1,5", 1500), ("1.5", 1500), ("0,25", 250), ("2 kg", 2000)]
)
def test_weights_are_typed_in_kg_and_stored_in_grams(client, admin, coop, typed, grams):
    client.post(page_url(coop), data=shipping_form(**{"rates-1-max_weight_kg": typed}))

    assert rates_of(coop) == sorted([(1000, 9000), (grams, 18000)])


def test_blank_rows_are_ignored_wherever_they_are(client, admin, coop):
    form = shipping_form(
        **{
            "rates-0-max_weight_kg": "",
            "rates-0-fee": "",
            "rates-4-max_weight_kg": "5",
            "rates-4-fee": "25rb",
        }
    )

    client.post(page_url(coop), data=form)

    assert rates_of(coop) == [(3000, 18000), (5000, 25000)]


def test_unticking_a_method_stops_offering_it(client, admin, coop):
    make_shipping_settings(coop, rates=((1000, 9000),), offers_local=True, local_fee=8000)

    client.post(page_url(coop), data=shipping_form(offers_local=None, offers_courier=None))

    db.session.expire_all()
    settings = db.session.get(ShippingSettings, coop.id)
    assert (settings.offers_pickup, settings.offers_local, settings.offers_courier) == (
        True,
        False,
        False,
    )


def test_the_page_shows_the_saved_settings(client, admin, coop):
    make_shipping_settings(coop, rates=((1500, 12000), (3000, 18000)), local_fee=7000)

    page = client.get(page_url(coop)).get_data(as_text=True)

    assert input_value(page, "local_fee") == "7000"
    assert input_value(page, "courier_name") == "JNE REG"
    assert input_value(page, "rates-0-max_weight_kg") == "1,5"
    assert input_value(page, "rates-0-fee") == "12000"
    assert input_value(page, "rates-1-max_weight_kg") == "3"
    assert input_value(page, "rates-5-max_weight_kg") == ""  # blank rows to add more
    assert 'id="offers_courier" name="offers_courier" type="checkbox"' in page


def test_a_new_cooperative_is_shown_pickup_only(client, admin, coop):
    page = client.get(page_url(coop)).get_data(as_text=True)

    assert '<input checked id="offers_pickup"' in page
    assert '<input id="offers_local"' in page
    assert count(ShippingSettings) == 0


BAD_INPUT = [
    ({"local_fee": "sepuluh"}, "local_fee", "Enter an amount in Rupiah, for example 15.000."),
    ({"local_fee": ""}, "local_fee", "Enter the fee for local delivery."),
    ({"courier_name": ""}, "courier_name", "Name the courier and its service, e.g. JNE REG."),
    (
        {"rates-1-max_weight_kg": "tiga"},
        "rates-1-max_weight_kg",
        "Enter a weight in kg above 0, for example 1,5.",
    ),
    (
        {"rates-1-max_weight_kg": "0"},
        "rates-1-max_weight_kg",
        "Enter a weight in kg above 0, for example 1,5.",
    ),
    ({"rates-1-fee": ""}, "rates-1-fee", "Enter the fee for this weight."),
    ({"rates-1-max_weight_kg": ""}, "rates-1-max_weight_kg", "Enter the weight this fee is for."),
    ({"rates-1-fee": "-5000"}, "rates-1-fee", "Enter an amount in Rupiah, for example 15.000."),
]


@pytest.mark.parametrize(("over", "field_id", "message"), BAD_INPUT)
def test_bad_input_is_shown_beside_the_field_kept_and_saves_nothing(
    client, admin, coop, over, field_id, message
):
    make_shipping_settings(coop, rates=((1000, 9000),))
    before = saved(coop)

    response = client.post(page_url(coop), data=shipping_form(**over))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, field_id) == in_site_language(message)
    assert 'aria-invalid="true"' in page
    assert input_value(page, "courier_name") == over.get("courier_name", "JNE REG")
    assert input_value(page, "rates-1-max_weight_kg") == over.get("rates-1-max_weight_kg", "3")
    db.session.expire_all()
    assert saved(coop) == before


@pytest.mark.parametrize(
    ("over", "group", "message"),
    [
        (
            {"offers_pickup": None, "offers_local": None, "offers_courier": None},
            "methods",
            "Offer at least one way to send orders.",
        ),
        (
            {"rates-0-max_weight_kg": "3"},
            "rates",
            "Each weight may appear only once in the rates.",
        ),
        (
            {
                "rates-0-max_weight_kg": "",
                "rates-0-fee": "",
                "rates-1-max_weight_kg": "",
                "rates-1-fee": "",
            },
            "rates",
            "Enter at least one step of the courier's rates.",
        ),
    ],  # fmt: skip
)
def test_rules_across_fields_are_shown_above_their_group_and_save_nothing(
    client, admin, coop, over, group, message
):
    before = saved(coop)

    response = client.post(page_url(coop), data=shipping_form(**over))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="{group}-error" role="alert">' in page
    assert in_site_language(message) in html.unescape(page)
    assert saved(coop) == before
    assert count(ShippingSettings) == 0


def test_a_tampered_post_with_many_rows_gives_no_error_page(client, admin, coop):
    form = shipping_form(**{f"rates-{n}-max_weight_kg": str(n + 1) for n in range(40)})
    form |= {f"rates-{n}-fee": "1000" for n in range(40)}
    form["rates-999999999999-fee"] = "1"

    response = client.post(page_url(coop), data=form)

    assert response.status_code in (200, 302)
    assert len(rates_of(coop)) <= 20


def test_the_console_links_to_the_shipping_page(client, admin, coop):
    console = client.get(f"/koperasi/{coop.slug}/kelola/").get_data(as_text=True)

    assert f'href="{page_url(coop)}"' in console
