"""Each whole-ledger check writes one run (nightly, `flask ledger check`, the operator's
button), and the dashboard shows the last one with the failed jobs waiting."""

import re

import pytest
from sqlalchemy import select

from shop.checkout.services import place_order
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.jobs.models import FailedJob, JobProgress, JobState
from shop.ledger.check_runs import LISTED_PROBLEMS, run_ledger_check
from shop.ledger.models import EntryKind, JournalEntry, LedgerCheckRun, Posting
from shop.ledger.nightly import notify_if_ledger_broken
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_product, pay, reseal_hash_chains
from tests.operator.conftest import count


def runs() -> list[tuple[str, int, list]]:
    return db.session.execute(
        select(
            LedgerCheckRun.source, LedgerCheckRun.problem_count, LedgerCheckRun.problems
        ).order_by(LedgerCheckRun.id)
    ).all()


def unbalanced_entries(number: int) -> None:
    """Entries that do not sum to zero, written behind the posting rules' back."""
    coop = make_coop()
    for n in range(number):
        entry = JournalEntry(
            idempotency_key=f"broken:{n:02d}", kind=EntryKind.SETTLEMENT, cooperative_id=coop.id
        )
        entry.postings = [Posting(cooperative_id=coop.id, account="gateway_clearing", amount=100)]
        db.session.add(entry)
    db.session.commit()
    reseal_hash_chains()


@pytest.fixture
def paid_order():
    """Money in the books, so the check has something to prove."""
    product = make_product()
    coop = db.session.get(Cooperative, product.cooperative_id)
    pay(place_order([(product.variants[0].id, 1)], checkout_request(coop), None).order)


def test_flask_ledger_check_records_a_run(runner, paid_order):
    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 0, result.output
    assert runs() == [("cli", 0, [])]


@pytest.mark.broken_ledger
def test_flask_ledger_check_records_the_problems_it_prints(runner):
    unbalanced_entries(1)

    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 1
    assert runs() == [("cli", 1, ["entry broken:00: postings sum to 100, not 0"])]


@pytest.mark.broken_ledger
def test_the_nightly_check_records_its_run(operator):
    unbalanced_entries(1)

    notify_if_ledger_broken()

    assert runs() == [("nightly", 1, ["entry broken:00: postings sum to 100, not 0"])]


@pytest.mark.broken_ledger
def test_a_run_keeps_only_the_first_few_problems():
    unbalanced_entries(LISTED_PROBLEMS + 2)

    problems = run_ledger_check("cli")

    [(source, problem_count, listed)] = runs()
    assert problem_count == len(problems) == LISTED_PROBLEMS + 2
    assert listed == problems[:LISTED_PROBLEMS]


def test_an_unknown_source_is_a_bug():
    with pytest.raises(ValueError):
        run_ledger_check("cron")
    assert runs() == []


def test_the_operators_button_records_a_run_and_reports_progress(client, login, operator):
    login(operator)

    client.post("/operator/tugas/periksa-buku")

    job = db.session.scalars(select(JobProgress)).one()
    assert (job.state, job.percent, job.result_url) == (JobState.DONE, 100, "/operator/")
    assert runs() == [("operator", 0, [])]


def test_the_dashboard_says_when_the_books_were_never_checked(english, login, operator):
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    assert "ledger-check-ok" not in page and "ledger-check-failed" not in page


def test_the_dashboard_shows_the_last_run_passing(english, login, operator):
    run_ledger_check("nightly")
    run_ledger_check("cli")
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    assert 'class="ledger-check-ok"' in page
    assert "flask ledger check" in page  # the last run's source


@pytest.mark.broken_ledger
def test_the_dashboard_lists_the_first_problems_of_the_last_run(english, login, operator):
    unbalanced_entries(LISTED_PROBLEMS + 2)
    run_ledger_check("nightly")
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    assert 'class="error ledger-check-failed"' in page
    assert f"{LISTED_PROBLEMS + 2} problems" in page
    listed = re.search(r'<ul class="ledger-problems">(.*?)</ul>', page, re.S).group(1)
    assert listed.count("<li>") == LISTED_PROBLEMS
    assert "entry broken:00: postings sum to 100, not 0" in listed


def test_the_dashboard_counts_the_failed_jobs_waiting(english, login, operator):
    for resolved_at in (None, None, utcnow()):
        db.session.add(FailedJob(task_name="shop.x.y", task_id="t", resolved_at=resolved_at))
    db.session.commit()
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    assert count(FailedJob) == 3
    assert re.search(r'<a href="/operator/tugas">2 failed jobs', page)
