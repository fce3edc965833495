"""Refunding lines: the gateway asked once, the fee given back to the Rupiah, the member's
part taken from pending or available, and every refusal leaving nothing behind.

Worked by hand, Tani's fee 2,5 % on Siti's keripik, 3 x Rp 15.000 = Rp 45.000, fee 1.125:
refund 1 unit -> fee_for(15.000) = 375, Siti gives back 14.625;
refund 2 more -> fee_for(45.000) - fee_for(15.000) = 1.125 - 375 = 750, Siti gives 29.250.
375 + 750 = 1.125, the line's fee exactly; Siti's 43.875 pending is back to 0.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.checkout.models import OrderStatus
from shop.checkout.services import place_order
from shop.errors import NotFound
from shop.extensions import db
from shop.fulfilment.refunds import RefundRefused, refund_lines
from shop.fulfilment.services import (
    complete_shipment,
    confirm_receipt,
    mark_delivered,
    mark_packed,
    mark_shipped,
)
from shop.ledger.checks import check_ledger
from shop.ledger.journal import add_entry, balance, credit, debit
from shop.ledger.models import (
    Account,
    EntryKind,
    JournalEntry,
    Payout,
    PayoutStatus,
    Posting,
    Refund,
    RefundLine,
)
from shop.payments.gateway import (
    GatewayRejected,
    GatewayUnavailable,
    TransactionStatus,
    gateway_from_config,
)
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, pay
from tests.fulfilment.conftest import balances, pay_through_simulator

SITI, BUDI = 43_875, 39_000


class FakeGateway:
    """Midtrans's refund endpoint, agreeing to everything unless told to fail."""

    def __init__(self, error: Exception | None = None):
        self.calls: list[tuple] = []
        self.error = error

    def refund(self, order_id, refund_key, amount, reason):
        self.calls.append((order_id, refund_key, amount, reason))
        if self.error is not None:
            raise self.error
        return TransactionStatus(
            order_id=order_id, transaction_status="partial_refund", refund_amount=amount
        )


def written() -> tuple:
    """Everything a refund writes."""
    return (
        db.session.scalar(select(func.count()).select_from(Refund)),
        db.session.scalar(select(func.count()).select_from(RefundLine)),
        db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == EntryKind.REFUND)
        ),
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "order.refunded")
        ),
    )


def refund_postings(refund: Refund) -> list[tuple]:
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.refund_id == refund.id))
    assert entry.idempotency_key == f"refund:{refund.refund_key}"
    return sorted((p.account.value, p.member_id, p.amount) for p in entry.postings)


def complete_now(shop, coop, admin):
    shipment = shop.shipment(coop)
    mark_packed(shipment, admin)
    mark_shipped(shipment, admin, "RESI-1")
    mark_delivered(shipment, admin)
    assert complete_shipment(shipment, None, utcnow() + timedelta(days=30))


def test_refunding_a_line_in_two_steps_gives_back_its_fee_exactly(paid):
    gateway = FakeGateway()
    line = paid.line(paid.siti)
    fees_before = balance(paid.tani.id, Account.FEE_REVENUE)
    clearing_before = balance(paid.tani.id, Account.GATEWAY_CLEARING)

    first = refund_lines(paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, gateway)
    assert balances(paid.tani, paid.siti) == (SITI - 14_625, 0)
    assert check_ledger() == []
    second = refund_lines(paid.order, paid.tani, {line.id: 2}, "Basi", paid.tani_admin, gateway)

    number = paid.order.number
    assert gateway.calls == [
        (number, f"{number}-R1", 15_000, "Rusak"),
        (number, f"{number}-R2", 30_000, "Basi"),
    ]
    assert [(r.amount, r.refund_key) for r in (first, second)] == [
        (15_000, f"{number}-R1"),
        (30_000, f"{number}-R2"),
    ]
    assert [(rl.quantity, rl.amount, rl.fee, rl.member_amount) for rl in first.lines] == [
        (1, 15_000, 375, 14_625)
    ]
    assert [(rl.quantity, rl.amount, rl.fee, rl.member_amount) for rl in second.lines] == [
        (2, 30_000, 750, 29_250)
    ]
    assert 375 + 750 == line.fee == 1_125
    assert refund_postings(second) == sorted(
        [
            ("member_pending", paid.siti.id, 29_250),
            ("fee_revenue", None, 750),
            ("gateway_clearing", None, -30_000),
        ]
    )
    assert balances(paid.tani, paid.siti) == (0, 0)
    assert balances(paid.tani, paid.budi) == (BUDI, 0)
    assert balance(paid.tani.id, Account.FEE_REVENUE) == fees_before - 1_125
    assert balance(paid.tani.id, Account.GATEWAY_CLEARING) == clearing_before - 45_000
    assert check_ledger() == []


