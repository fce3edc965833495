"""Importing a catalog file of 5,000 rows: how long the check (the preview) and the import
task take, and the task's peak memory.

    .venv/bin/python bench/catalog_import.py                   # SQLite, a new file per round
    .venv/bin/python bench/catalog_import.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_catalog_import

Each round starts from an empty database migrated by `flask db upgrade` (a new SQLite file
under bench/results/catalog_import/, or the PostgreSQL database given, emptied first: its
name must contain "bench"), with one cooperative that reviews new products and one member.
The file has N rows, two variants per product (N/2 snacks with a P-IRT), written by
shop.products.catalog_file.write_csv (UTF-8 with a BOM, ';'). Each step runs as the app runs
it, inside a request context as the views will:

  create   preview_import of the new file (read + every row checked; writes nothing),
           store_import, then start_import, whose task runs at the enqueue (TASK_QUEUE=
           immediate), in its own app context and session as a consumer runs it
  again    the same file again: preview, then import (every row unchanged: nothing written)
  update   every price and stock changed: preview, then import

Memory is measured in one more round, apart, since tracing slows Python down: tracemalloc's
peak of the Python allocations made during each import task, and the growth of the
process's peak RSS (VmHWM, reset through /proc/self/clear_refs before the task).
"""

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ["TASK_QUEUE"] = "immediate"  # read when shop.jobs.queue is first imported

from common import (  # noqa: E402
    REPO_ROOT,
    RESULTS_DIR,
    code_state,
    describe_url,
    make_app,
    recording_sql,
    versions,
)
from sqlalchemy import create_engine, text  # noqa: E402

