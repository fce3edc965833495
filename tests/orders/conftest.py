"""Orders for the order-page tests, placed through the real place_order.

This is the one place that knows how a CheckoutRequest is built; when checkout changes its
shape, only place() here needs to follow.
"""

from shop.checkout.models import Order, ShippingMethod
from shop.checkout.services import CheckoutRequest, PlacedOrder, place_order
from shop.extensions import db
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings, pay

LOCAL_FEE = 12000


def place(items, user=None, local=(), email="siti@example.test", language="id") -> PlacedOrder:
    """An order for (product, quantity) pairs: each cooperative's part picked up, or sent by
    local delivery (fee LOCAL_FEE) for the cooperatives in `local`."""
    cooperative_ids = sorted({product.cooperative_id for product, _quantity in items})
    local_ids = {coop.id for coop in local}
    for coop in local:
        make_shipping_settings(coop, offers_local=True, local_fee=LOCAL_FEE)
    request = CheckoutRequest(
        contact_name="Siti Aminah",
        contact_email=email,
        contact_phone="+6281234567890",
        province="DI Yogyakarta",
        city="Kota Yogyakarta",
        district="Gondokusuman",
        village="Baciro",
        postcode="55225",
        street="Jl. Melati 5",
        language=language,
        shipping={
            coop_id: ShippingMethod.LOCAL if coop_id in local_ids else ShippingMethod.PICKUP
            for coop_id in cooperative_ids
        },
    )
    return place_order(
        [(product.variants[0].id, quantity) for product, quantity in items], request, user
    )


def products_in(count: int) -> list:
    """One product in each of `count` new cooperatives, priced 10.000, 20.000, ..."""
    products = []
    for n in range(1, count + 1):
        coop = make_coop(name=f"Koperasi Nomor {n}")
        membership = make_membership(coop=coop)
        products.append(
            make_product(membership, variants=((10000 * n, 50),), name=f"Produk Nomor {n}")
        )
    return products


def mark_paid(order: Order, method: str = "qris", at=None) -> None:
    """Paid the way Midtrans's answer pays it (the ledger posts the settlement too)."""
    pay(order, method)
    if at is not None:
        order.paid_at = at
        db.session.commit()