def single_line_order(price: int, quantity: int, fee_bp: int):
    coop = make_coop(fee_bp=fee_bp)
    member = make_membership(coop=coop)
    admin = make_membership(coop=coop, role="admin").user
    product = make_product(member, variants=((price, 10),))
    order = place_order([(product.variants[0].id, quantity)], checkout_request(coop), None).order
    pay(order)
    return order, coop, member, admin


def test_rounded_fees_of_the_steps_add_up_to_the_lines_fee():
    # 3 x 3.333 at 2,5 %: fee on 9.999 is 249,975 -> 250; on 3.333, 83,325 -> 83;
    # on 6.666, 166,65 -> 167. Steps: 83, 167 - 83 = 84, 250 - 167 = 83.
    order, coop, member, admin = single_line_order(3_333, 3, 250)
    [line] = order.lines
    assert line.fee == 250
    gateway = FakeGateway()

    refunds = [refund_lines(order, coop, {line.id: 1}, "Cacat", admin, gateway) for _ in range(3)]

    assert [refund.lines[0].fee for refund in refunds] == [83, 84, 83]
    assert [refund.lines[0].member_amount for refund in refunds] == [3_250, 3_249, 3_250]
    assert balance(coop.id, Account.MEMBER_PENDING, member.id) == 0
    assert balance(coop.id, Account.FEE_REVENUE) == 0
    assert check_ledger() == []


def test_after_completion_the_refund_comes_out_of_available(paid):
    complete_now(paid, paid.tani, paid.tani_admin)
    assert balances(paid.tani, paid.siti) == (0, SITI)

    refund = refund_lines(
        paid.order, paid.tani, {paid.line(paid.siti).id: 1}, "Rusak", paid.tani_admin, FakeGateway()
    )

    assert balances(paid.tani, paid.siti) == (0, SITI - 14_625)
    assert refund_postings(refund) == sorted(
        [
            ("member_available", paid.siti.id, 14_625),
            ("fee_revenue", None, 375),
            ("gateway_clearing", None, -15_000),
        ]
    )
    assert check_ledger() == []


def test_completion_after_a_refund_moves_only_what_is_left(paid):
    line = paid.line(paid.siti)
    refund_lines(paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, FakeGateway())

    complete_now(paid, paid.tani, paid.tani_admin)

    assert balances(paid.tani, paid.siti) == (0, SITI - 14_625)
    assert balances(paid.tani, paid.budi) == (0, BUDI)
    assert check_ledger() == []


def test_a_part_refunded_in_full_completes_without_moving_money(paid):
    lines = {paid.line(paid.siti).id: 3, paid.line(paid.budi).id: 1}
    refund_lines(paid.order, paid.tani, lines, "Habis", paid.tani_admin, FakeGateway())
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)

    assert confirm_receipt(paid.order, paid.tani.id, None) is True

    completions = db.session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "completion")
    )
    assert completions == 0
    assert balances(paid.tani, paid.siti) == (0, 0)
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("before", "asked"),
    [(0, 4), (2, 2), (3, 1), (0, -1)],
    ids=["more-than-bought", "more-than-left", "all-refunded-already", "negative"],
)
def test_a_refund_above_what_was_paid_is_refused_and_posts_nothing(paid, before, asked):
    line = paid.line(paid.siti)
    gateway = FakeGateway()
    if before:
        refund_lines(paid.order, paid.tani, {line.id: before}, "Awal", paid.tani_admin, gateway)
    state, calls = written(), list(gateway.calls)
    pending = balances(paid.tani, paid.siti)

    with pytest.raises(RefundRefused) as refused:
        refund_lines(paid.order, paid.tani, {line.id: asked}, "Lagi", paid.tani_admin, gateway)

    assert refused.value.line_id == line.id
    assert "Keripik Tempe" in refused.value.message
    if before < 3:
        assert "melebihi yang dibayar" in refused.value.message  # "above what was paid"
        assert f"paling banyak {3 - before}" in refused.value.message  # "at most"
    assert written() == state
    assert gateway.calls == calls
    assert balances(paid.tani, paid.siti) == pending
    assert check_ledger() == []


def test_lines_of_another_cooperative_cannot_be_refunded(paid):
    gateway = FakeGateway()

    with pytest.raises(RefundRefused):
        refund_lines(
            paid.order, paid.tani, {paid.line(paid.rina).id: 1}, "x", paid.tani_admin, gateway
        )

    assert written() == (0, 0, 0, 0) and gateway.calls == []


def test_nothing_chosen_is_refused(paid):
    gateway = FakeGateway()

    with pytest.raises(RefundRefused):
        refund_lines(
            paid.order, paid.tani, {paid.line(paid.siti).id: 0}, "x", paid.tani_admin, gateway
        )

    assert written() == (0, 0, 0, 0) and gateway.calls == []


