"""Orders paid through the real payment rules, for the ledger's tests."""

import pytest

from shop.checkout.models import ShippingMethod
from shop.checkout.services import place_order
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings


@pytest.fixture
def two_coops():
    """Tani (fee 2,5 %, local delivery Rp 12.000): Siti's keripik (3 x Rp 15.000) and Budi's
    madu (1 x Rp 40.000). Batik (fee 10 %, pickup): Rina's kain (1 x Rp 350.000)."""
    tani = make_coop(name="Tani", fee_bp=250, city="Kota Yogyakarta")
    batik = make_coop(name="Batik", fee_bp=1000)
    make_shipping_settings(tani, offers_local=True, local_fee=12000)
    siti, budi = make_membership(coop=tani), make_membership(coop=tani)
    rina = make_membership(coop=batik)
    keripik = make_product(siti, variants=((15000, 10),))
    madu = make_product(budi, variants=((40000, 10),))
    kain = make_product(rina, variants=((350000, 10),))
    lines = [(keripik.variants[0].id, 3), (madu.variants[0].id, 1), (kain.variants[0].id, 1)]
    request = checkout_request(tani, batik, methods={tani.id: ShippingMethod.LOCAL})
    order = place_order(lines, request, None).order
    return order, tani, batik, siti, budi, rina
