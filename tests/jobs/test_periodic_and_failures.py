"""The recurring work and what happens when a job fails for good."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.extensions import db
from shop.jobs import periodic
from shop.jobs.models import FailedJob, JobProgress, JobState
from shop.jobs.runner import task
from shop.ledger.models import JournalEntry, Posting
from shop.ledger.nightly import notify_if_ledger_broken
from shop.notifications.models import EmailStatus, Notification
from shop.notifications.services import Recipient, record
from shop.outbox.models import MailStatus, OutgoingMail
from tests.factories import make_coop, make_user

ATTEMPTS: list[int] = []


@task(retries=0)
def always_fails(number: int) -> None:
    ATTEMPTS.append(number)
    raise RuntimeError(f"broken {number}")


@pytest.mark.parametrize(
    ("job", "due", "not_due"),
    [
        (periodic.expire_unpaid_orders, (2026, 12, 2, 10, 20), (2026, 12, 2, 10, 25)),
        (periodic.complete_due_order_parts, (2026, 12, 2, 10, 5), (2026, 12, 2, 10, 6)),
        (periodic.nightly_ledger_check, (2026, 12, 2, 19, 0), (2026, 12, 2, 2, 0)),
        (periodic.nightly_reconciliation, (2026, 12, 2, 19, 30), (2026, 12, 2, 19, 0)),
        (periodic.clean_orphaned_media, (2026, 12, 2, 20, 0), (2026, 12, 2, 21, 0)),
        (periodic.sweep_undelivered, (2026, 12, 2, 20, 1), None),
    ],
)
def test_each_periodic_job_runs_on_its_schedule(job, due, not_due):
    # UTC: 19:00 is 02:00 in Jakarta.
    assert job.task_class().validate_datetime(datetime(*due))
    if not_due is not None:
        assert not job.task_class().validate_datetime(datetime(*not_due))


def test_a_job_that_fails_for_good_is_listed_and_the_operator_told(client, login):
    operator = make_user(is_operator=True)
    always_fails(42)

    [failure] = db.session.scalars(select(FailedJob)).all()
    assert failure.task_name.endswith("always_fails") and failure.arguments == "[42]"
    assert "RuntimeError: broken 42" in failure.error
    [note] = db.session.scalars(
        select(Notification).where(Notification.recipient_id == operator.id)
    ).all()
    assert note.kind == "job_failed"

    login(operator)
    page = client.get("/operator/tugas").get_data(as_text=True)
    assert "broken 42" in page
    client.post(f"/operator/tugas/gagal/{failure.id}/ulangi")  # fails again, listed again
    assert ATTEMPTS[-2:] == [42, 42]
    db.session.expire_all()
    assert db.session.get(FailedJob, failure.id).resolved_at is not None
    [again] = db.session.scalars(select(FailedJob).where(FailedJob.resolved_at.is_(None))).all()
    client.post(f"/operator/tugas/gagal/{again.id}/selesai")
    db.session.expire_all()
    assert db.session.get(FailedJob, again.id).resolved_at is not None
    assert "broken 42" not in client.get("/operator/tugas").get_data(as_text=True)


def test_only_the_operator_opens_the_jobs_page(client, login):
    login(make_user())
    assert client.get("/operator/tugas").status_code == 403
    assert client.post("/operator/tugas/periksa-buku").status_code == 403


def test_the_operator_checks_the_books_on_a_progress_page(client, login):
    operator = make_user(is_operator=True)
    login(operator)
    response = client.post("/operator/tugas/periksa-buku")
    assert response.status_code == 302
    job = db.session.scalars(select(JobProgress)).one()
    assert response.headers["Location"].endswith(f"/tugas/{job.id}")
    assert job.state == JobState.DONE and job.percent == 100
    page = client.get(f"/tugas/{job.id}").get_data(as_text=True)
    assert "Pembukuan beres" in page and 'http-equiv="refresh"' not in page

    login(make_user())  # another person's job is no job
    assert client.get(f"/tugas/{job.id}").status_code == 404


def test_a_running_job_page_refreshes_itself(client, login):
    user = make_user()
    job = JobProgress(kind="import", owner_id=user.id, state=JobState.RUNNING, done=3, total=12)
    db.session.add(job)
    db.session.commit()
    login(user)
    page = client.get(f"/tugas/{job.id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in page  # with JavaScript, progress.js asks
    assert 'value="25"' in page and "3 dari 12" in page
    status = client.get(f"/tugas/{job.id}/status").get_json()
    assert status == {"percent": 25, "text": "Sedang dikerjakan: 3 dari 12", "finished": False}
    login(make_user())
    assert client.get(f"/tugas/{job.id}/status").status_code == 404


@pytest.mark.broken_ledger
def test_a_broken_ledger_tells_the_operators_once_a_night():
    operator = make_user(is_operator=True)
    coop = make_coop()
    entry = JournalEntry(idempotency_key="broken:1", kind="settlement", cooperative_id=coop.id)
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        Posting(entry_id=entry.id, cooperative_id=coop.id, account="gateway_clearing", amount=100)
    )
    db.session.commit()

    assert notify_if_ledger_broken()
    notify_if_ledger_broken()
    notes = db.session.scalars(
        select(Notification).where(Notification.recipient_id == operator.id)
    ).all()
    assert [n.kind for n in notes] == ["ledger_check_failed"]
    assert any("broken:1" in problem for problem in notes[0].params["problems"])


def test_the_sweep_queues_again_mail_whose_task_was_never_queued(outbox):
    mail = OutgoingMail(to="lost@example.test", subject="Lost", body="Hello",
                        created_at=datetime.now(UTC) - timedelta(minutes=15))  # fmt: skip
    db.session.add(mail)
    db.session.commit()  # no task was queued for it: as if the queue was down

    periodic.sweep_undelivered()

    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.SENT
    assert [m.to for m in outbox] == ["lost@example.test"]


def test_the_sweep_frees_a_dead_claim_and_queues_a_lost_retry(outbox):
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    mail = OutgoingMail(to="stuck@example.test", subject="Stuck", body="Hi", attempts=1,
                        status=MailStatus.SENDING, created_at=an_hour_ago,
                        claimed_at=an_hour_ago)  # fmt: skip
    db.session.add(mail)
    db.session.commit()  # its consumer died mid-send after one failed attempt

    periodic.sweep_undelivered()

    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.SENT
    assert [m.to for m in outbox] == ["stuck@example.test"]


def test_users_read_in_their_language_by_default():
    assert db.session.get(User, make_user().id).language == "id"


def test_a_notification_whose_words_fail_is_given_up_once_not_swept_forever(outbox):
    operator = make_user(is_operator=True)
    member = make_user()
    broken = record("payout_paid", Recipient.of(member), "broken", {"amount": 1})  # no slug
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Notification, broken.id).email_status == EmailStatus.FAILED
    [failure] = db.session.scalars(select(FailedJob)).all()
    assert "KeyError" in failure.error
    assert [m.to for m in outbox] == [operator.email]  # told once, about the failure
    db.session.execute(
        update(Notification).values(created_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()
    periodic.sweep_undelivered()
    assert len(db.session.scalars(select(FailedJob)).all()) == 1
