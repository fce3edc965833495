"""Mail through the task queue and the outbox, end to end: no request waits on SMTP, the mail
goes out once SMTP is back, exactly once however often a task runs, and never for a
transaction that rolled back.

The suite runs tasks at once (TASK_QUEUE=immediate); the `queue` fixture here makes the
module-level Huey keep them in memory instead, and `drain()` runs them as a consumer would.
SMTP is real: a port that drops every connection while it is "down", then aiosmtpd.
"""

import socket
import threading
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.checkout.models import Order, OrderStatus
from shop.checkout.services import OutOfStock, place_order
from shop.coops.models import Role
from shop.extensions import db
from shop.jobs.queue import huey
from shop.notifications import events
from shop.notifications.models import EmailStatus, Notification
from shop.notifications.services import Recipient, mail_notification, record
from shop.outbox.models import MailStatus, OutgoingMail
from shop.outbox.services import deliver_mail, queue_mail
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    make_user,
    payment_page,
)
from tests.payments.conftest import _receiver, choose, simulator_app  # noqa: F401  (fixtures)
from tests.payments.test_notifications import body as signed_notification
from tests.test_purchase import ADDRESS as PURCHASE_ADDRESS

# Later than any retry's eta: a drain runs every retry at once instead of waiting for it.
FAR_FUTURE = datetime(2100, 1, 1)
SIGN_UP = {
    "name": "Siti Aminah",
    "email": "siti.baru@example.com",
    "password": "rahasia-123",
    "confirm": "rahasia-123",
}
ADDRESS = PURCHASE_ADDRESS | {"contact_name": "Budi Santoso", "contact_email": "budi@example.test"}


@pytest.fixture
def queue():
    """The module-level Huey queueing tasks in memory rather than running them at once."""
    saved = huey.storage, huey._immediate
    huey._immediate = False  # the property would swap the storage back to a fresh one
    huey.storage = huey.get_immediate_storage()
    try:
        yield huey
    finally:
        huey.storage, huey._immediate = saved


def drain() -> int:
    """What a consumer runs from now until the queue is idle: each retry waiting in the
    schedule (however far off) and each queued task, including those these queue. A retry
    that fails again waits for the next drain. Returns how many task runs there were."""
    assert not huey.immediate, "a create_app() in the test put the queue back in immediate mode"
    # The test's own session ends its transaction first. All sessions share the test's
    # connection, so a task's savepoint would otherwise nest inside the test's, and a later
    # rollback in the test would undo what the task wrote (no consumer shares a transaction).
    db.session.commit()
    runs = 0
    for task in huey.read_schedule(FAR_FUTURE):
        huey.execute(task, timestamp=FAR_FUTURE)
        runs += 1
    while (task := huey.dequeue()) is not None:
        huey.execute(task, timestamp=FAR_FUTURE)
        runs += 1
    return runs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(app, monkeypatch, port: int) -> None:
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                "MAIL_USE_TLS": False, "MAIL_USERNAME": ""}  # fmt: skip
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


class DeadSmtp:
    """SMTP down: a port that accepts each connection, counts it and closes it at once."""

    def __init__(self):
        self.connections = 0
        self._stop = threading.Event()
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1  # before the close the client is waiting for
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


class Inbox:
    """An aiosmtpd handler keeping (recipient, subject, body) of each message it accepts;
    it answers the first `refusals` messages with a temporary failure."""

    def __init__(self, refusals: int = 0):
        self.received: list[tuple[str, str, str]] = []
        self.refusals = refusals
        self.refused = 0

    @property
    def messages(self) -> list[tuple[str, str]]:
        return [(recipient, subject) for recipient, subject, _ in self.received]

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refused < self.refusals:
            self.refused += 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=default_policy)
        subject, body = str(message["Subject"]), message.get_content()
        self.received.extend((recipient, subject, body) for recipient in envelope.rcpt_tos)
        return "250 2.0.0 Accepted"


