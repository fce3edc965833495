"""Who hears of what: each event reaches the shopper, the members and the admins it
concerns, in their own language, once; and each person sees only their own."""

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.checkout.models import OrderShipment, ShipmentStatus
from shop.coops.models import Role
from shop.extensions import db
from shop.fulfilment.services import confirm_receipt, mark_packed, mark_shipped
from shop.notifications.models import EmailStatus, Notification
from shop.notifications.services import NewNotification, Recipient, record, record_many
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.orders.conftest import mark_paid, place


def notes(user=None, kind=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.recipient_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def two_coops():
    """Two cooperatives, each with an admin and a member selling one product; the second
    cooperative's admin and member read English."""
    people = {}
    for n, language in ((1, "id"), (2, "en")):
        coop = make_coop(name=f"Koperasi {n}")
        admin = make_membership(coop=coop, role=Role.ADMIN, user=make_user(language=language))
        member = make_membership(coop=coop, user=make_user(language=language))
        product = make_product(member, variants=((10000 * n, 50),), name=f"Produk {n}")
        people[n] = {"coop": coop, "admin": admin.user, "member": member.user, "product": product}
    return people


def test_a_paid_order_tells_the_shopper_each_member_and_each_admin(two_coops, outbox):
    shopper = make_user(email="ani@example.test", language="en")
    placed = place(
        [(two_coops[1]["product"], 2), (two_coops[2]["product"], 1)],
        user=shopper,
        email="ani@example.test",
    )
    mark_paid(placed.order)
    number = placed.order.number

    assert [n.kind for n in notes(shopper)] == ["order_placed", "order_paid"]
    for n in (1, 2):
        [member_note] = notes(two_coops[n]["member"])
        assert member_note.kind == "member_new_order"
        [admin_note] = notes(two_coops[n]["admin"])
        assert admin_note.kind == "admin_new_order"
    subjects = {mail.to: mail.subject for mail in outbox}  # the last mail to each address
    # Indonesian for the first cooperative's people, English for the second's and the shopper.
    assert subjects[two_coops[1]["member"].email] == (
        f"Pesanan baru {number} sudah dibayar: mohon disiapkan"
    )
    assert subjects[two_coops[2]["member"].email] == f"New paid order {number}: please prepare"
    assert subjects[two_coops[1]["admin"].email] == (
        f"Pesanan baru {number} sudah dibayar: mohon diproses"
    )
    assert subjects[two_coops[2]["admin"].email] == f"New paid order {number} to fulfil"
    assert subjects["ani@example.test"] == f"Payment received for order {number}"
    member_mail = next(m for m in outbox if m.to == two_coops[1]["member"].email)
    assert "- Produk 1 x 2" in member_mail.body  # their own lines, not the other member's
    assert "Produk 2" not in member_mail.body
    admin_mail = next(m for m in outbox if m.to == two_coops[2]["admin"].email)
    assert "1 item(s), Rp 20.000" in admin_mail.body
    assert f"http://localhost/koperasi/{two_coops[2]['coop'].slug}/kelola/pesanan/{number}" in (
        admin_mail.body
    )


def test_each_step_of_a_part_tells_the_shopper_and_completion_tells_the_member(two_coops, outbox):
    shopper = make_user()
    placed = place([(two_coops[1]["product"], 1)], user=shopper, email=shopper.email)
    mark_paid(placed.order)
    admin = two_coops[1]["admin"]
    shipment = db.session.scalar(select(OrderShipment))
    mark_packed(shipment, admin)
    db.session.execute(
        OrderShipment.__table__.update().values(method="courier")
    )  # a courier part needs a tracking number
    db.session.commit()
    mark_shipped(db.session.get(OrderShipment, shipment.id), admin, "JNE123")
    confirm_receipt(placed.order, two_coops[1]["coop"].id, shopper)

    kinds = [n.kind for n in notes(shopper)]
    assert kinds == [
        "order_placed", "order_paid", "part_packed", "part_shipped", "part_delivered",
        "part_completed",
    ]  # fmt: skip
    shipped = next(m for m in outbox if m.to == shopper.email and "JNE123" in m.body)
    assert "Nomor resi: JNE123" in shipped.body
    [money] = notes(two_coops[1]["member"], "member_part_completed")
    assert money.params["amount"] == 9500  # Rp 10.000 less the 5 % fee
    assert db.session.get(OrderShipment, shipment.id).status == ShipmentStatus.COMPLETED


def test_the_same_event_for_the_same_person_is_recorded_once(two_coops):
    user = two_coops[1]["member"]
    params = {"amount": 1000, "coop_slug": "x", "reference": "TRF", "reason": ""}
    assert record("payout_paid", Recipient.of(user), "7", params) is not None
    assert record("payout_paid", Recipient.of(user), "7", params) is None
    db.session.commit()
    assert len(notes(user)) == 1


def test_a_new_orders_notice_is_inserted_without_looking_for_it(count_queries):
    product = make_product(make_membership(), variants=((10000, 50),), name="Keripik")
    with count_queries() as statements:
        place([(product, 1)])
    assert [s for s in statements if "SELECT notifications.event_key" in s] == []
    assert len(notes(kind="order_placed")) == 1


def test_turning_email_off_keeps_the_in_app_entry(client, login, two_coops, outbox):
    user = two_coops[1]["member"]
    login(user)
    response = client.post(
        "/notifikasi/setelan",
        data={f"threshold_{user.id}": "3"} | _all_on_but(client, "email_payout_paid"),
    )
    assert response.status_code == 302
    record("payout_paid", Recipient.of(user), "8",
           {"amount": 1000, "coop_slug": "x", "reference": "TRF", "reason": ""})  # fmt: skip
    db.session.commit()

    [note] = notes(user)
    assert note.email_status == EmailStatus.OFF
    assert [m for m in outbox if m.to == user.email] == []


def _all_on_but(client, off: str) -> dict:
    page = client.get("/notifikasi/setelan").get_data(as_text=True)
    import re

    names = set(re.findall(r'name="(email_[a-z_]+)"', page))
    assert off in names
    data = {name: "y" for name in names if name != off}
    data |= {
        name: value for name, value in re.findall(r'name="(threshold_\d+)"[^>]*value="(\d+)"', page)
    }
    return data


def test_stock_falling_to_the_threshold_tells_the_maker_once(outbox):
    coop = make_coop()
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    member = make_membership(coop=coop, low_stock_threshold=3)
    product = make_product(member, variants=((10000, 5),), name="Keripik")
    place([(product, 1)])  # 5 -> 4: above the threshold
    assert notes(member.user, "low_stock") == []
    place([(product, 2)])  # 4 -> 2: crosses it
    place([(product, 1)])  # 2 -> 1: already below, no news
    [note] = notes(member.user, "low_stock")
    assert note.params["stock"] == 2
    assert len(notes(admin, "low_stock")) == 1  # the cooperative's admins hear too
    assert any(m.to == member.user.email and "Stok Keripik tinggal 2" in m.subject for m in outbox)


def test_each_variant_is_held_to_its_own_makers_threshold_and_no_crossing_costs_no_read(
    count_queries,
):
    coop = make_coop()
    careful = make_membership(coop=coop, low_stock_threshold=3)
    relaxed = make_membership(coop=coop, low_stock_threshold=1)
    keripik = make_product(careful, variants=((10000, 5),), name="Keripik")
    madu = make_product(relaxed, variants=((20000, 5),), name="Madu")
    with count_queries() as statements:
        place([(keripik, 1), (madu, 1)])  # 5 -> 4 each: neither crosses
    assert not [s for s in statements if "JOIN memberships" in s]  # stock_fell read nothing

    place([(keripik, 1), (madu, 1)])  # 4 -> 3 each: only the careful maker's threshold

    assert [note.params["name"] for note in notes(kind="low_stock")] == ["Keripik"]
    assert notes(relaxed.user, "low_stock") == []


def test_a_member_sees_only_their_own_notifications(client, login, two_coops):
    first, second = two_coops[1]["member"], two_coops[2]["member"]
    params = {"amount": 1000, "coop_slug": "x", "reference": "TRF-OWN", "reason": ""}
    mine = record("payout_paid", Recipient.of(first), "9", params)
    theirs = record("payout_paid", Recipient.of(second), "10", dict(params, reference="TRF-X"))
    db.session.commit()

    login(first)
    page = client.get("/notifikasi/").get_data(as_text=True)
    assert "TRF-OWN" in page and "TRF-X" not in page
    assert "Notifikasi (1 baru)" in client.get("/").get_data(as_text=True)
    # Marking another person's notification read changes nothing.
    assert client.post(f"/notifikasi/{theirs.id}/baca").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    client.post(f"/notifikasi/{mine.id}/baca")
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert "Notifikasi (1 baru)" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/notifikasi/"),
        ("get", "/notifikasi/setelan"),
        ("post", "/notifikasi/setelan"),
        ("post", "/notifikasi/1/baca"),
        ("post", "/notifikasi/baca-semua"),
        ("get", "/tugas/1"),
        ("get", "/tugas/1/status"),
    ],
)
def test_the_notification_pages_need_a_signed_in_person(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]


