"""An order whose Tani part (Siti's keripik x 3, Budi's madu x 1) is completed and whose
Batik part (Rina's kain) is only paid: the first two lines can be reviewed, the third not."""

from sqlalchemy import select

from shop.checkout.models import OrderShipment, ShipmentStatus
from shop.checkout.services import place_order
from shop.coops.models import Role
from shop.extensions import db
from shop.fulfilment.services import advance_shipment, confirm_receipt
from shop.reviews import services
from tests.checkout.test_orders import checkout_request
from tests.factories import make_membership, make_product, pay
from tests.fulfilment.conftest import Shop, make_shop
from tests.shared import shared_data


def complete_part(shop: Shop, coop, admin) -> None:
    for target in (ShipmentStatus.PACKED, ShipmentStatus.SHIPPED):
        advance_shipment(shop.shipment(coop), target, admin)
    confirm_receipt(shop.order, coop.id, None)


@shared_data  # built once per module: an order paid and completed
def completed() -> Shop:
    shop = make_shop()
    pay(shop.order)
    shop.reload()
    complete_part(shop, shop.tani, shop.tani_admin)
    shop.reload()
    return shop


def reviews_of_completed_order(coop, hidden=(False,), member=None) -> list:
    """One review per entry of hidden, each of a product of member (a new member of coop by
    default) bought in one pickup order, paid and completed; hidden ones hidden by an admin.
    For the access tables too."""
    member = member or make_membership(coop=coop, business_name="Dapur Ulasan")
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    products = [
        make_product(member, name=f"Kue {n}", slug=f"kue-ulasan-{n}") for n in range(len(hidden))
    ]
    order = place_order(
        [(product.variants[0].id, 1) for product in products], checkout_request(coop), None
    ).order
    pay(order)
    shipment = db.session.scalar(select(OrderShipment).where(OrderShipment.order_id == order.id))
    for target in (ShipmentStatus.PACKED, ShipmentStatus.SHIPPED):
        advance_shipment(shipment, target, admin)
    confirm_receipt(order, coop.id, None)
    reviews = []
    for line, is_hidden in zip(order.lines, hidden, strict=True):
        review = services.write_review(order, line.id, services.ReviewInput(4, "Enak", []))
        if is_hidden:
            services.hide_review(review, coop, admin, "Kasar")
        reviews.append(review)
    return reviews
