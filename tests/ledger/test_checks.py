"""`flask ledger check` finds each kind of broken books (made here on purpose, behind the
posting rules' back) and passes books that hold."""

import pytest
from sqlalchemy import update

from shop.checkout.models import Order
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import (
    Account,
    EntryKind,
    JournalEntry,
    Payout,
    PayoutStatus,
    Posting,
)
from tests.factories import make_coop, make_membership, make_user, pay, reseal_hash_chains


def raw_entry(key, coop_id, *postings, kind=EntryKind.SETTLEMENT, **links):
    """An entry written straight to the tables, as a bug or a hand edit would."""
    entry = JournalEntry(idempotency_key=key, kind=kind, cooperative_id=coop_id, **links)
    entry.postings = [
        Posting(cooperative_id=coop, account=account, member_id=member, amount=amount)
        for coop, account, member, amount in postings
    ]
    db.session.add(entry)
    db.session.commit()
    reseal_hash_chains()  # so the check finds what is wrong here, not a broken chain
    return entry


def test_books_that_hold_pass(two_coops):
    pay(two_coops[0])
    assert check_ledger() == []


@pytest.mark.broken_ledger
def test_an_unbalanced_entry_is_found():
    coop = make_coop()
    raw_entry("bad:1", coop.id, (coop.id, Account.GATEWAY_CLEARING, None, 100),
              (coop.id, Account.FEE_REVENUE, None, -90))  # fmt: skip
    assert check_ledger() == ["entry bad:1: postings sum to 10, not 0"]


@pytest.mark.broken_ledger
def test_a_posting_in_another_cooperatives_books_is_found():
    coop, other = make_coop(), make_coop()
    raw_entry("bad:2", coop.id, (coop.id, Account.GATEWAY_CLEARING, None, 100),
              (other.id, Account.FEE_REVENUE, None, -100))  # fmt: skip
    assert check_ledger() == ["entry bad:2: posts to another cooperative's books"]


@pytest.mark.broken_ledger
def test_a_negative_available_balance_is_found():
    member = make_membership()
    coop_id = member.cooperative_id
    raw_entry("bad:3", coop_id, (coop_id, Account.MEMBER_AVAILABLE, member.id, 500),
              (coop_id, Account.BANK, None, -500))  # fmt: skip
    assert check_ledger() == [f"member {member.id}: member_available balance is -500"]


@pytest.mark.broken_ledger
def test_a_paid_order_never_settled_is_found(two_coops):
    order = two_coops[0]
    pay(order)
    db.session.execute(db.delete(Posting))
    db.session.execute(db.delete(JournalEntry))
    db.session.commit()
    reseal_hash_chains()

    assert check_ledger() == [
        f"order {order.number}: 0 settlement entries for 2 cooperative part(s)"
    ]


@pytest.mark.broken_ledger
def test_an_unpaid_order_settled_is_found(two_coops):
    order, tani = two_coops[0], two_coops[1]
    raw_entry("settle:fake", tani.id, (tani.id, Account.GATEWAY_CLEARING, None, 100),
              (tani.id, Account.FEE_REVENUE, None, -100), order_id=order.id)  # fmt: skip
    assert check_ledger() == [f"order {order.number}: settled 1 time(s) but not paid"]


@pytest.mark.broken_ledger
def test_a_settlement_for_the_wrong_amount_is_found(two_coops):
    order = two_coops[0]
    pay(order)
    db.session.execute(update(Order).where(Order.id == order.id).values(grand_total=500000,
                       shipping_total=500000 - order.items_total))  # fmt: skip
    db.session.commit()
    assert check_ledger() == [f"order {order.number}: settled 447000, paid 500000"]


@pytest.mark.broken_ledger
def test_a_payout_without_its_entries_is_found():
    member = make_membership(bank_name="BRI", bank_account_number="1", bank_account_holder="A")
    payout = Payout(cooperative_id=member.cooperative_id, member_id=member.id, amount=50000,
                    status=PayoutStatus.PAID, bank_name="BRI", bank_account_number="1",
                    bank_account_holder="A", requested_by_id=make_user().id)  # fmt: skip
    db.session.add(payout)
    db.session.commit()
    assert check_ledger() == [f"payout {payout.id} (paid): entries []"]


@pytest.mark.broken_ledger
@pytest.mark.parametrize("broken", [False, True])
def test_the_command_exits_non_zero_with_a_readable_list(runner, broken):
    coop = make_coop()
    amounts = (100, -90) if broken else (100, -100)
    raw_entry("cli:1", coop.id, (coop.id, Account.GATEWAY_CLEARING, None, amounts[0]),
              (coop.id, Account.FEE_REVENUE, None, amounts[1]))  # fmt: skip

    result = runner.invoke(args=["ledger", "check"])

    if broken:
        assert result.exit_code == 1
        assert "entry cli:1: postings sum to 10, not 0" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "1 entries, 2 postings, all balanced" in result.output
