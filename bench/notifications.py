"""Notifications mailed per second by one queue consumer process, and its memory.

    .venv/bin/python bench/notifications.py                      # SQLite, 2000, 1 and 4 workers
    .venv/bin/python bench/notifications.py --database-url \
        postgresql://postgres@127.0.0.1:5432/bench_notifications
    .venv/bin/python bench/notifications.py --queue redis        # Redis database 15

Each run starts from an empty database (a new SQLite file under bench/results/notifications/,
or the PostgreSQL database given, emptied first: its name must contain "bench"), migrated by
`flask db upgrade`. A child process (`--fill`) then records N notifications for one member
through shop.notifications.services.record(), kind payout_paid (it needs no order), and
commits them: the commit's after-commit hook enqueues N deliver_notification tasks on the
queue (SqliteHuey file, or Redis). Then one consumer starts, `flask jobs work --workers W
--no-periodic`, with mail written to its log (MAIL_BACKEND=log, the embedded default), and
the database is polled every 0.1 s until every notification has left `pending` and every
OutgoingMail is `sent`: each notification is two tasks, deliver_notification (render, write
the OutgoingMail, enqueue its sending) and send_outgoing_mail.

Measured: the rate from the first notification handled to the last mail sent (the consumer's
start-up, about 1.5 s of imports and create_app, is shown apart), the consumer's CPU per
notification (/proc/<pid>/stat), its RSS once started and its peak (VmHWM, the kernel's
high-water mark, from /proc/<pid>/status), and the cost of the N enqueues in the committing
process. Prints each run and, per worker count, the median (min-max).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import REPO_ROOT, RESULTS_DIR, VENV_BIN, code_state, describe_url, versions
from sqlalchemy import Engine, create_engine, text
from throughput import background_busy

WORK_DIR = RESULTS_DIR / "notifications"
REDIS_URL = "redis://127.0.0.1:6379/15"
KIND = "payout_paid"
PARAMS = {"amount": 100000, "coop_slug": "koperasi-bench", "reference": "TRF1", "reason": ""}
PROGRESS = """SELECT (SELECT count(*) FROM notifications WHERE email_status = 'pending'),
    (SELECT count(*) FROM outgoing_mails WHERE status = 'sent')"""
CHECKS = """SELECT (SELECT count(*) FROM notifications WHERE email_status = 'queued'),
    (SELECT count(*) FROM outgoing_mails),
    (SELECT count(*) FROM outgoing_mails WHERE status = 'sent' AND attempts = 1),
    (SELECT count(*) FROM failed_jobs)"""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SUMMARY = (
    ("per_second", "notifications/s"),
    ("cpu_ms", "CPU ms/notification"),
    ("rss_started_mb", "RSS started MB"),
    ("rss_peak_mb", "peak RSS MB"),
    ("enqueue_ms", "enqueue ms/task"),
    ("startup_s", "start-up s"),
)


@dataclass
class Run:
    workers: int
    round: int
    notifications: int
    record_s: float  # record() x N in the filling process, before the commit
    enqueue_ms: float  # the commit's after-commit enqueues, per task
    startup_s: float  # consumer started -> first notification handled
    processing_s: float  # first notification handled -> last mail sent
    per_second: float  # notifications (2 tasks each) per second of processing
    cpu_ms: float  # the consumer's CPU per notification, while processing
    rss_started_mb: float  # the consumer's RSS just before it took the first task
    rss_peak_mb: float  # VmHWM at the end
    errors: int  # tracebacks in the consumer's log
    correct: bool
    machine_busy: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL, emptied first (default: SQLite)")
    parser.add_argument("--queue", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--notifications", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4], help="worker threads")
    parser.add_argument("--rounds", type=int, default=3, help="runs per worker count")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run, at most")
    parser.add_argument("--fill", action="store_true", help="internal: record the notifications")
    return parser.parse_args()


# The child: migrate, record, commit (which enqueues). -------------------------------------


def fill(count: int) -> None:
    from flask_migrate import upgrade

    from shop import create_app
    from shop.accounts.models import User
    from shop.extensions import db
    from shop.notifications.services import Recipient, record

    app = create_app()
    with app.app_context():
        upgrade()
        user = User(email="anggota@example.test", name="Anggota Bench", password_hash="-")
        db.session.add(user)
        db.session.commit()
        recipient = Recipient.of(user)
        started = time.perf_counter()
        for number in range(count):
            record(KIND, recipient, f"bench-{number}", PARAMS | {"reference": f"TRF{number}"})
        recorded = time.perf_counter()
        db.session.commit()  # the after-commit hook enqueues one task per notification
        committed = time.perf_counter()
    print(json.dumps({"record_s": recorded - started, "commit_s": committed - recorded}))


# The parent: a clean database and queue, the fill, the consumer, the polling. -------------


def settings(folder: Path, args: argparse.Namespace) -> dict[str, str]:
    """The environment of the child and the consumer: embedded-default settings on files in
    `folder` (and on args.database_url when given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("APP_CONFIG", "MIDTRANS_SERVER_KEY")}
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=args.database_url or f"sqlite:///{folder / 'app.db'}",
        INSTANCE_DIR=str(folder),
        MEDIA_DIR=str(folder / "media"),
        TASK_QUEUE=args.queue,
        TASK_QUEUE_PATH=str(folder / "tasks.db"),
        REDIS_URL=REDIS_URL if args.queue == "redis" else "",
        MAIL_BACKEND="log",
        PYTHONUNBUFFERED="1",
    )
    return env


