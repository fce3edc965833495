"""Each variant ships at its own weight, and a bulky parcel at its volumetric weight."""

from shop.catalog.models import ProductVariant
from shop.checkout.models import ShippingMethod
from shop.checkout.services import place_order
from shop.checkout.shipping import parcel_weight_grams, volumetric_grams
from shop.extensions import db
from tests.checkout.test_orders import checkout_request
from tests.factories import make_product, make_shipping_settings


def two_sizes(tani, **over):
    product = make_product(tani.siti, variants=((15000, 10), (50000, 10)), **over)
    small, big = product.variants
    small.weight_grams, big.weight_grams = 250, 1000
    db.session.commit()
    return product, small, big


def test_the_heavier_variant_is_charged_at_its_own_weight(tani):
    make_shipping_settings(tani.coop, courier=(10_000, 10_000))
    _product, small, big = two_sizes(tani)
    courier = checkout_request(tani.coop, methods={tani.coop.id: ShippingMethod.COURIER})

    light = place_order([(small.id, 2)], courier, None).order
    heavy = place_order([(big.id, 2)], courier, None).order

    assert (light.shipments[0].weight_grams, light.shipping_total) == (500, 10_000)
    assert (heavy.shipments[0].weight_grams, heavy.shipping_total) == (2000, 20_000)


def test_a_bulky_parcel_ships_at_its_volumetric_weight(tani):
    product, small, _big = two_sizes(tani, length_cm=30, width_cm=20, height_cm=10)
    assert volumetric_grams(product) == 1000  # 6000 cm3 / 6000 = 1 kg
    assert parcel_weight_grams([(db.session.get(ProductVariant, small.id), 2)]) == 2000
    product.length_cm = product.width_cm = product.height_cm = 0
    assert parcel_weight_grams([(small, 2)]) == 500