WORK_DIR = RESULTS_DIR / "catalog_import"
STEPS = ("create", "again", "update")
PIRT_EXPIRY = (date.today() + timedelta(days=365)).isoformat()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL, emptied first (default: SQLite)")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def catalog_rows(count: int, price: int, stock: int) -> list[dict]:
    return [
        {"kode_produk": f"KRP-{n}", "nama_produk": f"Keripik Tempe Sagu {n}",
         "kategori": "Kuliner › Camilan & Keripik", "deskripsi": "Renyah, tanpa pengawet.",
         "pilihan": option, "harga": price + (option == "1 kg") * 30000, "stok": stock,
         "berat_gram": weight, "sku": f"KRP-{n}-{weight}", "nomor_pirt": "2063374010123-25",
         "pirt_berlaku_sampai": PIRT_EXPIRY}
        for n in range(1, count // 2 + 1)
        for option, weight in (("250 g", 250), ("1 kg", 1000))
    ]  # fmt: skip


def fresh_database(args: argparse.Namespace, label: str) -> str:
    if args.database_url:
        from config import database_url

        url = database_url(args.database_url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        return url
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / f"{label}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def seed() -> tuple[int, int, int]:
    from shop.accounts.models import User
    from shop.coops.models import Cooperative, Membership
    from shop.extensions import db

    coop = Cooperative(name="Koperasi Bench", slug="koperasi-bench", city="Sleman",
                       province="DI Yogyakarta", reviews_new_products=True)  # fmt: skip
    user = User(email="siti@bench.test", name="Siti", password_hash="-")
    db.session.add_all([coop, user])
    db.session.flush()
    member = Membership(user_id=user.id, cooperative_id=coop.id, member_number="0001",
                        business_name="Keripik Bu Siti")  # fmt: skip
    db.session.add(member)
    db.session.commit()
    return coop.id, user.id, member.id


def import_file(app, ids, data: bytes, expected: tuple, trace: bool) -> dict:
    """Preview, store and import one file as the member; the seconds of each and their SQL."""
    from shop.accounts.models import User
    from shop.coops.models import Cooperative, Membership
    from shop.extensions import db
    from shop.jobs.models import JobProgress, JobState
    from shop.products.importing import preview_import, start_import, store_import

    coop_id, user_id, member_id = ids
    figures = {}
    with app.test_request_context(), recording_sql(db.engine) as sql:
        coop, actor = db.session.get(Cooperative, coop_id), db.session.get(User, user_id)
        member = db.session.get(Membership, member_id)
        started = time.perf_counter()
        plan = preview_import(actor, coop, member, "katalog.csv", data)
        figures["preview_s"] = time.perf_counter() - started
        figures["preview_sql"] = sql.count
        got = (plan.created, plan.updated, plan.unchanged, plan.invalid)
        assert got == expected, f"plan {got}, expected {expected}: {plan.problems[:3]}"
        product_import = store_import(actor, coop, member, "katalog.csv", data, plan)
        sql.clear()
        if trace:
            reset_peak_rss()
            rss_before = proc_status("VmRSS")
            tracemalloc.start()
        started = time.perf_counter()
        job_id = start_import(product_import.id).id  # the task runs here, to the end
        figures["import_s"] = time.perf_counter() - started
        figures["import_sql"] = sql.count
        if trace:
            figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            figures["rss_growth_mb"] = proc_status("VmHWM") - rss_before
            figures["rss_peak_mb"] = proc_status("VmHWM")
        db.session.expire_all()
        job = db.session.get(JobProgress, job_id)
        assert job.state == JobState.DONE, f"job {job.state}: {job.message}"
        db.session.remove()
    return figures


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM back to the current RSS


def proc_status(field: str) -> float:
    """A /proc/self/status figure in MB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def one_round(args: argparse.Namespace, label: str, trace: bool) -> dict:
    from flask_migrate import upgrade

    import shop.products.tasks  # noqa: F401  (registers the task: not in TASK_MODULES yet)
    from shop.extensions import db
    from shop.products.catalog_file import write_csv

    app = make_app(fresh_database(args, label))
    with app.app_context():
        upgrade()
        ids = seed()
        new = write_csv(catalog_rows(args.rows, 15000, 10))
        changed = write_csv(catalog_rows(args.rows, 16000, 7))
        n = args.rows
        result = {"file_kb": len(new) / 1024}
        for step, data, expected in (("create", new, (n, 0, 0, 0)),
                                     ("again", new, (0, 0, n, 0)),
                                     ("update", changed, (0, n, 0, 0))):  # fmt: skip
            figures = import_file(app, ids, data, expected, trace)
            result |= {f"{step}_{name}": value for name, value in figures.items()}
        db.engine.dispose()
    return result


def spread(values: list[float], digits: int = 2) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")  # fmt: skip


def print_table(rounds: list[dict], traced: dict, rows: int) -> None:
    print(f"\n{rows} rows, {len(rounds)} rounds: median (min-max)")
    print("| step | preview s | import s | rows/s imported | SQL preview | SQL import |"
          " traced peak MB | RSS growth MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for step in STEPS:
        preview = [r[f"{step}_preview_s"] for r in rounds]
        imported = [r[f"{step}_import_s"] for r in rounds]
        per_second = [rows / seconds for seconds in imported]
        first = rounds[0]
        peak, growth = traced[f"{step}_traced_peak_mb"], traced[f"{step}_rss_growth_mb"]
        print(f"| {step} | {spread(preview)} | {spread(imported)} | {spread(per_second, 0)} |"
              f" {first[f'{step}_preview_sql']} | {first[f'{step}_import_sql']} |"
              f" {peak:.1f} | {growth:.1f} |")  # fmt: skip
    print(f"process peak RSS (VmHWM) at the end of the traced round: "
          f"{traced['update_rss_peak_mb']:.0f} MB; file {rounds[0]['file_kb']:.0f} KB")  # fmt: skip


def main() -> int:
    args = parse_args()
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: it is emptied first, so its name must contain bench")
    code = code_state()
    where = describe_url(args.database_url) if args.database_url else "SQLite file"
    print(f"database: {where}  rows: {args.rows}  code: {code}")
    rounds = []
    for number in range(1, args.rounds + 1):
        rounds.append(one_round(args, f"round-{number}", trace=False))
        seconds = [f"{k} {v:.2f}" for k, v in rounds[-1].items() if k.endswith("_s")]
        print(f"round {number}: " + ", ".join(seconds))
        sys.stdout.flush()
    traced = one_round(args, "traced", trace=True)
    print_table(rounds, traced, args.rows)
    label = "postgresql" if args.database_url else "sqlite"
    path = RESULTS_DIR / f"catalog-import-{label}.json"
    record = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "args": vars(args),
              "versions": versions(), "code": code, "rounds": rounds, "traced": traced}  # fmt: skip
    path.write_text(json.dumps(record, indent=2))
    print(f"\nsaved {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
