"""Random sequences of everything that moves money — orders, Midtrans's answers (duplicated,
out of order), deliveries and completions, refunds, payouts, simpanan deposits and sukarela
withdrawals — and after every step the books must hold: `flask ledger check`, plus
conservation laws computed without the ledger."""

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from shop.checkout.models import (
    RELEASING_STATUSES,
    Order,
    OrderLine,
    OrderShipment,
    ShipmentStatus,
)
from shop.checkout.services import place_order
from shop.coops.models import Role
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.fulfilment.services import advance_shipment, complete_shipment, confirm_receipt
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, Payout, PayoutStatus, RefundLine
from shop.payments.gateway import TransactionStatus
from shop.payments.services import apply_gateway_status
from shop.payouts.services import approve_payout, mark_payout_paid, reject_payout, request_payout
from shop.savings.models import PaymentMethod, SavingsKind, SavingsMovement
from shop.savings.services import (
    SavingsError,
    SavingsRecord,
    record_deposit,
    record_withdrawal,
    save_settings,
    savings_balance,
)
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_user

STOCK = 1000
GATEWAY_STATES = ("pending", "settlement", "expire", "deny", "cancel")
METHODS = ("qris", "gopay", "credit_card")  # refundable by API
POKOK = 25_000  # the first cooperative's simpanan pokok; the second sets none (0)


class RefundingGateway:
    """Midtrans's answer to a refund of a card or e-wallet payment: the one edge replaced
    here, since the property is about our books, not the HTTP (tests/fulfilment drive the
    simulator)."""

    def __init__(self):
        self.refunded: dict[str, int] = defaultdict(int)

    def refund(self, order_id, refund_key, amount, reason):
        self.refunded[order_id] += amount
        return TransactionStatus(
            order_id=order_id,
            transaction_status="partial_refund",
            refund_amount=self.refunded[order_id],
            raw={"refunds": [{"refund_key": refund_key, "refund_amount": f"{amount}.00"}]},
        )