def test_an_unpaid_order_cannot_be_refunded(shop):
    gateway = FakeGateway()

    with pytest.raises(RefundRefused):
        refund_lines(
            shop.order, shop.tani, {shop.line(shop.siti).id: 1}, "x", shop.tani_admin, gateway
        )

    assert written() == (0, 0, 0, 0) and gateway.calls == []


def test_a_cooperative_without_a_part_in_the_order_is_not_found(paid):
    outsider = make_coop()

    with pytest.raises(NotFound):
        refund_lines(
            paid.order, outsider, {paid.line(paid.siti).id: 1}, "x", paid.tani_admin, FakeGateway()
        )

    assert written() == (0, 0, 0, 0)


def approve_payout(coop, member, amount: int) -> None:
    """What an approved payout posts (the payouts feature's rule, written out here)."""
    payout = Payout(
        cooperative_id=coop.id,
        member_id=member.id,
        amount=amount,
        status=PayoutStatus.APPROVED,
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti",
        requested_by_id=member.user_id,
    )
    db.session.add(payout)
    db.session.flush()
    add_entry(
        f"payout-approved:{payout.id}",
        EntryKind.PAYOUT_APPROVED,
        coop.id,
        [
            debit(Account.MEMBER_AVAILABLE, amount, member.id),
            credit(Account.PAYOUTS_IN_TRANSIT, amount),
        ],
        payout_id=payout.id,
    )
    db.session.commit()


def test_a_refund_that_would_make_available_negative_is_refused_naming_the_member(paid):
    complete_now(paid, paid.tani, paid.tani_admin)
    approve_payout(paid.tani, paid.siti, SITI - 10_000)  # Rp 10.000 left available
    gateway = FakeGateway()
    state = written()

    with pytest.raises(RefundRefused) as refused:
        refund_lines(
            paid.order, paid.tani, {paid.line(paid.siti).id: 1}, "Rusak", paid.tani_admin, gateway
        )

    message = refused.value.message
    assert "Keripik Bu Siti" in message
    assert "Rp 10.000" in message and "Rp 14.625" in message
    assert "sudah dicairkan" in message  # "paid out"
    assert gateway.calls == []
    assert written() == state
    assert balances(paid.tani, paid.siti) == (0, 10_000)
    assert check_ledger() == []


def test_a_refund_within_what_is_left_available_goes_through(paid):
    complete_now(paid, paid.tani, paid.tani_admin)
    approve_payout(paid.tani, paid.siti, SITI - 14_625)  # exactly one unit's part left

    refund_lines(
        paid.order, paid.tani, {paid.line(paid.siti).id: 1}, "Rusak", paid.tani_admin, FakeGateway()
    )

    assert balances(paid.tani, paid.siti) == (0, 0)
    assert check_ledger() == []


@pytest.mark.parametrize(
    "error",
    [
        GatewayRejected("refused", "Refund amount is not allowed", 200, "414"),
        GatewayUnavailable("not answering", "ReadTimeout"),
    ],
    ids=["rejected", "unavailable"],
)
def test_a_gateway_failure_writes_nothing(paid, error):
    gateway = FakeGateway(error)

    with pytest.raises(type(error)) as raised:
        refund_lines(
            paid.order, paid.tani, {paid.line(paid.siti).id: 1}, "Rusak", paid.tani_admin, gateway
        )

    assert raised.value.message == error.message
    assert len(gateway.calls) == 1
    assert written() == (0, 0, 0, 0)
    assert balances(paid.tani, paid.siti) == (SITI, 0)
    assert check_ledger() == []


def test_a_retry_after_a_lost_answer_sends_the_same_key(paid):
    line = paid.line(paid.siti)
    gateway = FakeGateway(GatewayUnavailable("not answering", "ReadTimeout"))
    with pytest.raises(GatewayUnavailable):
        refund_lines(paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, gateway)
    gateway.error = None

    refund = refund_lines(paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, gateway)

    keys = [call[1] for call in gateway.calls]
    assert keys == [f"{paid.order.number}-R1"] * 2
    assert refund.refund_key == keys[0]
    assert written() == (1, 1, 1, 1)


# Through the live simulator and the real midtransclient.


@pytest.fixture
def gateway(simulator_app):
    return gateway_from_config(simulator_app.config)


def test_a_virtual_account_payment_cannot_be_refunded_and_nothing_is_written(shop, gateway):
    pay_through_simulator(shop.order, gateway, "bank_transfer")
    assert shop.reload().status == OrderStatus.PAID

    with pytest.raises(RefundRefused) as refused:
        refund_lines(
            shop.order, shop.tani, {shop.line(shop.siti).id: 1}, "Rusak", shop.tani_admin, gateway
        )

    assert "virtual account" in refused.value.message
    assert written() == (0, 0, 0, 0)
    assert gateway.status(shop.order.current_payment_id).transaction_status == "settlement"
    assert balances(shop.tani, shop.siti) == (SITI, 0)
    assert check_ledger() == []


