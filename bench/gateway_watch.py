"""The operator's gateway watch (shop/operator/gateway_watch.py) on big notification tables,
with and without the received_at indexes of migration 3df8582949c4.

    .venv/bin/python bench/gateway_watch.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_gateway_watch --rows 500000

The database (its name must contain "bench": it is emptied) is migrated by `flask db
upgrade`, then both notification tables get ROWS rows each, received evenly over two years,
nearly all handled (applied / paid) and 1 in 5,000 unmatched, so the watch has a few to list.
After ANALYZE, notifications_to_look_at() runs REPEAT times with the indexes, REPEAT times
after dropping them, then they are made again. Prints the median and fastest wall time of one
call (our own process, one PostgreSQL backend, side by side in one run) and the plan's top
scan of each table.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INDEXES = {
    "ix_payment_notifications_received_at": "payment_notifications",
    "ix_iris_notifications_received_at": "iris_notifications",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("the database's name must contain 'bench': it is emptied")
    os.environ["DATABASE_URL"] = args.database_url
    from sqlalchemy import text

    from shop import create_app
    from shop.extensions import db
    from shop.operator.gateway_watch import notifications_to_look_at

    app = create_app()
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    subprocess.run(
        [ROOT / ".venv/bin/flask", "--app", "wsgi", "db", "upgrade"],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    with app.app_context():
        fill(db, text, args.rows)
        with_index = timed(notifications_to_look_at, args.repeat)
        plans_with = plans(db, text)
        for name in INDEXES:
            db.session.execute(text(f"DROP INDEX {name}"))
        db.session.commit()
        without_index = timed(notifications_to_look_at, args.repeat)
        plans_without = plans(db, text)
        for name, table in INDEXES.items():
            db.session.execute(text(f"CREATE INDEX {name} ON {table} (received_at)"))
        db.session.commit()
        listed = len(notifications_to_look_at())
    print(f"rows per table: {args.rows:,}; calls: {args.repeat} each; listed: {listed}")
    for label, times, plan in (
        ("with the received_at indexes", with_index, plans_with),
        ("without them", without_index, plans_without),
    ):
        print(f"{label}: median {statistics.median(times):.1f} ms, fastest {min(times):.1f} ms")
        for line in plan:
            print(f"    {line}")
    ratio = statistics.median(without_index) / statistics.median(with_index)
    print(f"ratio (median without / with): {ratio:.1f}")


def fill(db, text, rows: int) -> None:
    """ROWS rows a table over two years; one in 5,000 unmatched, the rest handled."""
    span = "interval '730 days'"
    db.session.execute(text(f"""
        INSERT INTO payment_notifications
            (received_at, raw_body, order_id, transaction_status, signature_valid, outcome, detail)
        SELECT now() at time zone 'utc' - {span} * n / :rows, '{{}}', 'PK-' || n, 'settlement',
               true, CASE WHEN n % 5000 = 0 THEN 'unknown_order' ELSE 'applied' END, ''
        FROM generate_series(1, :rows) AS n
    """), {"rows": rows})  # fmt: skip
    db.session.execute(text(f"""
        INSERT INTO iris_notifications
            (received_at, raw_body, reference_no, sent_status, signature_valid, outcome)
        SELECT now() at time zone 'utc' - {span} * n / :rows, '{{}}', 'IRIS-' || n, 'completed',
               true, CASE WHEN n % 5000 = 0 THEN 'unknown' ELSE 'paid' END
        FROM generate_series(1, :rows) AS n
    """), {"rows": rows})  # fmt: skip
    db.session.commit()
    db.session.execute(text("ANALYZE payment_notifications"))
    db.session.execute(text("ANALYZE iris_notifications"))
    db.session.commit()


def timed(call, repeat: int) -> list[float]:
    from shop.extensions import db

    call()  # warm: the first call compiles the statements
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return times


def plans(db, text) -> list[str]:
    """The scan PostgreSQL picks for each table, under the watch's own WHERE and ORDER."""
    lines = []
    for table, outcomes in (
        ("payment_notifications", "('unknown_order', 'amount_mismatch')"),
        ("iris_notifications", "('unknown', 'amount_mismatch')"),
    ):
        plan = db.session.execute(text(f"""
            EXPLAIN SELECT received_at FROM {table}
            WHERE signature_valid AND received_at >= now() at time zone 'utc' - interval '30 days'
              AND (outcome IN {outcomes} OR (outcome = 'received'
                   AND received_at < now() at time zone 'utc' - interval '10 minutes'))
            ORDER BY received_at DESC LIMIT 20
        """)).scalars().all()  # fmt: skip
        scans = [line.strip().lstrip("-> ").split("  (")[0] for line in plan if "Scan" in line]
        lines.append(f"{table}: {'; '.join(scans)}")
    db.session.rollback()
    return lines


if __name__ == "__main__":
    main()
