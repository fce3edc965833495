"""The cooperative's audit log page: its own rows only, newest first, paged, filtered by
person, kind and period, each row in words, read-only."""

import ast
import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shop.audit.labels import ACTION_LABELS
from shop.audit.models import AuditEntry
from shop.audit.queries import PER_PAGE
from shop.coops.models import Role
from shop.extensions import db
from tests.coops import error_beside
from tests.factories import make_coop, make_membership, make_product, make_user


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera")


@pytest.fixture
def admin(coop):
    return make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Ketua")).user


def entry(coop, action: str, actor=None, at=None, target=None, **details) -> AuditEntry:
    row = AuditEntry(
        actor_id=actor.id if actor else None,
        cooperative_id=coop.id,
        action=action,
        target_type=type(target).__name__ if target is not None else "Cooperative",
        target_id=target.id if target is not None else coop.id,
        details=details,
        created_at=at or datetime.now(UTC),
    )
    db.session.add(row)
    db.session.commit()
    return row


def log_page(client, coop, **args) -> str:
    response = client.get(f"/koperasi/{coop.slug}/kelola/audit", query_string=args)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def shown_actions(page: str) -> list[str]:
    return re.findall(r'<td data-label="What">([^<]*)</td>', page)


def test_only_this_cooperatives_rows_newest_first(client, login, english, coop, admin):
    entry(coop, "coop.profile_updated", admin, at=datetime(2026, 11, 1, 3, tzinfo=UTC))
    entry(coop, "coop.shipping_updated", admin, at=datetime(2026, 11, 2, 3, tzinfo=UTC))
    other = make_coop(name="Koperasi Batik Lestari")
    outsider = make_membership(coop=other, role=Role.ADMIN, user=make_user(name="Bu Rahasia"))
    entry(other, "member.deactivated", outsider.user, target=outsider, secret="rahasia")
    login(admin)

    page = log_page(client, coop)

    assert shown_actions(page) == [
        "Shipping settings changed",
        "Profile, fee or review rules changed",
    ]
    for hidden in ("Bu Rahasia", "rahasia", "Member deactivated", "Koperasi Batik Lestari"):
        assert hidden not in page
    # Not even by asking for the outsider as the person.
    filtered = log_page(client, coop, person=str(outsider.user_id))
    assert "Bu Rahasia" not in filtered and "Member deactivated" not in filtered


def test_the_page_is_private_and_read_only(client, login, coop, admin):
    login(admin)

    response = client.get(f"/koperasi/{coop.slug}/kelola/audit")

    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<table class="stack">' not in response.get_data(as_text=True)  # nothing yet
    assert client.post(f"/koperasi/{coop.slug}/kelola/audit").status_code == 405


def test_filter_by_person(client, login, english, coop, admin):
    siti = make_membership(coop=coop, user=make_user(name="Siti Aminah"))
    entry(coop, "member.payout_account_changed", siti.user, target=siti)
    entry(coop, "coop.profile_updated", admin)
    login(admin)

    page = log_page(client, coop, person=str(siti.user_id))

    assert shown_actions(page) == ["Payout account changed"]
    assert f'<option selected value="{siti.user_id}">Siti Aminah</option>' in page


def test_filter_by_kind_lists_the_kinds_in_the_log_and_unknown_ones_raw(
    client, login, english, coop, admin
):
    entry(coop, "coop.profile_updated", admin)
    entry(coop, "stock.counted", admin)  # a kind this page has no label for
    login(admin)

    page = log_page(client, coop, action="stock.counted")

    assert shown_actions(page) == ["stock.counted"]
    assert (
        '<option value="coop.profile_updated">Profile, fee or review rules changed</option>' in page
    )


