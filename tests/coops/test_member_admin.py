"""An admin manages members: each member's page, their role, deactivating and reactivating,
and the rule that a cooperative always keeps an active admin."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.catalog.models import Product, ProductStatus
from shop.coops import membership_admin
from shop.coops.membership_admin import LastAdmin
from shop.coops.models import Membership, Role
from shop.extensions import db
from shop.ledger.models import Payout
from shop.notifications.kinds import KINDS
from shop.notifications.models import Notification
from tests.conftest import csrf_token_from
from tests.coops import audit_entries, count
from tests.factories import (
    DEFAULT_PASSWORD,
    make_coop,
    make_membership,
    make_product,
    make_user,
)
from tests.payouts.conftest import earn


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera", min_payout=50_000)


@pytest.fixture
def admin(coop) -> Membership:
    return make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Ketua"))


@pytest.fixture
def siti(coop) -> Membership:
    return make_membership(
        coop=coop,
        user=make_user(name="Siti Aminah", email="siti@example.com"),
        business_name="Keripik Bu Siti",
        whatsapp="+6281234567890",
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti Aminah",
    )


def page_of(coop, member: Membership, action: str = "") -> str:
    return f"/koperasi/{coop.slug}/kelola/anggota/{member.id}{action}"


def reloaded(membership: Membership) -> Membership:
    return db.session.get(Membership, membership.id, populate_existing=True)


def status_of(product: Product) -> ProductStatus:
    return db.session.scalar(select(Product.status).where(Product.id == product.id))


# The members list


def test_members_list_links_each_member_and_marks_the_deactivated(
    client, login, english, coop, admin, siti
):
    former = make_membership(coop=coop, user=make_user(name="Budi Lama"), is_active=False)
    login(admin.user)

    response = client.get(f"/koperasi/{coop.slug}/kelola/anggota")

    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<table class="stack">' in page
    for member in (admin, siti, former):
        assert f'href="{page_of(coop, member)}"' in page
    assert "Budi Lama" in page and "Deactivated" in page
    assert f'href="/koperasi/{coop.slug}/kelola/audit"' in page


# A member's page


def test_member_page_shows_profile_products_sales_balance_and_masked_account(
    client, login, english, coop, admin, siti
):
    earn(siti, admin.user)  # an order of 2 x Rp 50.000, received: Rp 95.000 available
    draft = make_product(siti, name="Rengginang Bu Siti", status=ProductStatus.DRAFT)
    login(admin.user)

    response = client.get(page_of(coop, siti))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    for shown in ("Siti Aminah", "siti@example.com", siti.member_number, "Keripik Bu Siti",
                  "+6281234567890", "BRI", "••••••6789", "Rp\xa0100.000", "Rp\xa05.000",
                  "Rp\xa095.000"):  # fmt: skip
        assert shown in page, shown
    assert "0123456789" not in page
    assert page.count("Rp\xa0100.000") >= 2  # this month and all time
    assert f'href="/koperasi/{coop.slug}/kelola/produk/{draft.id}"' in page
    assert "Draft" in page and "Active" in page


def test_member_page_trail_shows_changes_to_the_member_and_by_them(
    client, login, english, coop, admin, siti
):
    membership_admin.change_role(siti, Role.ADMIN, admin.user)
    other = make_membership(coop=coop, user=make_user(name="Budi"))
    membership_admin.deactivate_member(other, siti.user)  # an act of Siti's, now an admin
    membership_admin.deactivate_member(make_membership(coop=coop), admin.user)  # neither
    login(admin.user)

    page = client.get(page_of(coop, siti)).get_data(as_text=True)

    assert "Role changed" in page and "Member → Admin" in page
    assert "Member deactivated" in page and "Budi (no. " in page
    assert page.count("Member deactivated") == 1


def test_another_cooperatives_member_or_an_unknown_id_is_not_found(client, login, coop, admin):
    elsewhere = make_membership(coop=make_coop())
    login(admin.user)

    for path in (page_of(coop, elsewhere), f"/koperasi/{coop.slug}/kelola/anggota/999999",
                 f"/koperasi/{coop.slug}/kelola/anggota/99999999999"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    for action in ("/peran", "/nonaktifkan", "/aktifkan"):
        assert (
            client.post(page_of(coop, elsewhere, action), data={"role": "admin"}).status_code == 404
        )
    assert reloaded(elsewhere).is_active and reloaded(elsewhere).role == Role.MEMBER


# Role


def test_admin_makes_a_member_an_admin_and_it_is_audited(client, login, coop, admin, siti):
    login(admin.user)

    response = client.post(page_of(coop, siti, "/peran"), data={"role": "admin"})

    assert response.status_code == 302
    assert response.headers["Location"] == page_of(coop, siti)
    assert reloaded(siti).role == Role.ADMIN
    (entry,) = audit_entries("member.role_changed")
    assert (entry.actor_id, entry.cooperative_id) == (admin.user_id, coop.id)
    assert (entry.target_type, entry.target_id) == ("Membership", siti.id)
    assert entry.details == {"role": ["member", "admin"]}


def test_an_admin_can_be_made_a_member_while_another_admin_remains(client, login, coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    login(admin.user)

    client.post(page_of(coop, second, "/peran"), data={"role": "member"})

    assert reloaded(second).role == Role.MEMBER
    assert audit_entries("member.role_changed")[0].details == {"role": ["admin", "member"]}


def test_a_role_that_is_not_offered_is_refused(client, login, coop, admin, siti):
    login(admin.user)

    response = client.post(page_of(coop, siti, "/peran"), data={"role": "operator"})

    assert response.status_code == 400
    assert reloaded(siti).role == Role.MEMBER


@pytest.mark.parametrize("action", ["/peran", "/nonaktifkan"])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    client, login, english, coop, admin, action
):
    make_membership(coop=coop, role=Role.ADMIN, is_active=False)  # a former admin does not count
    login(admin.user)

    response = client.post(page_of(coop, admin, action), data={"role": "member"})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only active admin" in page
    assert (reloaded(admin).role, reloaded(admin).is_active) == (Role.ADMIN, True)
    assert count(AuditEntry) == 0


def test_last_admin_rule_in_the_service(coop, admin):
    with pytest.raises(LastAdmin):
        membership_admin.change_role(admin, Role.MEMBER, admin.user)
    with pytest.raises(LastAdmin):
        membership_admin.deactivate_member(admin, admin.user)
    assert (reloaded(admin).role, reloaded(admin).is_active) == (Role.ADMIN, True)


def test_an_admin_who_steps_down_goes_to_their_member_home(client, login, coop, admin):
    make_membership(coop=coop, role=Role.ADMIN)
    login(admin.user)

    response = client.post(page_of(coop, admin, "/peran"), data={"role": "member"})

    assert response.headers["Location"] == f"/koperasi/{coop.slug}/anggota/"
    assert reloaded(admin).role == Role.MEMBER
    assert client.get(f"/koperasi/{coop.slug}/kelola/anggota").status_code == 403


# Deactivating and reactivating


def test_deactivating_suspends_products_on_sale_only_and_is_audited(
    client, login, coop, admin, siti
):
    on_sale = make_product(siti)
    draft = make_product(siti, status=ProductStatus.DRAFT)
    waiting = make_product(siti, status=ProductStatus.PENDING)
    archived = make_product(siti, status=ProductStatus.ARCHIVED)
    someone_elses = make_product(make_membership(coop=coop))
    login(admin.user)

    response = client.post(page_of(coop, siti, "/nonaktifkan"))

    assert response.status_code == 302
    assert reloaded(siti).is_active is False
    assert status_of(on_sale) == ProductStatus.SUSPENDED
    assert [status_of(p) for p in (draft, waiting, archived, someone_elses)] == [
        ProductStatus.DRAFT, ProductStatus.PENDING, ProductStatus.ARCHIVED, ProductStatus.ACTIVE,
    ]  # fmt: skip
    (entry,) = audit_entries("member.deactivated")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.user_id,
        "Membership",
        siti.id,
    )
    assert entry.details == {"is_active": [True, False], "products_suspended": 1}


def test_reactivating_puts_suspended_products_back_on_sale_and_is_audited(
    client, login, coop, admin, siti
):
    product = make_product(siti)
    archived_meanwhile = make_product(siti)
    membership_admin.deactivate_member(siti, admin.user)
    archived_meanwhile.move_to(ProductStatus.ARCHIVED)
    db.session.commit()
    login(admin.user)

    client.post(page_of(coop, siti, "/aktifkan"))

    assert reloaded(siti).is_active is True
    assert status_of(product) == ProductStatus.ACTIVE
    assert status_of(archived_meanwhile) == ProductStatus.ARCHIVED
    (entry,) = audit_entries("member.reactivated")
    assert entry.details == {"is_active": [False, True], "products_restored": 1}


def test_deactivating_twice_changes_nothing_more(client, login, english, coop, admin, siti):
    login(admin.user)
    client.post(page_of(coop, siti, "/nonaktifkan"))

    response = client.post(page_of(coop, siti, "/nonaktifkan"), follow_redirects=True)

    assert "inactive already" in response.get_data(as_text=True)
    assert len(audit_entries("member.deactivated")) == 1


def test_deactivated_member_keeps_their_balance_and_can_still_ask_for_a_payout(
    client, login, coop, admin, siti
):
    earn(siti, admin.user)  # Rp 95.000 available
    membership_admin.deactivate_member(siti, admin.user)
    login(siti.user)

    assert client.get(f"/koperasi/{coop.slug}/anggota/produk").status_code == 403
    response = client.post(f"/koperasi/{coop.slug}/anggota/saldo", data={"amount": "95000"})

    assert response.status_code == 302
    payout = db.session.scalars(select(Payout).where(Payout.member_id == siti.id)).one()
    assert payout.amount == 95_000


def test_a_former_member_invited_again_gets_their_suspended_products_back(coop, admin, siti):
    from shop.coops.services import accept_invitation, invite_member

    product = make_product(siti)
    membership_admin.deactivate_member(siti, admin.user)
    _invitation, link = invite_member(coop, "siti@example.com", Role.MEMBER, admin.user)

    accept_invitation(link.rsplit("/", 1)[1], siti.user)

    assert reloaded(siti).is_active is True
    assert status_of(product) == ProductStatus.ACTIVE


def test_deactivating_needs_the_pages_csrf_token(client, csrf_on, coop, admin, siti):
    sign_in_page = client.get("/akun/masuk").get_data(as_text=True)
    client.post("/akun/masuk", data={"email": admin.user.email, "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(sign_in_page)})  # fmt: skip

    forged = client.post(page_of(coop, siti, "/nonaktifkan"))
    assert forged.status_code == 400
    assert reloaded(siti).is_active is True

    token = csrf_token_from(client.get(page_of(coop, siti)).get_data(as_text=True))
    response = client.post(page_of(coop, siti, "/nonaktifkan"), data={"csrf_token": token})

    assert response.status_code == 302
    assert reloaded(siti).is_active is False


def test_the_member_is_told_of_each_change_an_admin_makes(in_english, coop, admin, siti):
    membership_admin.change_role(siti, Role.ADMIN, admin.user)
    membership_admin.change_role(siti, Role.MEMBER, admin.user)
    membership_admin.deactivate_member(siti, admin.user)
    membership_admin.reactivate_member(siti, admin.user)

    told = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == siti.user_id)
        .order_by(Notification.id)
    ).all()
    assert [n.params["change"] for n in told] == ["admin", "member", "deactivated", "reactivated"]
    ended = KINDS["membership_changed"].render(told[2].params)
    assert ended.title == f"Your membership of {coop.name} has ended"
    assert any("ask for a payout" in line for line in ended.lines)
    assert ended.endpoint == "dashboards.member_home"


def test_an_admin_who_steps_down_is_not_told_of_their_own_doing(coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    membership_admin.change_role(second, Role.MEMBER, second.user)

    assert (
        db.session.scalar(select(Notification).where(Notification.recipient_id == second.user_id))
        is None
    )
