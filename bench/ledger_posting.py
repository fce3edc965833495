"""CPU and statements of posting one payment's journal entries (the settlement and the
gateway fee of each cooperative in the order), in process, without HTTP.

    .venv/bin/python bench/ledger_posting.py \
        --database-url postgresql://postgres@127.0.0.1:5432/pay_bench_checkout

The database needs a paid order (run profile_checkout.py on it first); nothing is kept:
each posting is rolled back. That order's lines and shipments are posted again and again
under fresh order numbers, so every posting is a first one (the keys are new) and locks
the cooperatives' chain heads like a real payment. Runs on the code of the checkout it sits
in: on one from before post_payment() (before a5c6726) it posts as that code did, by
post_settlement() then post_gateway_fee(), so two checkouts can be compared side by side.
"""

import argparse
import statistics
import time
from types import SimpleNamespace

from common import describe_url, make_app
from sqlalchemy import event, select


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="with a paid order; not changed")
    parser.add_argument("--postings", type=int, default=300, help="postings measured")
    parser.add_argument("--warmup", type=int, default=20)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    app = make_app(args.database_url)
    with app.app_context():
        from shop.checkout.models import Order, OrderStatus
        from shop.extensions import db
        from shop.ledger import settlement

        fees = app.config["MIDTRANS_FEES"]
        order = db.session.scalars(
            select(Order).where(Order.status == OrderStatus.PAID).order_by(Order.id).limit(1)
        ).one()
        lines, shipments = list(order.lines), list(order.shipments)
        standing = dict(id=order.id, grand_total=order.grand_total)
        db.session.expunge_all()

        def post(n: int) -> None:
            paid = SimpleNamespace(
                number=f"BENCH-{n}", lines=lines, shipments=shipments, **standing
            )
            if hasattr(settlement, "post_payment"):
                settlement.post_payment(paid, "bank_transfer", fees)
            else:
                settlement.post_settlement(paid)
                settlement.post_gateway_fee(paid, "bank_transfer", fees)

        statements = [0]
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_: statements.__setitem__(0, statements[0] + 1),
        )
        cpu: list[float] = []
        counts: list[int] = []
        for n in range(args.warmup + args.postings):
            db.session.execute(select(1))  # the transaction begun outside the measure
            statements[0] = 0
            started = time.thread_time()
            post(n)
            elapsed = time.thread_time() - started
            if n >= args.warmup:
                cpu.append(elapsed)
                counts.append(statements[0])
            db.session.rollback()
        print(
            f"{describe_url(args.database_url)}: order with {len(lines)} lines, "
            f"{len({line.cooperative_id for line in lines})} cooperative(s)"
        )
        print(
            f"posting one payment: CPU ms median {statistics.median(cpu) * 1000:.2f} "
            f"(p10 {statistics.quantiles(cpu, n=10)[0] * 1000:.2f}), "
            f"statements {statistics.median(counts):.0f}"
        )


if __name__ == "__main__":
    main()
