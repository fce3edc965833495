"""Courier fees by destination (issue 13, bug 2): the cooperative's zones, its services'
rates per zone with the couriers' weight rounding, the estimate shown at checkout and kept
on the order, and the ShippingRates seam a rate API would plug into."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from shop.checkout import courier_rates
from shop.checkout.courier_rates import (
    CourierQuote,
    Destination,
    billable_kg,
    eta_label,
    shipping_rates,
)
from shop.checkout.models import OrderShipment, ShippingMethod, ZoneKind
from shop.checkout.services import place_order
from shop.checkout.shipping import ShippingChoice, quote_shipping, shipping_options
from shop.checkout.shipping_settings import (
    CourierServiceInput,
    ShippingSettingsInput,
    ZoneInput,
    ZoneRateInput,
    update_shipping_settings,
)
from shop.demo.shipping_data import SUMBA_SHIPPING
from shop.extensions import db
from shop.orders.access import remember_order_access
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings, pay
from tests.fulfilment.conftest import make_shop

COURIER = ShippingMethod.COURIER
WAINGAPU = Destination("Nusa Tenggara Timur", "Kabupaten Sumba Timur")
KUPANG = Destination("Nusa Tenggara Timur", "Kota Kupang")
DENPASAR = Destination("Bali", "Kota Denpasar")
JAKARTA = Destination("DKI Jakarta", "Kota Jakarta Selatan")
JAYAPURA = Destination("Papua", "Kota Jayapura")
MEDAN = Destination("Sumatera Utara", "Kota Medan")


@pytest.fixture
def sumba():
    """The demo's weaving cooperative in Sumba Timur, with its zones and POS rates."""
    coop = make_coop(
        name="Koperasi Tenun Kambera",
        city="Kabupaten Sumba Timur",
        province="Nusa Tenggara Timur",
    )
    make_shipping_settings(coop, zones=SUMBA_SHIPPING.zones, services=SUMBA_SHIPPING.services)
    return coop


def courier_fee(coop, weight_grams: int, destination: Destination) -> int:
    return quote_shipping(coop, ShippingChoice(COURIER), weight_grams, destination).fee


def test_the_same_parcel_from_sumba_costs_more_the_farther_it_goes(sumba):
    fees = [courier_fee(sumba, 1500, place) for place in (WAINGAPU, JAKARTA, JAYAPURA)]

    assert fees[0] < fees[1] < fees[2]
    assert fees == [10_000 + 8_000, 45_000 + 40_000, 98_000 + 92_000]  # 1,5 kg bills 2 kg


def test_placed_orders_to_sumba_jakarta_and_papua_pay_different_courier_fees(sumba):
    kain = make_product(make_membership(coop=sumba), variants=((350_000, 10),), weight_grams=400)
    placed = {}
    for destination in (WAINGAPU, JAKARTA, JAYAPURA):
        request = checkout_request(
            sumba,
            methods={sumba.id: COURIER},
            city=destination.city,
            province=destination.province,
        )
        order = place_order([(kain.variants[0].id, 1)], request, None).order
        placed[destination.province + destination.city] = order.shipping_total
    assert sorted(placed.values()) == list(placed.values())
    assert len(set(placed.values())) == 3


@pytest.mark.parametrize(
    ("destination", "zone"),
    [
        (WAINGAPU, "Sumba Timur"),  # its own regency, before its province
        (KUPANG, "Nusa Tenggara Timur"),
        (DENPASAR, "Bali & Nusa Tenggara"),  # its island group
        (JAKARTA, "Jawa"),  # a listed province
        (JAYAPURA, "Maluku & Papua"),
        (MEDAN, "Pulau lain"),  # anywhere else
    ],
)
def test_an_address_falls_in_the_first_zone_that_reaches_it(sumba, destination, zone):
    (option,) = [o for o in shipping_options(sumba, 800, destination) if o.method == COURIER]
    assert option.quote.zone_name == zone


def test_the_province_is_read_whatever_its_case_or_spacing(sumba):
    shouted = Destination("  nusa tenggara  TIMUR ", "kabupaten sumba timur")
    assert courier_fee(sumba, 800, shouted) == courier_fee(sumba, 800, WAINGAPU)


@pytest.mark.parametrize(
    ("weight_grams", "tolerance_grams", "kilograms"),
    [
        (1, 300, 1),  # never less than one kilogram
        (999, 300, 1),
        (1000, 300, 1),
        (1300, 300, 1),  # JNE: up to 0,3 kg over the kilo is not billed
        (1301, 300, 2),
        (2000, 300, 2),
        (2350, 300, 3),
        (1001, 0, 2),  # a courier without tolerance bills every gram over
        (1999, 999, 1),
    ],
)
def test_couriers_bill_whole_kilograms_after_their_tolerance(
    weight_grams, tolerance_grams, kilograms
):
    assert billable_kg(weight_grams, tolerance_grams) == kilograms


