"""The journal's hash chain: each cooperative's entries chained in id order, and an edit or a
deletion made straight in the database (behind the application's back) makes
`flask ledger check` fail, naming the entry."""

import hashlib
import threading

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from config import TestConfig
from shop import create_app
from shop.extensions import db
from shop.ledger.chain import canonical_content
from shop.ledger.checks import check_ledger
from shop.ledger.journal import NewEntry, add_entries, add_entry, credit, debit
from shop.ledger.models import GENESIS_HASH, Account, ChainHead, EntryKind, JournalEntry
from tests.factories import make_coop, make_membership, make_product
from tests.test_migration_walk import empty_database_url  # noqa: F401 (a fixture)

BEFORE_THE_CHAIN = "43f26c06f0c5"


def post(coop_id: int, key: str, amount: int = 1000) -> JournalEntry:
    entry = add_entry(
        key,
        EntryKind.SETTLEMENT,
        coop_id,
        [debit(Account.GATEWAY_CLEARING, amount), credit(Account.FEE_REVENUE, amount)],
        memo="uji",
    )
    db.session.commit()
    return entry


def chain(coop_id: int) -> list[tuple[int, str, str]]:
    return db.session.execute(
        select(JournalEntry.id, JournalEntry.previous_hash, JournalEntry.content_hash)
        .where(JournalEntry.cooperative_id == coop_id)
        .order_by(JournalEntry.id)
    ).all()


@pytest.fixture
def three_entries():
    coop = make_coop()
    return coop, [post(coop.id, f"chain:{n}").id for n in range(3)]


def test_each_entry_follows_the_one_before_it_in_its_cooperative(three_entries):
    coop, _ = three_entries
    other = make_coop()
    post(other.id, "chain:other")

    links = chain(coop.id)

    assert [previous for _, previous, _ in links] == [GENESIS_HASH] + [h for _, _, h in links[:2]]
    head = db.session.get(ChainHead, coop.id)
    assert (head.last_entry_id, head.last_hash) == (links[-1][0], links[-1][2])
    assert chain(other.id)[0][1] == GENESIS_HASH  # another cooperative's chain starts anew
    assert check_ledger() == []


def test_the_hash_is_sha256_of_the_canonical_content(three_entries):
    _, ids = three_entries
    entry = db.session.get(JournalEntry, ids[1])

    content = canonical_content(entry, entry.previous_hash)

    assert entry.content_hash == hashlib.sha256(content).hexdigest()
    assert (
        b'"key":"chain:1"' in content and b'"postings":[["gateway_clearing",null,1000]' in content
    )


def test_an_entry_posted_twice_leaves_the_chain_as_it_was(three_entries):
    coop, ids = three_entries
    before = chain(coop.id)

    assert add_entry("chain:1", EntryKind.SETTLEMENT, coop.id, [debit(Account.BANK, 5),
                     credit(Account.FEE_REVENUE, 5)]) is None  # fmt: skip
    db.session.commit()

    assert chain(coop.id) == before


@pytest.mark.broken_ledger
@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE postings SET amount = amount * 10 WHERE entry_id = :id",
        "UPDATE journal_entries SET memo = 'dihapus' WHERE id = :id",
        "UPDATE journal_entries SET created_at = '2020-01-01 00:00:00' WHERE id = :id",
    ],
    ids=["posting amount", "memo", "date"],
)
def test_a_row_edited_in_the_database_fails_the_check_naming_its_entry(runner, three_entries, edit):
    _, ids = three_entries
    db.session.execute(text(edit), {"id": ids[1]})
    db.session.commit()

    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 1
    assert (
        f"entry {ids[1]} (chain:1): its content does not match its hash (edited in the database)"
    ) in result.output


@pytest.mark.broken_ledger
def test_an_entry_deleted_in_the_database_fails_the_check_naming_the_next_entry(
    runner, three_entries
):
    _, ids = three_entries
    for table, column in (("postings", "entry_id"), ("journal_entries", "id")):
        db.session.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": ids[1]})
    db.session.commit()

    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 1
    assert (
        f"entry {ids[2]} (chain:2): does not follow entry {ids[0]} in the hash chain"
    ) in result.output


@pytest.mark.broken_ledger
def test_the_last_entry_deleted_fails_the_check_naming_it(three_entries):
    coop, ids = three_entries
    db.session.execute(text("DELETE FROM postings WHERE entry_id = :id"), {"id": ids[2]})
    db.session.execute(text("DELETE FROM journal_entries WHERE id = :id"), {"id": ids[2]})
    db.session.commit()

    assert check_ledger() == [
        f"cooperative {coop.id}: its hash chain ends at entry {ids[1]} but its head says "
        f"entry {ids[2]} (entries at the end deleted, or the head edited)"
    ]


@pytest.mark.broken_ledger
def test_a_rewritten_hash_still_breaks_the_link_from_the_next_entry(three_entries):
    """Editing a row and recomputing its own hash is not enough: the next entry names it."""
    _, ids = three_entries
    db.session.execute(text("UPDATE postings SET amount = amount * 2 WHERE entry_id = :id"),
                       {"id": ids[1]})  # fmt: skip
    entry = db.session.get(JournalEntry, ids[1])
    db.session.refresh(entry)
    new_hash = hashlib.sha256(canonical_content(entry, entry.previous_hash)).hexdigest()
    db.session.execute(text("UPDATE journal_entries SET content_hash = :h WHERE id = :id"),
                       {"h": new_hash, "id": entry.id})  # fmt: skip
    db.session.commit()

    assert check_ledger() == [
        f"entry {ids[2]} (chain:2): does not follow entry {ids[1]} in the hash "
        "chain (an entry between them was deleted, or the chain rewritten)"
    ]


