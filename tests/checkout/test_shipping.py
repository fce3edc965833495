"""Shipping per cooperative: the options a shopper sees, the fee the server quotes, the
settings an admin saves, and the shipments place_order writes from them."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.catalog.models import ProductVariant
from shop.checkout.models import (
    CourierRate,
    Order,
    OrderShipment,
    ShippingMethod,
    ShippingSettings,
)
from shop.checkout.services import MissingShipping, place_order
from shop.checkout.shipping import (
    InvalidShippingSettings,
    ShippingOption,
    ShippingSettingsInput,
    ShippingUnavailable,
    default_option,
    format_weight,
    parcel_weight_grams,
    parse_weight_kg,
    quote_shipping,
    settings_for,
    shipping_options,
    update_shipping_settings,
)
from shop.demo.data import DEMO_COOPS
from shop.extensions import db
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    make_user,
)

PICKUP, LOCAL, COURIER = ShippingMethod.PICKUP, ShippingMethod.LOCAL, ShippingMethod.COURIER
# JNE REG as a cooperative might set it: up to 1 kg, 3 kg and 5 kg.
RATES = ((1000, 9000), (3000, 18000), (5000, 27000))


@pytest.fixture
def coop():
    coop = make_coop(name="Tani Makmur", city="Kota Yogyakarta", address="Jl. Kaliurang 12")
    make_shipping_settings(coop, rates=RATES, offers_local=True, local_fee=10000)
    return coop


def options_by_method(options: list[ShippingOption]) -> dict[ShippingMethod, ShippingOption]:
    return {option.method: option for option in options}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Options and quotes


def test_options_come_in_the_order_pickup_local_courier(coop):
    options = shipping_options(coop, 800, "Kota Yogyakarta")
    assert [option.method for option in options] == [PICKUP, LOCAL, COURIER]
    assert all(option.is_available for option in options)
    assert [option.fee for option in options] == [0, 10000, 9000]


def test_pickup_is_free_and_names_the_address(coop):
    with force_locale("en"):
        pickup = shipping_options(coop, 800, "Kota Bandung")[0]
    assert (pickup.method, pickup.fee, pickup.is_available) == (PICKUP, 0, True)
    assert "Jl. Kaliurang 12, Kota Yogyakarta" in pickup.note
    assert quote_shipping(coop, PICKUP, 99_000, "Kota Bandung") == 0


@pytest.mark.parametrize("city", ["Kota Yogyakarta", "kota yogyakarta", "  KOTA  Yogyakarta "])
def test_local_delivery_is_for_the_cooperatives_own_city_in_any_case_or_spacing(coop, city):
    local = options_by_method(shipping_options(coop, 800, city))[LOCAL]
    assert (local.fee, local.is_available) == (10000, True)
    assert quote_shipping(coop, LOCAL, 800, city) == 10000


def test_local_delivery_to_another_city_is_unavailable_and_refused(coop):
    with force_locale("en"):
        local = options_by_method(shipping_options(coop, 800, "Kabupaten Sleman"))[LOCAL]
        assert (local.fee, local.is_available) == (None, False)
        assert local.note == "Only inside Kota Yogyakarta"
        with pytest.raises(ShippingUnavailable) as refused:
            quote_shipping(coop, LOCAL, 800, "Kabupaten Sleman")
    assert "Tani Makmur" in refused.value.message
    assert refused.value.field == f"shipping-{coop.id}"  # the checkout's radio group for it


@pytest.mark.parametrize("city", [None, "", "   "])
def test_local_delivery_before_the_address_is_known_is_shown_with_its_city(coop, city):
    with force_locale("en"):
        local = options_by_method(shipping_options(coop, 800, city))[LOCAL]
    assert (local.fee, local.is_available) == (10000, True)
    assert local.note == "Only inside Kota Yogyakarta"


def test_an_unknown_city_cannot_be_quoted_for_local_delivery(coop):
    with pytest.raises(ShippingUnavailable):
        quote_shipping(coop, LOCAL, 800, "")


@pytest.mark.parametrize(
    ("weight_grams", "fee"),
    [(1, 9000), (999, 9000), (1000, 9000), (1001, 18000), (3000, 18000), (5000, 27000)],
)
def test_courier_takes_the_first_step_the_weight_fits_in(coop, weight_grams, fee):
    courier = options_by_method(shipping_options(coop, weight_grams, "Kota Bandung"))[COURIER]
    assert (courier.fee, courier.is_available) == (fee, True)
    assert quote_shipping(coop, COURIER, weight_grams, "Kota Bandung") == fee


def test_the_courier_note_names_the_service_and_the_weight(coop):
    courier = options_by_method(shipping_options(coop, 1200, "Kota Bandung"))[COURIER]
    assert courier.note == "JNE REG, 1,2 kg"


def test_a_parcel_heavier_than_every_step_cannot_go_by_courier(coop):
    with force_locale("en"):
        courier = options_by_method(shipping_options(coop, 5001, "Kota Bandung"))[COURIER]
        assert (courier.fee, courier.is_available) == (None, False)
        assert "5 kg" in courier.note and "5,001 kg" in courier.note
        with pytest.raises(ShippingUnavailable) as refused:
            quote_shipping(coop, COURIER, 5001, "Kota Bandung")
    assert "Tani Makmur" in refused.value.message


def test_a_cooperative_without_settings_offers_pickup_only():
    bare = make_coop(name="Koperasi Baru")
    settings = settings_for(bare)
    assert settings.offers_pickup and not settings.offers_local and not settings.offers_courier
    assert settings not in db.session  # a default, not a row
    assert [option.method for option in shipping_options(bare, 500, None)] == [PICKUP]
    with force_locale("en"), pytest.raises(ShippingUnavailable) as refused:
        quote_shipping(bare, COURIER, 500, "Kota Yogyakarta")
    assert "Koperasi Baru" in refused.value.message
    assert count(ShippingSettings) == 0


def test_methods_not_offered_are_neither_shown_nor_quoted():
    courier_only = make_coop()
    make_shipping_settings(courier_only, rates=RATES, offers_pickup=False)
    assert [option.method for option in shipping_options(courier_only, 500, None)] == [COURIER]
    for method in (PICKUP, LOCAL, "teleport"):
        with pytest.raises(ShippingUnavailable):
            quote_shipping(courier_only, method, 500, courier_only.city)


def test_parcel_weight_is_each_products_weight_times_its_quantity(coop):
    member = make_membership(coop=coop)
    rice = make_product(member, weight_grams=1000).variants[0]
    chips = make_product(member, weight_grams=250).variants[0]
    assert parcel_weight_grams([(rice, 2), (chips, 3)]) == 2750
    assert parcel_weight_grams([]) == 0


# The default: the cheapest delivery that reaches the address, pickup only when none does.

NO_COURIER = ()
CHEAP_COURIER = ((1000, 9000),)
DEAR_COURIER = ((1000, 18000),)
SAME_AS_LOCAL = ((1000, 10000),)


@pytest.mark.parametrize(
    ("rates", "over", "weight_grams", "city", "expected"),
    [
        (DEAR_COURIER, {}, 800, "Kota Yogyakarta", LOCAL),  # in its city, and cheaper
        (DEAR_COURIER, {}, 800, "Kota Bandung", COURIER),  # local delivery cannot go there
        (DEAR_COURIER, {}, 6000, "Kota Bandung", PICKUP),  # too heavy: nothing else reaches
        (DEAR_COURIER, {}, 6000, "Kota Yogyakarta", LOCAL),
        (CHEAP_COURIER, {}, 800, "Kota Yogyakarta", COURIER),  # the cheapest that reaches
        (SAME_AS_LOCAL, {}, 800, "Kota Yogyakarta", LOCAL),  # a tie goes to local delivery
        (NO_COURIER, {}, 800, "Kota Bandung", PICKUP),  # Sumba's case: pickup or nothing
        (NO_COURIER, {}, 800, "kota  YOGYAKARTA", LOCAL),
        (NO_COURIER, {}, 800, None, LOCAL),  # no address yet: local delivery may reach it
        (DEAR_COURIER, {}, 800, None, COURIER),  # ... but a courier surely does
        (DEAR_COURIER, {}, 800, "  ", COURIER),
        (NO_COURIER, {"offers_local": False}, 800, "Kota Yogyakarta", PICKUP),
        (NO_COURIER, {"offers_pickup": False}, 800, "Kota Bandung", None),  # nothing fits
        (DEAR_COURIER, {"offers_pickup": False}, 6000, "Kota Bandung", None),
    ],
)
def test_the_default_is_the_cheapest_delivery_that_reaches_the_address(
    rates, over, weight_grams, city, expected
):
    coop = make_coop(city="Kota Yogyakarta")
    make_shipping_settings(coop, rates=rates, **({"offers_local": True, "local_fee": 10000} | over))
    default = default_option(shipping_options(coop, weight_grams, city), city)
    assert (default.method if default else None) == expected
    if default is not None:  # a default is always something place_order accepts
        assert quote_shipping(coop, default.method, weight_grams, city or coop.city) == default.fee


@pytest.mark.parametrize(
    ("text", "grams"),
    [("1", 1000), ("1,5", 1500), ("1.5", 1500), ("0,25 kg", 250), ("2,125", 2125)],
)
def test_weights_are_typed_in_kg_with_a_comma_or_a_dot(text, grams):
    assert parse_weight_kg(text) == grams


@pytest.mark.parametrize("text", ["", "abc", "-1", "1,2345", "1,5 g", "1e3"])
def test_anything_else_is_not_a_weight(text):
    assert parse_weight_kg(text) is None


@pytest.mark.parametrize(("grams", "text"), [(1000, "1 kg"), (1200, "1,2 kg"), (750, "0,75 kg")])
def test_weights_are_shown_in_kg_with_a_decimal_comma(grams, text):
    assert format_weight(grams) == text


# Saving the settings


def settings_input(**over) -> ShippingSettingsInput:
    values = {
        "offers_pickup": True,
        "offers_local": True,
        "local_fee": 12000,
        "offers_courier": True,
        "courier_name": "POS Kilat",
        "rates": ((3000, 20000), (1000, 10000)),
    }
    return ShippingSettingsInput(**(values | over))


def saved_state(coop) -> tuple:
    return (
        db.session.execute(
            select(*ShippingSettings.__table__.c).where(ShippingSettings.cooperative_id == coop.id)
        ).all(),
        db.session.execute(
            select(CourierRate.max_weight_grams, CourierRate.fee)
            .where(CourierRate.cooperative_id == coop.id)
            .order_by(CourierRate.max_weight_grams)
        ).all(),
        count(AuditEntry, AuditEntry.cooperative_id == coop.id),
    )


def test_first_save_creates_the_settings_and_an_audit_entry():
    coop = make_coop()
    admin = make_user()

    update_shipping_settings(coop, admin, settings_input())

    db.session.expire_all()
    settings = db.session.get(ShippingSettings, coop.id)
    assert (settings.offers_pickup, settings.offers_local, settings.local_fee) == (
        True,
        True,
        12000,
    )
    assert (settings.offers_courier, settings.courier_name) == (True, "POS Kilat")
    assert [(r.max_weight_grams, r.fee) for r in settings.courier_rates] == [
        (1000, 10000),
        (3000, 20000),
    ]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.cooperative_id == coop.id)).one()
    assert (entry.action, entry.actor_id) == ("coop.shipping_updated", admin.id)
    assert entry.details["local_fee"] == [None, 12000]


def test_saving_again_replaces_the_rate_table_and_audits_only_what_changed(coop):
    admin = make_user()
    new_rates = ((1000, 9500), (2000, 15000))  # 1 kg kept at a new fee, the rest replaced

    update_shipping_settings(
        coop,
        admin,
        settings_input(local_fee=10000, courier_name="JNE REG", rates=new_rates),
    )

    db.session.expire_all()
    rates = db.session.execute(
        select(CourierRate.max_weight_grams, CourierRate.fee)
        .where(CourierRate.cooperative_id == coop.id)
        .order_by(CourierRate.max_weight_grams)
    ).all()
    assert [tuple(rate) for rate in rates] == list(new_rates)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.cooperative_id == coop.id)).one()
    assert set(entry.details) == {"rates"}
    assert entry.details["rates"] == [[list(step) for step in RATES], [list(s) for s in new_rates]]
    assert quote_shipping(coop, COURIER, 1500, "Kota Bandung") == 15000


def test_saving_the_same_settings_writes_no_audit_entry(coop):
    same = settings_input(local_fee=10000, courier_name="JNE REG", rates=RATES)
    update_shipping_settings(coop, make_user(), same)
    assert count(AuditEntry, AuditEntry.cooperative_id == coop.id) == 0


def test_turning_the_courier_off_keeps_its_rates_for_later(coop):
    update_shipping_settings(
        coop, make_user(), settings_input(offers_courier=False, courier_name="JNE REG", rates=RATES)
    )
    assert [option.method for option in shipping_options(coop, 500, None)] == [PICKUP, LOCAL]
    assert count(CourierRate, CourierRate.cooperative_id == coop.id) == 3


INVALID_SETTINGS = [
    (
        {"offers_pickup": False, "offers_local": False, "offers_courier": False},
        "methods",
    ),
    ({"local_fee": None}, "local_fee"),
    ({"local_fee": -1}, "local_fee"),
    ({"local_fee": 10_000_001}, "local_fee"),
    ({"courier_name": "  "}, "courier_name"),
    ({"courier_name": "x" * 61}, "courier_name"),
    ({"rates": ()}, "rates"),
    ({"rates": ((0, 5000),)}, "rates"),
    ({"rates": ((-500, 5000),)}, "rates"),
    ({"rates": ((1000, -1),)}, "rates"),
    ({"rates": ((1000, 10_000_001),)}, "rates"),
    ({"rates": ((1000, 5000), (1000, 7000))}, "rates"),
    ({"rates": tuple((grams, 1000) for grams in range(1000, 22000, 1000))}, "rates"),
]


@pytest.mark.parametrize(("over", "field"), INVALID_SETTINGS)
def test_invalid_settings_are_refused_and_nothing_changes(coop, over, field):
    before = saved_state(coop)
    with pytest.raises(InvalidShippingSettings) as refused:
        update_shipping_settings(coop, make_user(), settings_input(**over))
    assert refused.value.field == field
    db.session.expire_all()
    assert saved_state(coop) == before


def test_a_fee_may_be_left_out_for_a_method_not_offered():
    coop = make_coop()
    update_shipping_settings(
        coop,
        make_user(),
        settings_input(offers_local=False, local_fee=None, offers_courier=False, rates=()),
    )
    settings = db.session.get(ShippingSettings, coop.id)
    assert (settings.offers_local, settings.local_fee, settings.offers_courier) == (False, 0, False)


def test_the_demo_cooperatives_offer_pickup_local_delivery_and_mostly_a_courier():
    for demo in DEMO_COOPS:
        coop = make_coop(city=demo.details.city)
        update_shipping_settings(coop, make_user(), demo.shipping)  # the admin page's rules
        options = shipping_options(coop, 2000, demo.details.city)
        assert [option.method for option in options][:2] == [PICKUP, LOCAL]
        assert all(option.is_available for option in options)
        assert options[1].fee > 0
    assert sum(demo.shipping.offers_courier for demo in DEMO_COOPS) >= 2


# place_order


@pytest.fixture
def cart(coop):
    """2 kg of rice from Tani Makmur, and a 300 g batik from a cooperative with pickup only."""
    rice = make_product(make_membership(coop=coop), variants=((20000, 10),), weight_grams=1000)
    batik = make_coop(name="Batik Sejahtera")
    cloth = make_product(make_membership(coop=batik), variants=((50000, 5),), weight_grams=300)
    return batik, rice.variants[0], cloth.variants[0]


def stock_of(variant: ProductVariant) -> int:
    return db.session.scalar(select(ProductVariant.stock).where(ProductVariant.id == variant.id))


def test_place_order_quotes_each_cooperatives_fee_and_weight_itself(coop, cart):
    batik, rice, cloth = cart
    request = checkout_request(coop, batik, methods={coop.id: COURIER}, city="Kota Bandung")

    order = place_order([(rice.id, 2), (cloth.id, 1)], request, None).order

    db.session.expire_all()
    shipments = {
        shipment.cooperative_id: shipment
        for shipment in db.session.scalars(
            select(OrderShipment).where(OrderShipment.order_id == order.id)
        )
    }
    assert (shipments[coop.id].method, shipments[coop.id].fee) == (COURIER, 18000)
    assert shipments[coop.id].weight_grams == 2000
    assert (shipments[batik.id].method, shipments[batik.id].fee) == (PICKUP, 0)
    assert shipments[batik.id].weight_grams == 300
    saved = db.session.get(Order, order.id)
    assert saved.items_total == 2 * 20000 + 50000
    assert saved.shipping_total == 18000
    assert saved.grand_total == 90000 + 18000


def test_local_delivery_is_charged_its_flat_fee(coop, cart):
    _batik, rice, _cloth = cart
    request = checkout_request(coop, methods={coop.id: LOCAL}, city="kota yogyakarta")
    order = place_order([(rice.id, 1)], request, None).order
    db.session.expire_all()
    saved = db.session.get(Order, order.id)
    assert (saved.shipping_total, saved.grand_total) == (10000, 30000)
    assert saved.shipments[0].fee == 10000


@pytest.mark.parametrize(
    ("method", "city", "quantity"),
    [
        (LOCAL, "Kota Bandung", 1),  # local delivery outside the cooperative's city
        (COURIER, "Kota Bandung", 6),  # 6 kg: heavier than the 5 kg step
        ("teleport", "Kota Bandung", 1),  # no such method: a tampered form
    ],
)
def test_an_unavailable_method_is_refused_and_nothing_is_written(
    coop, cart, method, city, quantity
):
    _batik, rice, _cloth = cart
    request = checkout_request(coop, methods={coop.id: method}, city=city)
    with pytest.raises(ShippingUnavailable) as refused:
        place_order([(rice.id, quantity)], request, None)
    assert refused.value.field == f"shipping-{coop.id}"
    db.session.expire_all()
    assert count(Order) == 0 and count(OrderShipment) == 0
    assert stock_of(rice) == 10


def test_a_method_the_cooperative_does_not_offer_is_refused(cart):
    batik, _rice, cloth = cart  # Batik Sejahtera offers pickup only
    request = checkout_request(batik, methods={batik.id: COURIER})
    with pytest.raises(ShippingUnavailable):
        place_order([(cloth.id, 1)], request, None)
    db.session.expire_all()
    assert count(Order) == 0
    assert stock_of(cloth) == 5


def test_a_missing_choice_is_refused_and_nothing_is_written(coop, cart):
    batik, rice, cloth = cart
    request = checkout_request(coop, methods={coop.id: COURIER})  # nothing chosen for Batik
    with pytest.raises(MissingShipping) as refused:
        place_order([(rice.id, 1), (cloth.id, 1)], request, None)
    assert refused.value.field == f"shipping-{batik.id}"
    db.session.expire_all()
    assert count(Order) == 0
    assert (stock_of(rice), stock_of(cloth)) == (10, 5)