def test_choosing_english_makes_the_next_mails_english(client, login):
    user = make_user(language="id")
    login(user)
    client.get("/bahasa/en")
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "en"


def test_a_huge_id_in_the_url_is_a_clean_404_or_redirect(client, login):
    login(make_user())
    assert client.post("/notifikasi/99999999999999999999999/baca").status_code == 302
    assert client.get("/tugas/99999999999999999999999").status_code == 404
    assert client.get("/notifikasi/?sebelum=abc").status_code == 200
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_a_product_to_review_links_to_the_review_tab_of_the_console(app):
    from shop.notifications.kinds import KINDS
    from shop.products.queries import TABS

    message = KINDS["admin_product_to_review"].render(
        {"member": "Siti", "name": "Keripik", "coop_slug": "tani"}
    )

    assert message.values["status"] in TABS  # what the console filters on
    assert TABS[message.values["status"]] is TABS["ditinjau"]


def test_notifications_recorded_together_once_each_in_one_statement(two_coops, count_queries):
    first, second = two_coops[1]["member"], two_coops[2]["member"]
    params = {"amount": 1000, "coop_slug": "x", "reference": "TRF-1", "reason": ""}
    record("payout_paid", Recipient.of(first), "7", params)  # recorded before

    with count_queries() as statements:
        added = record_many([
            NewNotification("payout_paid", Recipient.of(first), "7", params),
            NewNotification("payout_paid", Recipient.of(second), "7", params),
            NewNotification("payout_paid", Recipient.of(second), "7", params),  # twice listed
            NewNotification("payout_paid", Recipient.of(first), "8", params),
        ])  # fmt: skip

    assert [(note.recipient_id, note.event_key.split(":")[1]) for note in added] == [
        (second.id, "7"), (first.id, "8")
    ]  # fmt: skip
    assert [note.id for note in added] == sorted(note.id for note in added)
    assert len(notes(first, "payout_paid")) == 2 and len(notes(second, "payout_paid")) == 1
    # One INSERT, which leaves out by their unique key the events recorded already.
    assert [s.split()[:3] for s in statements] == [["INSERT", "INTO", "notifications"]]