def test_the_fee_is_the_first_kilogram_then_each_next_one_rounded_as_the_service_rounds():
    coop = make_coop()
    zones = (ZoneInput("Seluruh Indonesia", ZoneKind.EVERYWHERE),)
    rate = (ZoneRateInput(20_000, 15_000, 2, 3),)
    services = (
        CourierServiceInput("JNE REG", rate, rounding_tolerance_grams=300),
        CourierServiceInput("Kurir Teliti", rate, rounding_tolerance_grams=0),
    )
    make_shipping_settings(coop, zones=zones, services=services)

    options = [o for o in shipping_options(coop, 2300, JAKARTA) if o.method == COURIER]

    assert [(o.label, o.fee) for o in options] == [
        ("JNE REG", 20_000 + 15_000),  # 2,3 kg bills 2 kg
        ("Kurir Teliti", 20_000 + 2 * 15_000),  # 2,3 kg bills 3 kg
    ]


def test_a_bulky_parcel_pays_its_volumetric_weight_a_dense_one_its_actual_weight():
    coop = make_coop()
    make_shipping_settings(coop, courier=(10_000, 10_000))
    member = make_membership(coop=coop)
    # 40 x 30 x 25 cm = 30.000 cm3 = 5 kg volumetric, weighing 800 g: a pillow.
    bulky = make_product(member, weight_grams=800, length_cm=40, width_cm=30, height_cm=25)
    # 10 x 10 x 10 cm = 0,167 kg volumetric, weighing 3 kg: a stone carving.
    dense = make_product(member, weight_grams=3000, length_cm=10, width_cm=10, height_cm=10)
    request = checkout_request(coop, methods={coop.id: COURIER}, city="Kota Bandung")

    pillow = place_order([(bulky.variants[0].id, 1)], request, None).order
    carving = place_order([(dense.variants[0].id, 1)], request, None).order

    assert (pillow.shipments[0].weight_grams, pillow.shipping_total) == (5000, 50_000)
    assert (carving.shipments[0].weight_grams, carving.shipping_total) == (3000, 30_000)


def test_a_service_without_a_rate_to_a_zone_is_not_offered_there():
    coop = make_coop(province="Jawa Tengah", city="Kabupaten Jepara")
    zones = (ZoneInput("Jawa", ZoneKind.SAME_ISLAND_GROUP), ZoneInput("Lain", ZoneKind.EVERYWHERE))
    services = (
        CourierServiceInput("JNE REG", (ZoneRateInput(9_000, 9_000, 1, 2), ZoneRateInput(30_000, 30_000, 3, 5))),  # noqa: E501
        CourierServiceInput("Truk Jawa", (ZoneRateInput(50_000, 5_000, 3, 5), None)),
    )  # fmt: skip
    make_shipping_settings(coop, zones=zones, services=services)

    def labels(destination):
        return [o.label for o in shipping_options(coop, 800, destination) if o.method == COURIER]

    assert labels(JAKARTA) == ["JNE REG", "Truk Jawa"]
    assert labels(MEDAN) == ["JNE REG"]
    truck = next(o for o in shipping_options(coop, 800, JAKARTA) if o.label == "Truk Jawa")
    with pytest.raises(Exception) as refused:
        quote_shipping(coop, truck.choice, 800, MEDAN)
    assert refused.value.field == f"shipping-{coop.id}"


def test_a_parcel_over_a_services_maximum_weight_is_not_offered_it():
    coop = make_coop()
    zones = (ZoneInput("Seluruh Indonesia", ZoneKind.EVERYWHERE),)
    services = (
        CourierServiceInput("JNE YES", (ZoneRateInput(40_000, 40_000, 1, 1),), 300, 20_000),
        CourierServiceInput("JNE JTR", (ZoneRateInput(60_000, 6_000, 4, 7),)),  # no limit
    )
    make_shipping_settings(coop, zones=zones, services=services)

    def labels(weight_grams):
        options = shipping_options(coop, weight_grams, JAKARTA)
        return [option.label for option in options if option.method == COURIER]

    assert labels(20_000) == ["JNE YES", "JNE JTR"]  # up to the limit, the limit included
    assert labels(20_001) == ["JNE JTR"]
    yes = next(o for o in shipping_options(coop, 20_000, JAKARTA) if o.label == "JNE YES")
    with pytest.raises(Exception) as refused:
        quote_shipping(coop, yes.choice, 20_001, JAKARTA)  # the cart grew past the limit
    assert refused.value.field == f"shipping-{coop.id}"


def test_the_chosen_service_is_the_one_placed_and_a_bare_courier_takes_the_cheapest():
    coop = make_coop()
    zones = (ZoneInput("Seluruh Indonesia", ZoneKind.EVERYWHERE),)
    services = (
        CourierServiceInput("JNE YES", (ZoneRateInput(40_000, 40_000, 1, 1),)),
        CourierServiceInput("JNE REG", (ZoneRateInput(20_000, 20_000, 2, 4),)),
    )
    make_shipping_settings(coop, zones=zones, services=services)
    variant = make_product(make_membership(coop=coop), variants=((10_000, 10),)).variants[0]
    yes = next(o for o in shipping_options(coop, 250, JAKARTA) if o.label == "JNE YES")

    def placed(choice):
        request = checkout_request(coop, methods={coop.id: choice})
        return place_order([(variant.id, 1)], request, None).order.shipments[0]

    fast = placed(yes.choice)
    cheapest = placed(ShippingMethod.COURIER)
    assert (fast.courier_service, fast.fee, fast.eta_max_days) == ("JNE YES", 40_000, 1)
    assert (cheapest.courier_service, cheapest.fee) == ("JNE REG", 20_000)