class MoneyMachine(RuleBasedStateMachine):
    orders = Bundle("orders")
    payouts = Bundle("payouts")

    def __init__(self):
        super().__init__()
        self.coops = [make_coop(fee_bp=250, min_payout=10_000), make_coop(fee_bp=1000)]
        self.admins = [make_membership(coop=coop, role=Role.ADMIN).user for coop in self.coops]
        bank = {"bank_name": "BRI", "bank_account_number": "0123", "bank_account_holder": "A"}
        self.members = [
            make_membership(coop=self.coops[0], **bank),
            make_membership(coop=self.coops[0], **bank),
            make_membership(coop=self.coops[1], **bank),
        ]
        self.products = [
            make_product(member, variants=((price, STOCK),))
            for member, price in zip(self.members, (15_000, 40_000, 350_000), strict=True)
        ]
        self.shopper = make_user()
        self.gateway = RefundingGateway()
        save_settings(self.coops[0], POKOK, 10_000, None, self.admins[0])

    @rule(
        target=orders,
        picks=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=3),
        method=st.sampled_from((None, *METHODS)),
    )
    def place(self, picks, method):
        """A shopper's order; most are paid at once (method), some never are (None)."""
        lines = {self.products[index].variants[0].id: quantity for index, quantity in picks}
        coops = {self.products[index].cooperative for index, _quantity in picks}
        order = place_order(list(lines.items()), checkout_request(*coops), self.shopper).order
        if method is not None:
            self._midtrans_says(order, "settlement", method)
        return order

    @rule(order=orders, method=st.sampled_from(METHODS))
    def midtrans_settles(self, order, method):
        self._midtrans_says(order, "settlement", method)

    @rule(order=orders, state=st.sampled_from(GATEWAY_STATES), method=st.sampled_from(METHODS))
    def midtrans_says(self, order, state, method):
        """Any answer, at any time: duplicates, late ones, closings after payment."""
        self._midtrans_says(order, state, method)

    def _midtrans_says(self, order, state, method):
        status = TransactionStatus(
            order_id=order.number,
            transaction_status=state,
            gross_amount=order.grand_total,
            payment_type=method,
        )
        apply_gateway_status(order, status)

    @rule(order=orders, part=st.integers(0, 1), steps=st.integers(1, 3))
    def fulfil(self, order, part, steps):
        """The cooperative packs, ships, delivers: some of it, perhaps out of turn."""
        shipment = self._shipment(order, part)
        if shipment is None:
            return
        targets = (ShipmentStatus.PACKED, ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
        try:
            for target in targets[:steps]:
                advance_shipment(shipment, target, self._admin_of(shipment.cooperative_id),
                                 tracking_number="JNE123")  # fmt: skip
        except (ShopError, InvalidTransition):
            pass  # a step out of turn is refused, and must change nothing

    @rule(order=orders, part=st.integers(0, 1), early=st.booleans())
    def deliver_and_complete(self, order, part, early):
        """Sent, delivered, then the shopper confirms receipt or the hold period passes."""
        shipment = self._shipment(order, part)
        if shipment is None:
            return
        self.fulfil(order, part, steps=3)
        try:
            if early:
                confirm_receipt(order, shipment.cooperative_id, self.shopper)
            else:
                complete_shipment(shipment, None, now=utcnow() + timedelta(days=30))
        except (ShopError, InvalidTransition):
            pass

    def _shipment(self, order, part):
        db.session.refresh(order)
        return order.shipments[part] if part < len(order.shipments) else None

    def _admin_of(self, cooperative_id):
        return self.admins[[coop.id for coop in self.coops].index(cooperative_id)]

    @rule(order=orders, line=st.integers(0, 2), quantity=st.integers(1, 3))
    def refund(self, order, line, quantity):
        db.session.refresh(order)
        if line >= len(order.lines):
            return
        target = order.lines[line]
        cooperative = next(c for c in self.coops if c.id == target.cooperative_id)
        admin = self._admin_of(cooperative.id)
        try:
            refund_lines(order, cooperative, {target.id: quantity}, "rusak", admin, self.gateway)
        except ShopError:
            pass

    @rule(target=payouts, member=st.integers(0, 2), amount=st.integers(1, 120_000))
    def ask_for_payout(self, member, amount):
        membership = self.members[member]
        try:
            return request_payout(membership, amount, membership.user)
        except ShopError:
            return None

    @rule(
        member=st.integers(0, 2),
        amount=st.integers(10_000, 60_000),
        decisions=st.lists(st.sampled_from(("approve", "pay", "reject")), max_size=2),
    )
    def cash_out(self, member, amount, decisions):
        """A request and the admin's decisions on it, in one go."""
        payout = self.ask_for_payout(member, amount)
        for decision in decisions:
            self.decide_payout(payout, decision)

    @rule(payout=payouts, decision=st.sampled_from(("approve", "pay", "reject")))
    def decide_payout(self, payout, decision):
        if payout is None:
            return
        admin = self._admin_of(payout.cooperative_id)
        try:
            if decision == "approve":
                approve_payout(payout, admin)
            elif decision == "pay":
                mark_payout_paid(payout, "TRF-0001", admin)
            else:
                reject_payout(payout, "salah rekening", admin)
        except ShopError:
            pass

    @rule(
        member=st.integers(0, 2),
        kind=st.sampled_from(SavingsKind),
        amount=st.integers(-1, 40_000),
        by_transfer=st.booleans(),
    )
    def save(self, member, kind, amount, by_transfer):
        """An admin records a deposit: refused beyond the pokok owed, at Rp 0 or below, or
        a transfer without its reference (every other one has one here)."""
        membership = self.members[member]
        method = PaymentMethod.TRANSFER if by_transfer else PaymentMethod.CASH
        reference = "TRF-1" if by_transfer and amount % 2 else ""
        record = SavingsRecord(membership, kind, amount, method, reference, date(2026, 12, 1))
        try:
            record_deposit(record, self._admin_of(membership.cooperative_id))
        except SavingsError:
            pass

    @rule(member=st.integers(0, 2), kind=st.sampled_from(SavingsKind),
          amount=st.integers(1, 50_000))  # fmt: skip
    def withdraw(self, member, kind, amount):
        """Sukarela paid back, within its balance; pokok and wajib never."""
        membership = self.members[member]
        record = SavingsRecord(membership, kind, amount, PaymentMethod.CASH, "",
                               date(2026, 12, 2))  # fmt: skip
        try:
            record_withdrawal(record, self._admin_of(membership.cooperative_id))
        except SavingsError:
            pass

    @invariant()
    def books_hold(self):
        assert check_ledger() == []

    @invariant()
    def members_money_is_conserved(self):
        """What each member earned on paid orders, less refunds, is pending, available, in
        transit or paid out: not a Rupiah more or less."""
        for member in self.members:
            earned = db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.member_amount), 0))
                .join(Order, Order.id == OrderLine.order_id)
                .where(OrderLine.member_id == member.id, Order.paid_at.is_not(None))
            )
            refunded = db.session.scalar(
                select(func.coalesce(func.sum(RefundLine.member_amount), 0))
                .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
                .where(OrderLine.member_id == member.id)
            )
            paid_out = db.session.scalar(
                select(func.coalesce(func.sum(Payout.amount), 0)).where(
                    Payout.member_id == member.id,
                    Payout.status.in_([PayoutStatus.APPROVED, PayoutStatus.PAID]),
                )
            )
            coop_id = member.cooperative_id
            held = balance(coop_id, Account.MEMBER_PENDING, member.id) + balance(
                coop_id, Account.MEMBER_AVAILABLE, member.id
            )
            assert held + paid_out == earned - refunded
            assert balance(coop_id, Account.MEMBER_AVAILABLE, member.id) >= 0

    @invariant()
    def savings_are_conserved(self):
        """Each member's simpanan of each kind is their deposits less their withdrawals, as
        the movement rows say; sukarela never below 0, pokok never beyond what is owed, and
        only sukarela is ever withdrawn."""
        pokok_owed = {self.coops[0].id: POKOK, self.coops[1].id: 0}
        for member in self.members:
            for kind in SavingsKind:
                rows = db.session.execute(
                    select(SavingsMovement.is_withdrawal, SavingsMovement.amount).where(
                        SavingsMovement.member_id == member.id, SavingsMovement.kind == kind
                    )
                ).all()
                moved = sum(-amount if out else amount for out, amount in rows)
                assert savings_balance(member, kind) == moved
                assert moved >= 0
                if kind != SavingsKind.SUKARELA:
                    assert not any(out for out, _amount in rows)
            assert savings_balance(member, SavingsKind.POKOK) <= pokok_owed[member.cooperative_id]

    @invariant()
    def stock_is_conserved(self):
        """Each unit is on the shelf or in exactly one order that still holds it."""
        for product in self.products:
            variant = product.variants[0]
            db.session.refresh(variant)
            held = db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.quantity), 0))
                .join(Order, Order.id == OrderLine.order_id)
                .where(
                    OrderLine.variant_id == variant.id,
                    Order.status.not_in(list(RELEASING_STATUSES)),
                )
            )
            assert variant.stock + held == STOCK


def test_random_money_sequences_keep_the_books(db_session):
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert db.session.scalar(select(func.count()).select_from(OrderShipment)) > 0
    assert db.session.scalar(select(func.count()).select_from(SavingsMovement)) > 0
