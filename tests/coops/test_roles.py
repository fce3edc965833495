"""Roles inside a cooperative: an admin's seat on the board (ketua, sekretaris, bendahara),
and the pengawas, who reads the books and is no admin."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.coops import membership_admin
from shop.coops.membership_admin import LastAdmin, SeatTaken
from shop.coops.models import Invitation, Membership, Position, Role
from shop.coops.services import accept_invitation, invite_member
from shop.errors import ShopError
from shop.extensions import db
from tests.coops import audit_entries
from tests.coops.test_member_admin import page_of, reloaded
from tests.factories import make_coop, make_membership, make_user


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera")


@pytest.fixture
def admin(coop) -> Membership:
    return make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Budi"))


@pytest.fixture
def siti(coop) -> Membership:
    return make_membership(coop=coop, user=make_user(name="Siti Aminah"))


def refused_by_the_database(coop, role: Role, position: Position) -> bool:
    """Whether the database refuses a new membership with this role and seat (in a
    savepoint, so the test's transaction goes on)."""
    user = make_user()
    savepoint = db.session.begin_nested()
    membership = Membership(user_id=user.id, cooperative_id=coop.id, role=role,
                            position=position, member_number="9999")  # fmt: skip
    db.session.add(membership)
    try:
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return True
    savepoint.rollback()
    return False


def test_admin_gives_an_admin_the_ketua_seat_from_the_member_page(client, login, coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    login(admin.user)

    response = client.post(
        page_of(coop, second, "/peran"), data={"role": "admin", "position": "ketua"}
    )

    assert response.status_code == 302
    assert (reloaded(second).role, reloaded(second).position) == (Role.ADMIN, Position.KETUA)
    assert audit_entries("member.role_changed")[-1].details == {"position": [None, "ketua"]}


def test_a_member_made_pengawas_is_no_admin_and_hears_of_it(client, login, coop, admin, siti):
    login(admin.user)

    client.post(page_of(coop, siti, "/peran"), data={"role": "pengawas", "position": ""})

    siti = reloaded(siti)
    assert siti.role == Role.PENGAWAS and siti.is_pengawas
    assert not siti.is_admin
    assert audit_entries("member.role_changed")[-1].details == {"role": ["member", "pengawas"]}


@pytest.mark.parametrize("seat", [Position.KETUA, Position.BENDAHARA])
def test_one_ketua_and_one_bendahara_per_cooperative(in_english, coop, admin, seat):
    membership_admin.change_role(admin, Role.ADMIN, admin.user, seat)
    second = make_membership(coop=coop, role=Role.ADMIN)

    with pytest.raises(SeatTaken, match="holds this seat already"):
        membership_admin.change_role(second, Role.ADMIN, admin.user, seat)

    assert reloaded(second).position is None
    assert reloaded(admin).position == seat


def test_the_database_refuses_a_second_ketua_too(coop, admin):
    admin.position = Position.KETUA
    db.session.flush()

    assert refused_by_the_database(coop, role=Role.ADMIN, position=Position.KETUA)
    assert not refused_by_the_database(coop, role=Role.ADMIN, position=Position.SEKRETARIS)


def test_several_sekretaris_are_allowed(coop, admin):
    membership_admin.change_role(admin, Role.ADMIN, admin.user, Position.SEKRETARIS)
    second = make_membership(coop=coop, role=Role.ADMIN)

    membership_admin.change_role(second, Role.ADMIN, admin.user, Position.SEKRETARIS)

    assert reloaded(second).position == Position.SEKRETARIS


def test_only_an_admin_holds_a_seat(in_english, coop, admin, siti):
    with pytest.raises(ShopError, match="Only an admin"):
        membership_admin.change_role(siti, Role.PENGAWAS, admin.user, Position.KETUA)
    assert reloaded(siti).role == Role.MEMBER
    assert refused_by_the_database(coop, role=Role.PENGAWAS, position=Position.BENDAHARA)


def test_the_last_admin_cannot_become_pengawas(in_english, coop, admin):
    with pytest.raises(LastAdmin):
        membership_admin.change_role(admin, Role.PENGAWAS, admin.user)
    assert reloaded(admin).role == Role.ADMIN


def test_demoting_an_admin_frees_their_seat(coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    membership_admin.change_role(second, Role.ADMIN, admin.user, Position.BENDAHARA)

    membership_admin.change_role(second, Role.MEMBER, admin.user)
    third = make_membership(coop=coop, role=Role.ADMIN)
    membership_admin.change_role(third, Role.ADMIN, admin.user, Position.BENDAHARA)

    assert reloaded(second).position is None
    assert reloaded(third).position == Position.BENDAHARA


def test_deactivating_an_admin_frees_their_seat(coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    membership_admin.change_role(second, Role.ADMIN, admin.user, Position.KETUA)

    membership_admin.deactivate_member(second, admin.user)

    assert reloaded(second).position is None
    assert audit_entries("member.deactivated")[-1].details["position"] == ["ketua", None]


def test_a_seat_that_is_not_offered_is_refused(client, login, coop, admin, siti):
    login(admin.user)

    response = client.post(
        page_of(coop, admin, "/peran"), data={"role": "admin", "position": "raja"}
    )

    assert response.status_code == 400
    assert reloaded(admin).position is None


def test_member_page_offers_role_and_seat_to_an_admin_only(client, login, english, coop, admin):
    pengawas = make_membership(coop=coop, role=Role.PENGAWAS)
    login(admin.user)
    page = client.get(page_of(coop, admin)).get_data(as_text=True)
    assert 'name="position"' in page and "Bendahara (treasurer)" in page

    login(pengawas.user)
    page = client.get(page_of(coop, admin)).get_data(as_text=True)
    assert 'name="position"' not in page and "Deactivate" not in page


def test_an_admin_invites_a_pengawas_who_joins_as_pengawas(app, in_english, coop, admin):
    invitation, link = invite_member(coop, "pengawas@example.com", Role.PENGAWAS, admin.user)
    assert invitation.role == Role.PENGAWAS

    user, membership = accept_invitation(
        link.rsplit("/", 1)[1], make_user(email="pengawas@example.com")
    )

    assert membership.role == Role.PENGAWAS and not membership.is_admin
    assert (
        db.session.scalar(
            select(Invitation.accepted_by_id).where(Invitation.token_hash == invitation.token_hash)
        )
        == user.id
    )


def test_the_invite_form_offers_the_pengawas(client, login, english, coop, admin):
    login(admin.user)

    page = client.get(f"/koperasi/{coop.slug}/kelola/undang").get_data(as_text=True)

    assert 'value="pengawas"' in page


def test_a_pengawas_finds_their_supervision_page_from_their_account(client, login, english, coop):
    pengawas = make_membership(coop=coop, role=Role.PENGAWAS)
    login(pengawas.user)

    page = client.get("/akun/").get_data(as_text=True)

    assert f"/koperasi/{coop.slug}/pengawas" in page
    assert f"/koperasi/{coop.slug}/kelola/" not in page
    assert "Pengawas (supervisory board)" in page
    assert db.session.get(Membership, pengawas.id).role == Role.PENGAWAS


def test_making_a_seated_admin_a_member_on_the_page_gives_the_seat_up(client, login, coop, admin):
    second = make_membership(coop=coop, role=Role.ADMIN)
    membership_admin.change_role(second, Role.ADMIN, admin.user, Position.KETUA)
    login(admin.user)

    # The seat's select still shows "ketua", as the page was rendered.
    client.post(page_of(coop, second, "/peran"), data={"role": "member", "position": "ketua"})

    assert (reloaded(second).role, reloaded(second).position) == (Role.MEMBER, None)