def test_a_placed_order_keeps_its_quote_when_the_rates_change(sumba, in_english):
    kain = make_product(make_membership(coop=sumba), variants=((350_000, 10),))
    request = checkout_request(sumba, methods={sumba.id: COURIER}, **_jakarta())
    order = place_order([(kain.variants[0].id, 1)], request, None).order
    cheaper = ShippingSettingsInput(
        offers_pickup=True,
        offers_local=False,
        local_fee=None,
        offers_courier=True,
        zones=(ZoneInput("Semua", ZoneKind.EVERYWHERE),),
        services=(CourierServiceInput("Kurir Baru", (ZoneRateInput(1_000, 1_000, 9, 9),)),),
    )
    update_shipping_settings(sumba, make_membership(coop=sumba).user, cheaper)

    db.session.expire_all()
    shipment = db.session.scalars(
        select(OrderShipment).where(OrderShipment.order_id == order.id)
    ).one()
    assert (shipment.courier_service, shipment.shipping_zone, shipment.fee) == (
        "POS Kilat Khusus",
        "Jawa",
        45_000,
    )
    assert (shipment.eta_min_days, shipment.eta_max_days) == (3, 6)


def _jakarta() -> dict:
    return {"city": JAKARTA.city, "province": JAKARTA.province}


@pytest.mark.parametrize(
    ("days", "text"),
    [((2, 4), "Estimated 2–4 days"), ((1, 1), "Estimated 1 day"), ((3, 3), "Estimated 3 days")],
)
def test_the_estimate_reads_as_a_range_of_days(in_english, days, text):
    assert eta_label(*days) == text


def test_no_estimate_reads_as_nothing(in_english):
    assert eta_label(None, None) == ""


# The seam for a rate API.


class FlatRates:
    """What a RajaOngkir adapter would look like from here: quotes from elsewhere."""

    def courier_quotes(self, cooperative, destination, weight_grams):
        return [CourierQuote(7, "API Express", destination.province, 12_345, 1, 1, 2)]


def test_the_rates_config_names_the_source_of_courier_quotes(app, sumba, monkeypatch):
    monkeypatch.setitem(courier_rates.RATES, "flat", FlatRates)
    monkeypatch.setitem(app.config, "SHIPPING_RATES", "flat")

    (option,) = [o for o in shipping_options(sumba, 800, JAKARTA) if o.method == COURIER]

    assert (option.label, option.fee, option.choice.value) == ("API Express", 12_345, "courier-7")


def test_an_unknown_rates_source_is_a_deployment_mistake(app, monkeypatch):
    monkeypatch.setitem(app.config, "SHIPPING_RATES", "rajaongkir")
    with pytest.raises(RuntimeError, match="SHIPPING_RATES"):
        shipping_rates()


# The estimate at checkout and on the order.


def test_checkout_shows_each_courier_services_fee_and_estimate(client, english, sumba):
    kain = make_product(make_membership(coop=sumba), variants=((350_000, 2),), weight_grams=400)
    client.post("/keranjang/tambah", data={"variant_id": str(kain.variants[0].id), "quantity": "1"})
    address = {
        "contact_name": "Siti",
        "contact_email": "siti@example.test",
        "contact_phone": "081234567890",
        "province": "DKI Jakarta",
        "city": "Kota Jakarta Selatan",
        "district": "Kebayoran Baru",
        "village": "Senayan",
        "postcode": "12190",
        "street": "Jl. Sudirman 1",
        "update": "1",
        f"shipping-{sumba.id}": "courier",
    }

    html = unescape(client.post("/checkout", data=address).get_data(as_text=True))

    assert re.search(r"POS Kilat Khusus:\s+Rp\s45\.000", html)
    assert "Jawa, 0,4 kg (billed as 1 kg)" in html
    assert "Estimated 3–6 days" in html


@pytest.fixture
def courier_order(client):
    shop = make_shop()
    pay(shop.order)
    shop.reload()
    return shop


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_shoppers_order_page_shows_the_service_and_estimate(client, english, courier_order):
    with client.session_transaction() as session:
        remember_order_access(session, courier_order.order.number)

    page = text_of(client.get(f"/pesanan/{courier_order.order.number}"))

    assert "Courier · JNE REG" in page
    assert "Delivery time Estimated 2–4 days" in page


def test_the_admins_order_page_shows_the_service_zone_and_estimate(
    client, english, login, courier_order
):
    login(courier_order.batik_admin)
    number = courier_order.order.number

    page = text_of(client.get(f"/koperasi/{courier_order.batik.slug}/kelola/pesanan/{number}"))

    assert "Courier · JNE REG · Rp 25.000" in page
    assert "Delivery time Estimated 2–4 days (Seluruh Indonesia)" in page
