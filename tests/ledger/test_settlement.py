"""A settled payment in the ledger, worked by hand to the Rupiah: members' pending
earnings, the cooperatives' fees and shipping, Midtrans's fee; posted once, balanced."""

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.journal import UnbalancedEntry, add_entry, balance, credit, debit
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.ledger.settlement import gateway_fee, split_proportionally
from shop.payments.gateway import TransactionStatus
from shop.payments.services import apply_gateway_status
from tests.factories import make_coop, make_membership, pay

FEES = {"qris": (70, 0), "bank_transfer": (0, 4440), "credit_card": (290, 2000)}


def test_settlement_credits_members_fees_and_shipping_worked_by_hand(two_coops):
    order, tani, batik, siti, budi, rina = two_coops
    assert order.grand_total == 45000 + 40000 + 12000 + 350000 == 447000

    pay(order)

    # Tani: keripik 45.000, fee 2,5 % = 1.125; madu 40.000, fee 1.000; shipping 12.000.
    assert balance(tani.id, Account.MEMBER_PENDING, siti.id) == 43875
    assert balance(tani.id, Account.MEMBER_PENDING, budi.id) == 39000
    assert balance(tani.id, Account.FEE_REVENUE) == 2125
    assert balance(tani.id, Account.SHIPPING_REVENUE) == 12000
    # Batik: kain 350.000, fee 10 % = 35.000, pickup.
    assert balance(batik.id, Account.MEMBER_PENDING, rina.id) == 315000
    assert balance(batik.id, Account.FEE_REVENUE) == 35000
    assert balance(batik.id, Account.SHIPPING_REVENUE) == 0
    # QRIS 0,7 % of 447.000 = 3.129; split 97.000 : 350.000 -> 679,..., 2.449,... -> 679 + 2.450.
    assert balance(tani.id, Account.GATEWAY_FEES) == 679
    assert balance(batik.id, Account.GATEWAY_FEES) == 2450
    assert balance(tani.id, Account.GATEWAY_CLEARING) == 97000 - 679
    assert balance(batik.id, Account.GATEWAY_CLEARING) == 350000 - 2450
    assert balance(tani.id, Account.MEMBER_AVAILABLE, siti.id) == 0
    assert check_ledger() == []


def test_a_second_settlement_posts_nothing(two_coops):
    order = two_coops[0]
    pay(order)
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))

    pay(order)  # a duplicate notification, or the return page asking Midtrans again

    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries == 4
    assert check_ledger() == []


def test_an_unpaid_order_posts_nothing(two_coops):
    order = two_coops[0]
    pending = TransactionStatus(order.number, "pending", gross_amount=order.grand_total)

    apply_gateway_status(order, pending)

    assert db.session.scalar(select(func.count()).select_from(Posting)) == 0


def test_the_same_key_twice_posts_once():
    coop, member = make_coop(), make_membership()
    legs = [debit(Account.GATEWAY_CLEARING, 100), credit(Account.FEE_REVENUE, 100)]

    first = add_entry("test:1", EntryKind.SETTLEMENT, coop.id, legs)
    second = add_entry("test:1", EntryKind.SETTLEMENT, coop.id, legs)
    db.session.commit()

    assert first is not None and second is None
    assert balance(coop.id, Account.FEE_REVENUE) == 100
    assert member.id  # untouched


@pytest.mark.parametrize(
    "legs",
    [
        [debit(Account.GATEWAY_CLEARING, 100), credit(Account.FEE_REVENUE, 99)],
        [],
        [debit(Account.GATEWAY_CLEARING, 100), credit(Account.MEMBER_PENDING, 100)],  # whose?
        [debit(Account.GATEWAY_CLEARING, 100), credit(Account.FEE_REVENUE, 100, member_id=1)],
    ],
)
def test_an_unbalanced_or_malformed_entry_is_a_bug(legs):
    coop = make_coop()
    with pytest.raises(UnbalancedEntry):
        add_entry("test:bad", EntryKind.SETTLEMENT, coop.id, legs)


@pytest.mark.parametrize(
    ("method", "amount", "fee"),
    [
        ("qris", 100000, 700),
        ("qris", 10071, 70),  # 70,497 rounds down
        ("qris", 10072, 71),  # 70,504 rounds up
        ("bank_transfer", 100000, 4440),
        ("credit_card", 100000, 4900),
        ("akulaku", 100000, 0),  # not in the table and no default: no fee
    ],
)
def test_gateway_fee_by_method(method, amount, fee):
    assert gateway_fee(amount, method, FEES) == fee


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (3129, {1: 97000, 2: 350000}, {1: 679, 2: 2450}),
        (10, {1: 1, 2: 1, 3: 1}, {1: 4, 2: 3, 3: 3}),
        (0, {1: 5, 2: 5}, {1: 0, 2: 0}),
        (7, {1: 1}, {1: 7}),
    ],
)
def test_split_proportionally_sums_exactly(total, weights, shares):
    assert split_proportionally(total, weights) == shares
    assert sum(shares.values()) == total
