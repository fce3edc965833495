"""Shipping per cooperative: the options a shopper sees, the fee the server quotes, the
settings an admin saves, and the shipments place_order writes from them."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.catalog.models import ProductVariant
from shop.checkout.courier_rates import Destination
from shop.checkout.models import Order, OrderShipment, ShippingMethod, ShippingSettings
from shop.checkout.services import MissingShipping, place_order
from shop.checkout.shipping import (
    ShippingChoice,
    ShippingOption,
    ShippingUnavailable,
    default_option,
    format_weight,
    parcel_weight_grams,
    parse_weight_kg,
    quote_shipping,
    settings_for,
    shipping_options,
)
from shop.extensions import db
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings

PICKUP, LOCAL, COURIER = ShippingMethod.PICKUP, ShippingMethod.LOCAL, ShippingMethod.COURIER
# JNE REG to anywhere as a cooperative might set it: Rp 9.000 the first kg, Rp 9.000 each next.
RATE = (9000, 9000)


@pytest.fixture
def coop():
    coop = make_coop(name="Tani Makmur", city="Kota Yogyakarta", address="Jl. Kaliurang 12")
    make_shipping_settings(coop, courier=RATE, offers_local=True, local_fee=10000)
    return coop


def to(city: str | None, province: str = "Jawa Barat") -> Destination:
    return Destination(province=province, city=city or "")


def options_by_method(options: list[ShippingOption]) -> dict[ShippingMethod, ShippingOption]:
    return {option.method: option for option in options}


def fee_of(coop, method, weight_grams, destination) -> int:
    return quote_shipping(coop, ShippingChoice(method), weight_grams, destination).fee


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Options and quotes


def test_options_come_in_the_order_pickup_local_courier(coop):
    options = shipping_options(coop, 800, to("Kota Yogyakarta", "DI Yogyakarta"))
    assert [option.method for option in options] == [PICKUP, LOCAL, COURIER]
    assert all(option.is_available for option in options)
    assert [option.fee for option in options] == [0, 10000, 9000]


def test_pickup_is_free_and_names_the_address_and_hours(coop):
    coop.opening_hours = "Senin-Sabtu 08.00-16.00"
    with force_locale("en"):
        pickup = shipping_options(coop, 800, to("Kota Bandung"))[0]
    assert (pickup.method, pickup.fee, pickup.is_available) == (PICKUP, 0, True)
    assert "Jl. Kaliurang 12, Kota Yogyakarta" in pickup.note
    assert "Senin-Sabtu 08.00-16.00" in pickup.note
    assert fee_of(coop, PICKUP, 99_000, to("Kota Bandung")) == 0


@pytest.mark.parametrize("city", ["Kota Yogyakarta", "kota yogyakarta", "  KOTA  Yogyakarta "])
def test_local_delivery_is_for_the_cooperatives_own_city_in_any_case_or_spacing(coop, city):
    local = options_by_method(shipping_options(coop, 800, to(city)))[LOCAL]
    assert (local.fee, local.is_available) == (10000, True)
    assert fee_of(coop, LOCAL, 800, to(city)) == 10000


def test_local_delivery_to_another_city_is_unavailable_and_refused(coop):
    with force_locale("en"):
        local = options_by_method(shipping_options(coop, 800, to("Kabupaten Sleman")))[LOCAL]
        assert (local.fee, local.is_available) == (None, False)
        assert local.note == "Only inside Kota Yogyakarta"
        with pytest.raises(ShippingUnavailable) as refused:
            fee_of(coop, LOCAL, 800, to("Kabupaten Sleman"))
    assert "Tani Makmur" in refused.value.message
    assert refused.value.field == f"shipping-{coop.id}"  # the checkout's radio group for it


@pytest.mark.parametrize("city", [None, "", "   "])
def test_local_delivery_before_the_address_is_known_is_shown_with_its_city(coop, city):
    with force_locale("en"):
        local = options_by_method(shipping_options(coop, 800, to(city)))[LOCAL]
    assert (local.fee, local.is_available) == (10000, True)
    assert local.note == "Only inside Kota Yogyakarta"


def test_an_unknown_city_cannot_be_quoted_for_local_delivery(coop):
    with pytest.raises(ShippingUnavailable):
        fee_of(coop, LOCAL, 800, to(""))


def test_the_courier_option_names_the_service_zone_weight_and_estimate(coop, in_english):
    courier = options_by_method(shipping_options(coop, 1200, to("Kota Bandung")))[COURIER]
    assert courier.label == "JNE REG"
    assert courier.note == "Seluruh Indonesia, 1,2 kg (billed as 1 kg)"
    assert courier.eta == "Estimated 2–4 days"
    assert courier.choice.value == f"courier-{courier.quote.service_id}"


def test_before_a_province_the_courier_can_be_ticked_but_has_no_fee_yet(coop, in_english):
    courier = options_by_method(shipping_options(coop, 800, to("", province="")))[COURIER]
    assert (courier.fee, courier.is_available, courier.choice.value) == (None, True, "courier")
    assert "Choose your province" in courier.note
    with pytest.raises(ShippingUnavailable):
        fee_of(coop, COURIER, 800, to("", province=""))


def test_a_cooperative_without_settings_offers_pickup_only():
    bare = make_coop(name="Koperasi Baru")
    settings = settings_for(bare)
    assert settings.offers_pickup and not settings.offers_local and not settings.offers_courier
    assert settings not in db.session  # a default, not a row
    assert [option.method for option in shipping_options(bare, 500, to(None))] == [PICKUP]
    with force_locale("en"), pytest.raises(ShippingUnavailable) as refused:
        fee_of(bare, COURIER, 500, to("Kota Yogyakarta"))
    assert "Koperasi Baru" in refused.value.message
    assert count(ShippingSettings) == 0


def test_methods_not_offered_are_neither_shown_nor_quoted():
    courier_only = make_coop()
    make_shipping_settings(courier_only, courier=RATE, offers_pickup=False)
    options = shipping_options(courier_only, 500, to(None))
    assert [option.method for option in options] == [COURIER]
    for method in (PICKUP, LOCAL):
        with pytest.raises(ShippingUnavailable):
            fee_of(courier_only, method, 500, to(courier_only.city))


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ("pickup", ShippingChoice(PICKUP)),
        ("local", ShippingChoice(LOCAL)),
        ("courier", ShippingChoice(COURIER)),
        ("courier-12", ShippingChoice(COURIER, 12)),
        ("pickup-12", None),
        ("courier-0", None),
        ("courier-x", None),
        ("teleport", None),
        ("", None),
        (None, None),
    ],
)
def test_a_posted_choice_is_read_or_refused(posted, expected):
    assert ShippingChoice.parse(posted) == expected


def test_parcel_weight_is_each_products_weight_times_its_quantity(coop):
    member = make_membership(coop=coop)
    rice = make_product(member, weight_grams=1000).variants[0]
    chips = make_product(member, weight_grams=250).variants[0]
    assert parcel_weight_grams([(rice, 2), (chips, 3)]) == 2750
    assert parcel_weight_grams([]) == 0


# The default: the cheapest delivery that reaches the address, pickup only when none does.

NO_COURIER = None
CHEAP_COURIER = (9000, 9000)
DEAR_COURIER = (18000, 18000)
SAME_AS_LOCAL = (10000, 10000)
PAPUA = Destination("Papua", "Kota Jayapura")


@pytest.mark.parametrize(
    ("courier", "over", "destination", "expected"),
    [
        (DEAR_COURIER, {}, to("Kota Yogyakarta"), LOCAL),  # in its city, and cheaper
        (DEAR_COURIER, {}, to("Kota Bandung"), COURIER),  # local delivery cannot go there
        (CHEAP_COURIER, {}, to("Kota Yogyakarta"), COURIER),  # the cheapest that reaches
        (SAME_AS_LOCAL, {}, to("Kota Yogyakarta"), LOCAL),  # a tie goes to local delivery
        (NO_COURIER, {}, to("Kota Bandung"), PICKUP),  # Sumba's case: pickup or nothing
        (NO_COURIER, {}, to("kota  YOGYAKARTA"), LOCAL),
        (NO_COURIER, {}, to(None), LOCAL),  # no address yet: local delivery may reach it
        (DEAR_COURIER, {}, to(None), COURIER),  # ... but a courier surely does
        (DEAR_COURIER, {}, to("  "), COURIER),
        (DEAR_COURIER, {}, to(None, province=""), COURIER),  # not priced yet, but surely goes
        (DEAR_COURIER, {}, to("Kota Yogyakarta", province=""), LOCAL),
        (NO_COURIER, {"offers_local": False}, to("Kota Yogyakarta"), PICKUP),
        (NO_COURIER, {"offers_pickup": False}, to("Kota Bandung"), None),  # nothing fits
    ],
)
def test_the_default_is_the_cheapest_delivery_that_reaches_the_address(
    courier, over, destination, expected
):
    coop = make_coop(city="Kota Yogyakarta")
    make_shipping_settings(coop, courier, **({"offers_local": True, "local_fee": 10000} | over))
    default = default_option(shipping_options(coop, 800, destination), destination.city)
    assert (default.method if default else None) == expected
    if default is not None and default.fee is not None:  # one place_order accepts
        if not destination.city.strip():
            destination = Destination(destination.province, coop.city)
        quoted = quote_shipping(coop, default.choice, 800, destination)
        assert quoted.fee == default.fee


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
    assert (shipments[coop.id].courier_service, shipments[coop.id].shipping_zone) == (
        "JNE REG",
        "Seluruh Indonesia",
    )
    assert (shipments[coop.id].eta_min_days, shipments[coop.id].eta_max_days) == (2, 4)
    assert (shipments[batik.id].courier_service, shipments[batik.id].eta_min_days) == ("", None)
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
        ("courier-999999", "Kota Bandung", 1),  # a courier service it does not have
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
