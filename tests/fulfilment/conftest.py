"""Orders paid through the real payment rules, for the fulfilment tests.

Two cooperatives: Tani (fee 2,5 %, local delivery Rp 12.000, hold 3 days) sells Siti's
keripik (3 x Rp 15.000) and Budi's madu (1 x Rp 40.000); Batik (fee 10 %, courier Rp
25.000) sells Rina's kain (1 x Rp 350.000). Grand total Rp 472.000.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from shop.accounts.models import User
from shop.checkout.models import Order, OrderLine, OrderShipment, ShippingMethod
from shop.checkout.services import place_order
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.ledger.journal import balance
from shop.ledger.models import Account
from shop.payments.attempts import start_payment
from shop.payments.gateway import Gateway
from shop.payments.services import apply_gateway_status
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings, pay
from tests.payments.conftest import _receiver, choose, simulator_app  # noqa: F401  (fixtures)
from tests.shared import shared_data

LOCAL_FEE = 12_000
COURIER_FEE = 25_000


@dataclass
class Shop:
    order: Order
    access_token: str
    tani: Cooperative
    batik: Cooperative
    siti: Membership
    budi: Membership
    rina: Membership
    tani_admin: User
    batik_admin: User

    def line(self, member: Membership) -> OrderLine:
        return next(line for line in self.order.lines if line.member_id == member.id)

    def shipment(self, coop: Cooperative) -> OrderShipment:
        return db.session.scalar(
            select(OrderShipment)
            .where(OrderShipment.order_id == self.order.id, OrderShipment.cooperative_id == coop.id)
            .execution_options(populate_existing=True)
        )

    def reload(self) -> Order:
        db.session.expire_all()
        self.order = db.session.get(Order, self.order.id)
        return self.order


# Built once per module, as `paid` is: some 150 tests start from this order. Not shared with a test
# that pays it at the simulator.
@shared_data(not_with=("simulator_app",))
def shop() -> Shop:
    """The order placed (not paid yet)."""
    return make_shop()


def make_shop(prefix: str = "") -> Shop:
    """The two cooperatives and the order; prefix keeps names apart where nothing is rolled
    back (the browser tests' live database)."""
    tani = make_coop(name=f"{prefix}Koperasi Tani", fee_bp=250)
    batik = make_coop(name=f"{prefix}Koperasi Batik", fee_bp=1000)
    make_shipping_settings(tani, offers_local=True, local_fee=LOCAL_FEE)
    make_shipping_settings(batik, courier=(COURIER_FEE, 0))
    siti = make_membership(coop=tani, business_name="Keripik Bu Siti")
    budi = make_membership(coop=tani, business_name="Madu Pak Budi")
    rina = make_membership(coop=batik, business_name="Batik Rina")
    keripik = make_product(siti, variants=((15_000, 10),), name="Keripik Tempe")
    madu = make_product(budi, variants=((40_000, 10),), name="Madu Hutan")
    kain = make_product(rina, variants=((350_000, 10),), name="Kain Batik")
    lines = [(keripik.variants[0].id, 3), (madu.variants[0].id, 1), (kain.variants[0].id, 1)]
    request = checkout_request(
        tani, batik, methods={tani.id: ShippingMethod.LOCAL, batik.id: ShippingMethod.COURIER}
    )
    placed = place_order(lines, request, None)
    return Shop(
        order=placed.order,
        access_token=placed.access_token,
        tani=tani,
        batik=batik,
        siti=siti,
        budi=budi,
        rina=rina,
        tani_admin=make_membership(coop=tani, role=Role.ADMIN).user,
        batik_admin=make_membership(coop=batik, role=Role.ADMIN).user,
    )


@shared_data(not_with=("simulator_app",))
def paid(shop) -> Shop:
    """The order paid by QRIS (settlement posted by the real payment rules)."""
    pay(shop.order)
    shop.reload()
    return shop


def pay_through_simulator(order: Order, gateway: Gateway, method: str) -> None:
    """What a shopper does: a payment attempt at the simulator, paid with `method`; then the
    status asked of the simulator is applied, as a notification would."""
    redirect_url = start_payment(order, gateway, "http://shop.test/pesanan/selesai")
    choose(redirect_url, method, "pay")
    apply_gateway_status(order, gateway.status(order.current_payment_id))


def balances(coop: Cooperative, member: Membership) -> tuple[int, int]:
    """(pending, available) of a member."""
    return (
        balance(coop.id, Account.MEMBER_PENDING, member.id),
        balance(coop.id, Account.MEMBER_AVAILABLE, member.id),
    )


def delivered_days_ago(shipment: OrderShipment, days: float) -> None:
    """Move a delivered part's delivery back in time, as if the hold period had run."""
    db.session.execute(
        update(OrderShipment)
        .where(OrderShipment.id == shipment.id)
        .values(delivered_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def paid_order_of(coop: Cooperative, gateway: Gateway, method: str = "qris") -> Order:
    """An order of one product of a new member of coop (2 x Rp 15.000, pickup), paid at the
    simulator by QRIS (so that Midtrans can refund it) or the given method. For tests of
    other folders too."""
    product = make_product(make_membership(coop=coop), variants=((15_000, 10),))
    order = place_order([(product.variants[0].id, 2)], checkout_request(coop), None).order
    pay_through_simulator(order, gateway, method)
    return order
