"""The operator's dashboard lists the signed gateway notifications that matched nothing here
or whose handling stopped midway, and none of the others."""

from datetime import timedelta

from shop.extensions import db
from shop.operator.gateway_watch import notifications_to_look_at
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.models import PaymentNotification
from shop.payouts.models import IrisNotification
from shop.timeutil import utcnow


def midtrans(order_id: str, outcome: Outcome, ago: timedelta, signed: bool = True) -> None:
    db.session.add(
        PaymentNotification(raw_body="{}", order_id=order_id, transaction_status="settlement",
                            signature_valid=signed, outcome=outcome, received_at=utcnow() - ago)
    )  # fmt: skip


def iris(reference: str, outcome: str, ago: timedelta, signed: bool = True) -> None:
    db.session.add(
        IrisNotification(raw_body="{}", reference_no=reference, sent_status="completed",
                         signature_valid=signed, outcome=outcome, received_at=utcnow() - ago)
    )  # fmt: skip


def test_the_dashboard_lists_what_matched_nothing_or_crashed(english, login, operator):
    minute, day = timedelta(minutes=1), timedelta(days=1)
    midtrans("PK-UNKNOWN", Outcome.UNKNOWN_ORDER, day)
    midtrans("PK-AMOUNT", Outcome.AMOUNT_MISMATCH, day)
    midtrans("PK-CRASHED", Outcome.RECEIVED, timedelta(hours=1))
    iris("IRIS-UNKNOWN", "unknown", day)
    iris("IRIS-AMOUNT", "amount_mismatch", day)
    # Not for the operator: unsigned, handled, still being handled, or older than 30 days.
    midtrans("PK-FORGED", Outcome.UNKNOWN_ORDER, day, signed=False)
    midtrans("PK-APPLIED", Outcome.APPLIED, day)
    midtrans("PK-HANDLING", Outcome.RECEIVED, minute)
    midtrans("PK-OLD", Outcome.UNKNOWN_ORDER, timedelta(days=31))
    iris("IRIS-PAID", "paid", day)
    db.session.commit()
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    for listed in ("PK-UNKNOWN", "PK-AMOUNT", "PK-CRASHED", "IRIS-UNKNOWN", "IRIS-AMOUNT"):
        assert f"<code>{listed}</code>" in page, listed
    for left_out in ("PK-FORGED", "PK-APPLIED", "PK-HANDLING", "PK-OLD", "IRIS-PAID"):
        assert left_out not in page, left_out
    assert "No such order here" in page and "Handling stopped midway" in page
    assert "No such payout here" in page and "Amount differs from ours" in page


def test_the_dashboard_says_when_there_is_nothing_to_look_at(english, login, operator):
    login(operator)

    page = english.get("/operator/").get_data(as_text=True)

    assert 'class="gateway-watch-empty"' in page


def test_an_unknown_iris_payout_that_a_later_retry_found_is_not_listed():
    hour = timedelta(hours=1)
    iris("IRIS-EARLY", "unknown", 3 * hour)  # Iris came before our payout was committed,
    iris("IRIS-EARLY", "unavailable", 2 * hour)  # could not be asked again,
    iris("IRIS-EARLY", "paid", hour)  # then its retry found and paid it
    iris("IRIS-STILL", "unknown", 3 * hour)
    iris("IRIS-STILL", "unknown", 2 * hour)  # retried, still nothing of ours
    iris("IRIS-STILL", "paid", hour, signed=False)  # a forged "found" settles nothing
    iris("IRIS-LATER", "paid", 3 * hour)  # found first, and an unknown after: still listed
    iris("IRIS-LATER", "unknown", hour)
    db.session.commit()

    listed = [(row.reference, row.outcome) for row in notifications_to_look_at()]

    assert listed == [
        ("IRIS-LATER", "unknown"),
        ("IRIS-STILL", "unknown"),
        ("IRIS-STILL", "unknown"),
    ]
