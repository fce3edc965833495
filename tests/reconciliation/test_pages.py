"""The exceptions on the admin's home (a short list, the count, links to where to act) and on
their own page (open, and resolved lately); another cooperative's never shown."""

from datetime import timedelta

import pytest

from shop.coops.models import Role
from shop.extensions import db
from shop.reconciliation.models import ExceptionKind, ReconciliationException
from shop.timeutil import utcnow
from tests.factories import make_coop, make_membership


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def exception(coop, kind, reference, amount=100_000, resolved=False) -> ReconciliationException:
    now = utcnow()
    row = ReconciliationException(
        cooperative_id=coop.id,
        kind=kind,
        reference=reference,
        amount=amount,
        first_seen=now - timedelta(days=2),
        last_seen=now,
        resolved_at=now if resolved else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def tani():
    coop = make_coop(name="Koperasi Tani")
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    return coop, admin


def test_the_admins_home_shows_the_count_and_where_to_act(english, login, tani):
    coop, admin = tani
    exception(coop, ExceptionKind.PAID_NOT_SETTLED, "PK-20261201-AAAAAA", 163_000)
    exception(coop, ExceptionKind.PAYOUT_UNAPPROVED, "42", 50_000)
    exception(coop, ExceptionKind.REFUND_NOT_ALLOCATED, "PK-20261201-CCCCCC", resolved=True)
    exception(make_coop(), ExceptionKind.SETTLED_UNKNOWN, "PK-20261201-BBBBBB")
    login(admin)

    page = english.get(f"/koperasi/{coop.slug}/kelola/").get_data(as_text=True)

    assert "Our books and Midtrans do not agree (2)" in page
    assert "Paid in our books, not settled by Midtrans" in page
    assert f'href="/koperasi/{coop.slug}/kelola/pesanan/PK-20261201-AAAAAA"' in page
    assert "Rp\xa0163.000" in page
    assert "Payout #42" in page and f'href="/koperasi/{coop.slug}/kelola/pencairan"' in page
    assert f'href="/koperasi/{coop.slug}/kelola/rekonsiliasi/pengecualian"' in page
    assert "PK-20261201-CCCCCC" not in page  # resolved: on the exceptions page only
    assert "PK-20261201-BBBBBB" not in page  # another cooperative's


def test_the_admins_home_without_exceptions_shows_a_zero_count_and_no_list(english, login, tani):
    coop, admin = tani
    login(admin)

    page = english.get(f"/koperasi/{coop.slug}/kelola/").get_data(as_text=True)

    assert "Reconciliation exceptions" in page
    assert "do not agree" not in page


def test_the_exceptions_page_lists_open_and_recently_resolved(english, login, tani):
    coop, admin = tani
    exception(coop, ExceptionKind.SETTLED_UNKNOWN, "PK-20261201-AAAAAA")
    exception(coop, ExceptionKind.REFUND_NOT_ALLOCATED, "PK-20261201-CCCCCC", resolved=True)
    old = exception(coop, ExceptionKind.REFUND_NOT_ALLOCATED, "PK-20261001-DDDDDD", resolved=True)
    old.resolved_at = utcnow() - timedelta(days=31)
    exception(make_coop(), ExceptionKind.SETTLED_UNKNOWN, "PK-20261201-BBBBBB")
    db.session.commit()
    login(admin)

    response = english.get(f"/koperasi/{coop.slug}/kelola/rekonsiliasi/pengecualian")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    open_part, resolved_part = page.split("Resolved in the last 30 days")
    assert "Settled by Midtrans, not in our books" in open_part
    assert "PK-20261201-AAAAAA" in open_part and "PK-20261201-CCCCCC" not in open_part
    assert "PK-20261201-CCCCCC" in resolved_part
    assert "Refund made at Midtrans, not allocated" in resolved_part
    assert "PK-20261001-DDDDDD" not in page  # resolved too long ago
    assert "PK-20261201-BBBBBB" not in page


def test_the_exceptions_page_of_clean_books_says_so(english, login, tani):
    coop, admin = tani
    login(admin)

    page = english.get(f"/koperasi/{coop.slug}/kelola/rekonsiliasi/pengecualian")

    assert "Nothing to look at: the books agree with Midtrans." in page.get_data(as_text=True)


def test_the_list_is_a_reusable_include_without_links(app, tani):
    """What the pengawas's home can show: the same cards, without the admin's links."""
    coop, _admin = tani
    row = exception(coop, ExceptionKind.PAID_NOT_SETTLED, "PK-20261201-AAAAAA")
    with app.test_request_context():
        html = app.jinja_env.from_string('{% include "reconciliation/_exceptions.html" %}').render(
            coop=coop, exceptions=[row], with_links=False, _=lambda text, **v: text % v
        )

    assert "PK-20261201-AAAAAA" in html and "href" not in html