def test_filter_by_period_in_jakarta_days(client, login, english, coop, admin):
    # 30 November 23:30 in Jakarta is still 30 November there, though 16:30 UTC.
    entry(coop, "product.archived", admin, at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    entry(coop, "product.restored", admin, at=datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
    entry(coop, "product.approved", admin, at=datetime(2026, 11, 14, 2, tzinfo=UTC))
    login(admin)

    november_end = log_page(client, coop, date_from="2026-11-20", date_to="2026-11-30")
    december = log_page(client, coop, date_from="2026-12-01")
    until_mid_november = log_page(client, coop, date_to="2026-11-14")

    assert shown_actions(november_end) == ["Product archived"]
    assert shown_actions(december) == ["Product restored"]
    assert shown_actions(until_mid_november) == ["Product approved"]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"date_from": "kemarin"}, "date_from", "Enter a date like 2026-11-30."),
        ({"date_from": "0001-01-01"}, "date_from", "Enter a date between 2000 and 2100."),
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "date_to",
         "The last day must be on or after the first day."),
        ({"person": "abc"}, "person", "Choose one of the options in the list."),
    ],
)  # fmt: skip
def test_bad_filters_are_explained_beside_the_field(
    client, login, english, coop, admin, args, field, message
):
    entry(coop, "coop.profile_updated", admin)
    login(admin)

    page = log_page(client, coop, **args)

    assert error_beside(page, field) == message


def test_rows_are_paged(client, login, english, coop, admin):
    for n in range(PER_PAGE + 1):
        entry(coop, "coop.profile_updated", admin, at=datetime(2026, 11, 1, tzinfo=UTC), n=n)
    entry(coop, "coop.shipping_updated", admin, at=datetime(2026, 10, 1, tzinfo=UTC))
    login(admin)

    first = log_page(client, coop)
    second = log_page(client, coop, page="2")

    assert len(shown_actions(first)) == PER_PAGE
    assert shown_actions(second) == [
        "Profile, fee or review rules changed",
        "Shipping settings changed",
    ]
    assert "?page=2" in first


def test_each_row_says_who_what_on_what_and_the_details_before_and_after(
    client, login, english, coop, admin
):
    siti = make_membership(coop=coop, user=make_user(name="Siti Aminah"))
    product = make_product(siti, name="Keripik Tempe Sagu")
    entry(coop, "member.role_changed", admin, target=siti, role=["member", "admin"])
    entry(coop, "product.updated", admin, target=product,
          changes={"name": ["Keripik", "Keripik Tempe Sagu"]})  # fmt: skip
    entry(coop, "payout.requested", siti.user, target=siti, amount=95000, bank="BRI",
          account="0123456789")  # fmt: skip
    entry(coop, "coop.created", None, admin="ketua@example.com")
    login(admin)

    page = log_page(client, coop)

    assert "Role changed" in page and "Role: Member → Admin" in page
    assert f'href="/koperasi/{coop.slug}/kelola/anggota/{siti.id}">Siti Aminah (no. ' in page
    assert f'href="/koperasi/{coop.slug}/kelola/produk/{product.id}">Keripik Tempe Sagu</a>' in page
    assert "Name: Keripik → Keripik Tempe Sagu" in page
    assert "Amount: Rp 95.000" in page and "Account number: ••••••6789" in page
    assert "0123456789" not in page
    assert "admin: ketua@example.com" in page and "No account (the system or a shopper)" in page


def test_a_real_change_shows_in_the_log(client, login, english, coop, admin):
    siti = make_membership(coop=coop, user=make_user(name="Siti Aminah"))
    login(admin)
    client.post(f"/koperasi/{coop.slug}/kelola/anggota/{siti.id}/nonaktifkan")

    page = log_page(client, coop, action="member.deactivated")

    assert shown_actions(page) == ["Member deactivated"]
    assert "Pak Ketua" in page
    assert "Active: yes → no" in page and "Products taken off sale: 0" in page


def _audited_actions() -> set[str]:
    """Every action the code audits that the source names as a string: the third argument
    of record_audit(), and strings assigned to a name ending in "action"."""

    def strings(node) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return strings(node.body) | strings(node.orelse)
        return set()

    found = set()
    for path in Path("shop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_audit":
                if len(node.args) > 2:
                    found |= strings(node.args[2])
            elif isinstance(node, ast.Assign):
                names = [getattr(target, "id", "") for target in node.targets]
                if any(name.lower().endswith("action") for name in names):
                    found |= strings(node.value)
    return found


def test_every_audited_action_reads_as_words():
    actions = _audited_actions()

    assert {"payout.resent", "savings.withdrawal", "order.refund_refused"} <= actions
    assert sorted(actions - set(ACTION_LABELS)) == []