@contextmanager
def smtp_server(port: int, inbox: Inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def all_mails() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def mail_of(kind: str, email: str) -> OutgoingMail:
    """The outbox row of the one notification of `kind` mailed to `email`."""
    notification = db.session.scalars(
        select(Notification).where(Notification.kind == kind, Notification.email == email)
    ).one()
    assert notification.email_status == EmailStatus.QUEUED and notification.mail_id
    return db.session.get(OutgoingMail, notification.mail_id)


def row_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# SMTP down, then back ------------------------------------------------------------------------


def test_with_smtp_down_requests_never_touch_it_and_each_mail_goes_out_once_it_is_back(
    app,
    client,
    simulator_app,  # noqa: F811  (session-scoped, so its create_app() runs before `queue`)
    queue,
    monkeypatch,
):
    dead = DeadSmtp()
    use_smtp(app, monkeypatch, dead.port)
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )
    coop = make_coop(city="Kota Yogyakarta")
    make_shipping_settings(coop, offers_local=True, local_fee=10_000)
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    maker = make_membership(coop=coop)
    variant = make_product(maker, variants=((15_000, 10),)).variants[0]
    existing = make_user()

    try:
        assert app.test_client().post("/akun/daftar", data=SIGN_UP).status_code == 302
        reset = app.test_client().post("/akun/lupa-sandi", data={"email": existing.email})
        assert reset.status_code == 302
        added = client.post("/keranjang/tambah", data={"variant_id": variant.id, "quantity": 2})
        assert added.status_code == 302
        placed = client.post("/checkout", data=ADDRESS | {f"shipping-{coop.id}": "local",
                                                          "place": "1"})  # fmt: skip
        order = db.session.scalars(select(Order)).one()
        assert placed.status_code == 303 and placed.location == payment_page(order)
        choose(placed.location, "bank_transfer", "pay")
        notified = client.post(
            "/payments/midtrans/notification",
            data=signed_notification(order.current_payment_id, "settlement", order.grand_total),
            content_type="application/json",
        )
        assert (notified.status_code, notified.json) == (200, {"status": "applied"})

        # Every request answered without a single connection to SMTP.
        assert dead.connections == 0
        db.session.expire_all()
        assert db.session.get(Order, order.id).status == OrderStatus.PAID
        assert db.session.scalar(select(User).where(User.email == SIGN_UP["email"])) is not None
        assert all_mails() == []  # the tasks that write them are waiting in the queue
        assert huey.pending_count() > 0

        # The consumer runs while SMTP is still down: each mail is tried once and kept.
        assert drain() > 0
        mails = all_mails()
        assert mails and dead.connections == len(mails)
        assert {(m.status, m.attempts) for m in mails} == {(MailStatus.PENDING, 1)}
        assert all(m.last_error for m in mails)
    finally:
        dead.close()

    with smtp_server(dead.port, Inbox()) as inbox:
        drain()
        delivered = list(inbox.messages)
        assert drain() == 0  # nothing is left to run, so nothing goes out twice
    mails = all_mails()
    assert Counter(delivered) == Counter((m.to, m.subject) for m in mails)
    assert len(delivered) == len(mails) == len(set(delivered))
    assert {(m.status, m.attempts) for m in mails} == {(MailStatus.SENT, 2)}
    assert inbox.messages == delivered  # the last drain sent nothing more
    # Among them, the ones this journey is about.
    [reset_body] = [body for to, _, body in inbox.received if to == existing.email]
    assert f"{app.config['SITE_URL']}/akun/sandi-baru/" in reset_body
    for kind, email in [
        ("order_placed", ADDRESS["contact_email"]),
        ("order_paid", ADDRESS["contact_email"]),
        ("member_new_order", maker.user.email),
        ("admin_new_order", admin.email),
    ]:
        mail = mail_of(kind, email)
        assert delivered.count((email, mail.subject)) == 1, kind
    queued = db.session.scalars(select(Notification.email_status)).all()
    assert set(queued) == {EmailStatus.QUEUED}


def test_a_mail_refused_twice_then_accepted_is_delivered_once(app, queue, monkeypatch):
    port = free_port()
    use_smtp(app, monkeypatch, port)
    user = make_user()
    mail_id = queue_mail(user.email, "Pesanan Anda", "Terima kasih.").id
    db.session.commit()

    with smtp_server(port, Inbox(refusals=2)) as inbox:
        runs = [drain() for _ in range(4)]

    assert runs == [1, 1, 1, 0]
    assert inbox.refused == 2
    assert inbox.messages == [(user.email, "Pesanan Anda")]
    mail = all_mails()[0]
    assert (mail.id, mail.status, mail.attempts) == (mail_id, MailStatus.SENT, 3)
    assert mail.sent_at is not None