def empty_everything(folder: Path, args: argparse.Namespace) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if args.database_url:
        engine = create_engine(database_url(args.database_url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    if args.queue == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter("huey.*.pasar*"):  # our queue's keys (shop.jobs.queue)
            client.delete(key)
        client.close()


def database_url(raw: str) -> str:
    from config import database_url as normalise

    return normalise(raw)


def proc_status(pid: int, field: str) -> float:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def one_run(args: argparse.Namespace, workers: int, number: int) -> Run:
    folder = WORK_DIR / f"{args.queue}-{workers}w-{number}"
    empty_everything(folder, args)
    env = settings(folder, args)
    busy = background_busy()
    with (folder / "fill.log").open("w") as log:
        child = subprocess.run(
            [sys.executable, __file__, "--fill", "--notifications", str(args.notifications)],
            env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log, text=True, check=True,
        )  # fmt: skip
    filled = json.loads(child.stdout.strip().splitlines()[-1])
    engine = create_engine(database_url(env["DATABASE_URL"]))
    command = [str(VENV_BIN / "flask"), "jobs", "work", "--workers", str(workers), "--no-periodic"]
    with (folder / "consumer.log").open("wb") as log:
        consumer = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            timings = watch(consumer.pid, engine, args)
        finally:
            consumer.send_signal(signal.SIGINT)  # Huey's graceful stop
            consumer.wait(timeout=30)
    correct = check(engine, args.notifications)
    engine.dispose()
    errors = (folder / "consumer.log").read_text().count("Traceback")
    n = args.notifications
    return Run(
        workers=workers,
        round=number,
        notifications=n,
        record_s=filled["record_s"],
        enqueue_ms=1000 * filled["commit_s"] / n,
        startup_s=timings["startup_s"],
        processing_s=timings["processing_s"],
        per_second=n / timings["processing_s"],
        cpu_ms=1000 * timings["cpu_s"] / n,
        rss_started_mb=timings["rss_started_mb"],
        rss_peak_mb=timings["rss_peak_mb"],
        errors=errors,
        correct=correct,
        machine_busy=busy,
    )


def watch(pid: int, engine: Engine, args: argparse.Namespace) -> dict[str, float]:
    """Poll until every mail is sent, sampling the consumer as it goes."""
    n = args.notifications
    spawned = time.perf_counter()
    deadline = spawned + args.timeout
    first = cpu_at_first = rss_started = 0.0
    rss_before_first = 0.0
    while time.perf_counter() < deadline:
        with engine.connect() as connection:
            pending, sent = connection.execute(text(PROGRESS)).one()
        now = time.perf_counter()
        if not first and (pending < n or sent):
            first, cpu_at_first, rss_started = now, proc_cpu_seconds(pid), rss_before_first
        if pending == 0 and sent == n:
            return {
                "startup_s": first - spawned,
                "processing_s": now - first,
                "cpu_s": proc_cpu_seconds(pid) - cpu_at_first,
                "rss_started_mb": rss_started,
                "rss_peak_mb": proc_status(pid, "VmHWM"),
            }
        if not first:
            rss_before_first = proc_status(pid, "VmRSS")
        time.sleep(0.1)
    raise SystemExit(f"not done in {args.timeout:g} s: {pending} pending, {sent} of {n} sent")


def check(engine: Engine, count: int) -> bool:
    """Every notification mailed once: one mail each, sent at the first attempt, no job
    failed."""
    with engine.connect() as connection:
        queued, mails, sent_first_time, failed = connection.execute(text(CHECKS)).one()
    return queued == mails == sent_first_time == count and failed == 0


def print_run(run: Run) -> None:
    print(f"{run.workers:>7} {run.round:>5} {run.startup_s:>8.1f} {run.processing_s:>11.1f}"
          f" {run.per_second:>8.0f} {run.cpu_ms:>7.2f} {run.rss_started_mb:>9.0f}"
          f" {run.rss_peak_mb:>8.0f} {run.enqueue_ms:>10.2f} {run.errors:>6}"
          f" {'ok' if run.correct else 'FAIL':>5}  {run.machine_busy:4.0%}")  # fmt: skip


def print_summary(runs: list[Run]) -> None:
    print("\nmedian (min-max) per worker count")
    for workers in sorted({run.workers for run in runs}):
        mine = [run for run in runs if run.workers == workers]
        print(f"  {workers} worker(s):")
        for name, unit in SUMMARY:
            values = [getattr(run, name) for run in mine]
            middle, low, high = statistics.median(values), min(values), max(values)
            print(f"    {unit:<20} {middle:8.2f} ({low:.2f}-{high:.2f})")


def main() -> int:
    args = parse_args()
    if args.fill:
        fill(args.notifications)
        return 0
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: it is emptied first, so its name must contain bench")
    code = code_state()
    where = describe_url(args.database_url) if args.database_url else "SQLite file"
    print(f"database: {where}  queue: {args.queue}  notifications: {args.notifications}"
          f"  code: {code}")  # fmt: skip
    print(f"{'workers':>7} {'round':>5} {'start s':>8} {'process s':>11} {'notif/s':>8}"
          f" {'CPU ms':>7} {'RSS0 MB':>9} {'peak MB':>8} {'enqueue ms':>10} {'errors':>6}"
          f" {'check':>5}  busy")  # fmt: skip
    runs = []
    for workers in args.workers:
        for number in range(1, args.rounds + 1):
            runs.append(one_run(args, workers, number))
            print_run(runs[-1])
            sys.stdout.flush()
    print_summary(runs)
    label = f"{'postgresql' if args.database_url else 'sqlite'}-db-{args.queue}-queue"
    path = RESULTS_DIR / f"notifications-{label}.json"
    when = datetime.now(UTC).isoformat(timespec="seconds")
    record = {"when": when, "args": vars(args), "versions": versions(), "code": code,
              "runs": [asdict(run) for run in runs]}  # fmt: skip
    path.write_text(json.dumps(record, indent=2))
    print(f"\nsaved {path.relative_to(REPO_ROOT)}")
    return 0 if all(run.correct and not run.errors for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