def test_the_migration_seals_existing_entries_as_the_application_does(
    empty_database_url,  # noqa: F811
    tmp_path,
):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url,
                     MEDIA_DIR=str(tmp_path))  # fmt: skip
    with app.app_context():
        upgrade()
        coops = [make_coop(), make_coop()]
        member = make_membership(coop=coops[0])
        make_product(member)
        for n in range(3):
            for coop in coops:
                post(coop.id, f"walk:{coop.id}:{n}", amount=100 + n)
        coop_ids = [coop.id for coop in coops]
        sealed = {coop_id: chain(coop_id) for coop_id in coop_ids}
        db.session.remove()  # its transaction would hold the tables the downgrade alters
        downgrade(revision=BEFORE_THE_CHAIN)
        upgrade()

        assert {coop_id: chain(coop_id) for coop_id in coop_ids} == sealed
        assert check_ledger() == []
        db.session.remove()
        db.engine.dispose()


@pytest.mark.pg
def test_entries_written_at_once_for_one_cooperative_stay_one_chain(app, committed_database):
    coop_id = make_coop().id
    db.session.remove()
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for m in range(5):
                    post(coop_id, f"race:{n}:{m}", amount=n * 10 + m + 1)
            except BaseException as error:  # a thread's failure must fail the test
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(chain(coop_id)) == 40
    assert check_ledger() == []


def batch(coop_ids: list[int], prefix: str) -> list[NewEntry]:
    legs = (debit(Account.GATEWAY_CLEARING, 700), credit(Account.FEE_REVENUE, 700))
    return [
        NewEntry(f"{prefix}:{coop_id}:{n}", EntryKind.SETTLEMENT, coop_id, legs)
        for coop_id in coop_ids
        for n in range(2)
    ]


def test_entries_of_two_cooperatives_posted_together_lock_both_heads_by_one_statement(
    count_queries,
):
    first, second = make_coop().id, make_coop().id
    post(first, "before:1")
    post(second, "before:2")

    with count_queries() as statements:
        added = add_entries(batch([second, first], "together"))
    db.session.commit()

    heads = [s.split()[0] for s in statements if "ledger_chain_heads" in s]
    assert heads == ["INSERT", "UPDATE"]  # locked (an upsert, in cooperative order), moved
    assert "ON CONFLICT" in next(s for s in statements if "INTO ledger_chain_heads" in s)
    if db.engine.dialect.name == "postgresql":  # SQLite inserts them row by row
        assert len(statements) == 6
    assert [entry.idempotency_key for entry in added] == [
        f"together:{second}:0", f"together:{second}:1", f"together:{first}:0",
        f"together:{first}:1",
    ]  # fmt: skip
    for coop_id in (first, second):
        links = chain(coop_id)
        assert len(links) == 3
        assert [previous for _, previous, _ in links[1:]] == [h for _, _, h in links[:2]]
    assert check_ledger() == []


def test_a_cooperatives_first_entry_posted_with_anothers_makes_its_head_in_the_chain():
    old, new = make_coop().id, make_coop().id
    post(old, "before")

    add_entries(batch([old, new], "first"))
    db.session.commit()

    assert [previous for _, previous, _ in chain(new)][0] == GENESIS_HASH
    assert db.session.get(ChainHead, new).last_entry_id == chain(new)[-1][0]
    assert len(chain(old)) == 3 and check_ledger() == []


def test_entries_posted_together_leave_out_those_posted_already():
    coop_id = make_coop().id
    post(coop_id, "again:0")

    added = add_entries(
        [NewEntry("again:0", EntryKind.SETTLEMENT, coop_id, (debit(Account.BANK, 5),
                  credit(Account.FEE_REVENUE, 5))), *batch([coop_id], "again-new")]
    )  # fmt: skip
    db.session.commit()

    assert [entry.idempotency_key for entry in added] == [
        f"again-new:{coop_id}:0", f"again-new:{coop_id}:1"
    ]  # fmt: skip
    assert len(chain(coop_id)) == 3 and check_ledger() == []


@pytest.mark.pg
def test_entries_of_two_cooperatives_written_at_once_in_either_order_never_deadlock(
    app, committed_database
):
    """Each transaction posts to both cooperatives, half of them listing them the other way
    round; the first ones make the heads. Locking the heads in cooperative id order is
    what keeps them from waiting on each other in a circle."""
    coop_ids = [make_coop().id, make_coop().id]
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for m in range(4):
                    order = coop_ids if (n + m) % 2 else coop_ids[::-1]
                    add_entries(batch(order, f"both:{n}:{m}"))
                    db.session.commit()
            except BaseException as error:  # a thread's failure must fail the test
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert [len(chain(coop_id)) for coop_id in coop_ids] == [64, 64]
    assert check_ledger() == []


def test_a_key_given_twice_in_one_call_is_posted_once_as_its_first():
    coop_id = make_coop().id
    first = batch([coop_id], "twice")[0]
    again = NewEntry(first.idempotency_key, first.kind, coop_id, first.legs, memo="again")

    added = add_entries([first, again])
    db.session.commit()

    assert [entry.idempotency_key for entry in added] == [f"twice:{coop_id}:0"]
    [(memo,)] = db.session.execute(
        select(JournalEntry.memo).where(JournalEntry.cooperative_id == coop_id)
    ).all()
    assert memo != "again"
    assert check_ledger() == []
