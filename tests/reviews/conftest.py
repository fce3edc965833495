"""An order whose Tani part (Siti's keripik x 3, Budi's madu x 1) is completed and whose
Batik part (Rina's kain) is only paid: the first two lines can be reviewed, the third not."""

import pytest

from shop.checkout.models import ShipmentStatus
from shop.fulfilment.services import advance_shipment, confirm_receipt
from tests.factories import pay
from tests.fulfilment.conftest import Shop, make_shop


def complete_part(shop: Shop, coop, admin) -> None:
    for target in (ShipmentStatus.PACKED, ShipmentStatus.SHIPPED):
        advance_shipment(shop.shipment(coop), target, admin)
    confirm_receipt(shop.order, coop.id, None)


@pytest.fixture
def completed() -> Shop:
    shop = make_shop()
    pay(shop.order)
    shop.reload()
    complete_part(shop, shop.tani, shop.tani_admin)
    shop.reload()
    return shop