def test_a_card_payment_not_settled_yet_is_refused_by_the_gateway(shop, gateway):
    pay_through_simulator(shop.order, gateway, "credit_card")  # captured, settles later
    assert shop.reload().status == OrderStatus.PAID

    with pytest.raises(GatewayRejected):
        refund_lines(
            shop.order, shop.tani, {shop.line(shop.siti).id: 1}, "Rusak", shop.tani_admin, gateway
        )

    assert written() == (0, 0, 0, 0)
    assert check_ledger() == []


@pytest.mark.parametrize("method", ["qris", "gopay"])
def test_a_partial_refund_through_the_simulator(shop, gateway, method):
    pay_through_simulator(shop.order, gateway, method)
    line = shop.line(shop.siti)

    refund = refund_lines(shop.order, shop.tani, {line.id: 2}, "Rusak", shop.tani_admin, gateway)

    status = gateway.status(shop.order.current_payment_id)
    assert status.transaction_status == "partial_refund"
    assert status.refund_amount == 30_000 == refund.amount
    assert [r["refund_key"] for r in status.raw["refunds"]] == [f"{shop.order.number}-R1"]
    assert balances(shop.tani, shop.siti) == (SITI - 29_250, 0)
    assert check_ledger() == []


def test_refunding_every_line_of_a_pickup_order_refunds_the_whole_payment(gateway):
    coop = make_coop(fee_bp=500)
    admin = make_membership(coop=coop, role="admin").user
    members = [make_membership(coop=coop) for _ in range(2)]
    products = [
        make_product(members[0], variants=((20_000, 5),)),
        make_product(members[1], variants=((7_500, 5),)),
    ]
    order = place_order(
        [(products[0].variants[0].id, 2), (products[1].variants[0].id, 1)],
        checkout_request(coop),
        None,
    ).order
    pay_through_simulator(order, gateway, "qris")
    first, second = order.lines

    refund_lines(order, coop, {first.id: 1}, "Rusak", admin, gateway)
    refund_lines(order, coop, {first.id: 1, second.id: 1}, "Batal", admin, gateway)

    status = gateway.status(order.current_payment_id)
    assert status.transaction_status == "refund"
    assert status.refund_amount == 47_500 == order.grand_total
    for member in members:
        assert balance(coop.id, Account.MEMBER_PENDING, member.id) == 0
    assert balance(coop.id, Account.FEE_REVENUE) == 0
    assert check_ledger() == []


def test_a_key_midtrans_used_for_another_amount_is_refused(shop, gateway):
    """An earlier request refunded Rp 15.000 under R1 and its answer was lost; now the admin
    asks for 2 units: Midtrans answers with the first refund, which must not be recorded as
    this one."""
    pay_through_simulator(shop.order, gateway, "qris")
    payment = shop.order.current_payment_id
    gateway.refund(payment, f"{shop.order.number}-R1", 15_000, "Rusak")
    line = shop.line(shop.siti)

    with pytest.raises(RefundRefused) as refused:
        refund_lines(shop.order, shop.tani, {line.id: 2}, "Rusak", shop.tani_admin, gateway)
    assert "Rp 15.000" in refused.value.message
    assert written() == (0, 0, 0, 0)

    refund = refund_lines(shop.order, shop.tani, {line.id: 1}, "Rusak", shop.tani_admin, gateway)

    assert refund.amount == 15_000
    assert gateway.status(payment).refund_amount == 15_000  # refunded once at Midtrans
    assert written() == (1, 1, 1, 1)
    assert check_ledger() == []


def test_posting_sums_per_refund_match_its_lines(paid):
    lines = {paid.line(paid.siti).id: 2, paid.line(paid.budi).id: 1}

    refund = refund_lines(paid.order, paid.tani, lines, "Rusak", paid.tani_admin, FakeGateway())

    # Siti: 30.000 less fee_for(30.000) = 750; Budi: 40.000 less 1.000.
    assert refund.amount == 70_000
    assert refund_postings(refund) == sorted(
        [
            ("member_pending", paid.siti.id, 29_250),
            ("member_pending", paid.budi.id, 39_000),
            ("fee_revenue", None, 1_750),
            ("gateway_clearing", None, -70_000),
        ]
    )
    total = db.session.scalar(
        select(func.sum(Posting.amount))
        .join(JournalEntry)
        .where(JournalEntry.refund_id == refund.id)
    )
    assert total == 0
    assert check_ledger() == []