# Tasks run twice -------------------------------------------------------------------------------


def test_a_notification_is_mailed_once_however_often_its_tasks_run(app, queue, outbox):
    coop = make_coop()
    member = make_membership(coop=coop).user
    params = {"amount": 100_000, "coop_slug": coop.slug, "reference": "TRF-1", "reason": ""}
    notification_id = record("payout_paid", Recipient.of(member), "1", params).id
    db.session.commit()

    with app.test_request_context(base_url=app.config["SITE_URL"]):  # as the task runs it
        assert [mail_notification(notification_id) for _ in range(2)] == [True, False]
        mail_id = db.session.get(Notification, notification_id).mail_id
        assert [deliver_mail(mail_id) for _ in range(2)] == [True, False]
    assert drain() == 2  # the queued runs of both tasks come on top, and do nothing

    assert [mail.to for mail in outbox] == [member.email]
    assert [(m.id, m.status) for m in all_mails()] == [(mail_id, MailStatus.SENT)]


# Transactions that roll back -----------------------------------------------------------------


@pytest.fixture
def keripik():
    """Keripik, 2 left, at a cooperative offering pickup."""
    coop = make_coop()
    variant = make_product(make_membership(coop=coop), variants=((15_000, 2),)).variants[0]
    return coop, variant


def assert_nothing_recorded_or_mailed(outbox) -> None:
    make_user()  # a later unit of work commits: nothing held from the failed one goes with it
    assert huey.pending_count() == 0 and drain() == 0
    assert (row_count(Order), row_count(Notification), row_count(OutgoingMail)) == (0, 0, 0)
    assert outbox == []


def test_an_order_refused_for_stock_records_no_event_and_sends_no_mail(queue, outbox, keripik):
    coop, variant = keripik
    with pytest.raises(OutOfStock):
        place_order([(variant.id, 3)], checkout_request(coop), None)
    assert_nothing_recorded_or_mailed(outbox)


def test_an_order_failing_after_its_event_was_recorded_sends_no_mail(
    queue, outbox, keripik, monkeypatch
):
    coop, variant = keripik

    def fail(variant_stock):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(events, "stock_fell", fail)  # runs after order_placed is recorded
    with pytest.raises(RuntimeError):
        place_order([(variant.id, 1)], checkout_request(coop), None)
    assert_nothing_recorded_or_mailed(outbox)


def test_events_recorded_in_a_transaction_that_rolls_back_are_never_mailed(queue, outbox, keripik):
    coop, variant = keripik
    make_membership(coop=coop, role=Role.ADMIN)
    order = place_order([(variant.id, 1)], checkout_request(coop), None).order
    drain()
    assert [mail.to for mail in outbox] == ["siti@example.test"]  # its "order placed"

    events.order_paid(order)
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"order_paid", "member_new_order", "admin_new_order"} <= kinds
    db.session.rollback()
    make_user()  # the next unit of work commits

    assert huey.pending_count() == 0 and drain() == 0
    assert db.session.scalars(select(Notification.kind)).all() == ["order_placed"]
    assert len(all_mails()) == 1 and len(outbox) == 1


def test_a_reset_for_an_unknown_address_does_the_same_work_as_for_a_known_one(
    client, queue, count_queries, outbox
):
    make_user(email="known@example.com")
    db.session.commit()
    seen = {}
    for email in ("known@example.com", "nobody@example.com"):
        queued_before = huey.pending_count()
        with count_queries() as statements:
            response = client.post("/akun/lupa-sandi", data={"email": email})
        seen[email] = (response.status_code, response.headers["Location"], len(statements),
                       huey.pending_count() - queued_before)  # fmt: skip

    # The same answer, no SQL at all in the request, one task queued either way: nothing a
    # stopwatch or the page could tell apart. The task finds out whether the account exists.
    assert seen["known@example.com"] == seen["nobody@example.com"] == (302, "/akun/masuk", 0, 1)
    drain()
    assert [mail.to for mail in outbox] == ["known@example.com"]
