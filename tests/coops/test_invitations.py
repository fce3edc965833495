"""Inviting people into a cooperative, and accepting the link."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.coops import services
from shop.coops.models import Invitation, Membership, Role
from shop.extensions import db
from shop.timeutil import utcnow
from shop.tokens import hash_token, new_token
from tests.conftest import csrf_token_from
from tests.coops import audit_entries, count, error_beside, in_site_language, input_value
from tests.factories import DEFAULT_PASSWORD, make_coop, make_membership, make_user

NEW_PASSWORD = "kata-sandi-baru"
ACCOUNT_FORM = {"name": "Siti Aminah", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera")


@pytest.fixture
def admin(coop):
    return make_membership(coop=coop, role=Role.ADMIN).user


def make_invitation(coop, email: str, role: Role = Role.MEMBER, **over) -> tuple[Invitation, str]:
    """An open invitation and the token its link carries (as the invite page would make)."""
    token, token_hash = new_token()
    values = {
        "cooperative_id": coop.id,
        "email": email,
        "role": role,
        "token_hash": token_hash,
        "invited_by_id": make_user().id,
        "expires_at": utcnow() + timedelta(days=14),
    }
    invitation = Invitation(**(values | over))
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def invite(client, login, admin, coop, email: str, role: str = "member"):
    login(admin)
    return client.post(f"/koperasi/{coop.slug}/kelola/undang", data={"email": email, "role": role})


def is_open(invitation: Invitation) -> bool:
    return (
        db.session.scalar(select(Invitation.accepted_at).where(Invitation.id == invitation.id))
        is None
    )


# Inviting


def test_invitation_stores_only_the_hash_of_the_token_in_its_link(
    client, login, admin, coop, outbox
):
    invite(client, login, admin, coop, "siti@example.com", "admin")

    invitation = db.session.scalars(select(Invitation)).one()
    token = re.search(r"/undangan/(\S+)", outbox[0].body).group(1)
    assert (invitation.cooperative_id, invitation.email, invitation.role) == (
        coop.id,
        "siti@example.com",
        Role.ADMIN,
    )
    assert invitation.token_hash == hash_token(token)
    stored = [str(value) for value in db.session.execute(select(*Invitation.__table__.c)).one()]
    stored += [str(entry.details) for entry in db.session.scalars(select(AuditEntry))]
    assert not any(token in value for value in stored)


def test_invitation_is_mailed_once_to_the_invited_address_with_its_link(
    client, login, admin, coop, outbox
):
    invite(client, login, admin, coop, "Siti@Example.com")

    assert [mail.to for mail in outbox] == ["siti@example.com"]
    assert coop.name in outbox[0].subject
    token = re.search(r"http://localhost/undangan/(\S+)", outbox[0].body).group(1)
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.email, invitation.token_hash) == ("siti@example.com", hash_token(token))


def test_invite_page_shows_the_link_and_a_whatsapp_share_link(client, login, admin, coop, outbox):
    response = invite(client, login, admin, coop, "siti@example.com")

    page = response.get_data(as_text=True)
    link = re.search(r"http://localhost/undangan/\S+", outbox[0].body).group(0)
    assert response.status_code == 200
    assert f'value="{link}"' in page
    share = re.search(r'href="(https://wa\.me/\?text=[^"]+)"', page).group(1)
    assert link in unquote(share.removeprefix("https://wa.me/?text="))
    assert count(Invitation, Invitation.email == "siti@example.com") == 1


def test_invitation_is_audited(client, login, admin, coop):
    invite(client, login, admin, coop, "siti@example.com", "admin")

    (entry,) = audit_entries("member.invited")
    invitation = db.session.scalars(select(Invitation)).one()
    assert (entry.actor_id, entry.cooperative_id) == (admin.id, coop.id)
    assert (entry.target_type, entry.target_id) == ("Invitation", invitation.id)
    assert entry.details == {"email": "siti@example.com", "role": "admin"}


def test_console_lists_open_invitations_only(client, login, admin, coop):
    make_invitation(coop, "terbuka@example.com")
    make_invitation(coop, "kedaluwarsa@example.com", expires_at=utcnow() - timedelta(minutes=1))
    make_invitation(coop, "diterima@example.com", accepted_at=utcnow())
    make_invitation(make_coop(), "lain@example.com")
    login(admin)

    page = client.get(f"/koperasi/{coop.slug}/kelola/anggota").get_data(as_text=True)

    assert "terbuka@example.com" in page
    for hidden in ("kedaluwarsa@example.com", "diterima@example.com", "lain@example.com"):
        assert hidden not in page
    assert count(Invitation) == 4


def test_inviting_an_active_member_is_refused_beside_the_email(client, login, admin, coop, outbox):
    make_membership(make_user(email="budi@example.com"), coop)

    response = invite(client, login, admin, coop, "Budi@Example.com")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, "email") == in_site_language(
        "This person is already a member of the cooperative."
    )
    assert count(Invitation) == 0
    assert audit_entries("member.invited") == []
    assert outbox == []


def test_former_member_can_be_invited_again(client, login, admin, coop, outbox):
    make_membership(make_user(email="budi@example.com"), coop, is_active=False)

    response = invite(client, login, admin, coop, "budi@example.com")

    assert response.status_code == 200
    assert count(Invitation, Invitation.email == "budi@example.com") == 1
    assert [mail.to for mail in outbox] == ["budi@example.com"]


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("", "member", "email", "Enter an e-mail address."),
        ("siti@", "member", "email", "Enter a valid e-mail address."),
        ("siti aminah@example.com", "admin", "email", "Enter a valid e-mail address."),
        ("siti@example.com", "pemilik", "role", None),
    ],
)
def test_bad_invitation_input_is_refused_beside_the_field_and_kept(
    client, login, admin, coop, outbox, email, role, field, message
):
    response = invite(client, login, admin, coop, email, role)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = error_beside(page, field)
    assert error and (message is None or error == in_site_language(message))
    assert input_value(page, "email") == email
    assert count(Invitation) == 0
    assert count(AuditEntry) == 0
    assert outbox == []


# Accepting as a new person


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN])
def test_new_person_accepting_gets_an_account_and_a_membership_with_the_invited_role(
    client, coop, role
):
    invitation, token = make_invitation(coop, "siti@example.com", role)

    response = client.post(f"/undangan/{token}", data=ACCOUNT_FORM)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/koperasi/{coop.slug}/anggota/profil"
    user = db.session.scalars(select(User).where(User.email == "siti@example.com")).one()
    assert user.name == "Siti Aminah"
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    assert (membership.cooperative_id, membership.role, membership.is_active) == (
        coop.id,
        role,
        True,
    )
    assert invitation.accepted_at is not None
    assert invitation.accepted_by_id == user.id
    (joined,) = audit_entries("member.joined")
    assert (joined.actor_id, joined.target_id) == (user.id, membership.id)


def test_new_person_is_signed_in_after_accepting(client, coop):
    _, token = make_invitation(coop, "siti@example.com")

    client.post(f"/undangan/{token}", data=ACCOUNT_FORM)

    user = db.session.scalars(select(User).where(User.email == "siti@example.com")).one()
    assert client.get("/akun/").status_code == 200
    assert client.get(f"/koperasi/{coop.slug}/anggota/profil").status_code == 200
    assert user.last_sign_in_at is not None


def test_invitation_link_works_once(client, app, coop):
    _, token = make_invitation(coop, "siti@example.com")
    client.post(f"/undangan/{token}", data=ACCOUNT_FORM)
    someone_else = app.test_client()

    second_look = someone_else.get(f"/undangan/{token}")
    second_use = someone_else.post(f"/undangan/{token}", data=ACCOUNT_FORM | {"name": "Orang Lain"})

    assert (second_look.status_code, second_use.status_code) == (404, 404)
    assert count(User, User.email == "siti@example.com") == 1
    assert count(Membership, Membership.cooperative_id == coop.id) == 1


def test_used_link_cannot_be_reused_by_a_signed_in_account(client, login, coop):
    _, token = make_invitation(coop, "siti@example.com", accepted_at=utcnow())
    reader = make_user()
    login(reader)

    response = client.post(f"/undangan/{token}")

    assert response.status_code == 404
    assert count(Membership, Membership.user_id == reader.id) == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_expired_invitation_is_not_found_and_creates_nothing(client, coop, method):
    invitation, token = make_invitation(
        coop, "siti@example.com", expires_at=utcnow() - timedelta(seconds=1)
    )

    response = client.open(f"/undangan/{token}", method=method, data=ACCOUNT_FORM)

    assert response.status_code == 404
    assert in_site_language("Invitation not valid") in response.get_data(as_text=True)
    assert is_open(invitation)
    assert count(User, User.email == "siti@example.com") == 0
    assert count(Membership) == 0


@pytest.mark.parametrize("token", ["tidak-ada", "a" * 43])
def test_unknown_token_is_not_found(client, coop, token):
    response = client.post(f"/undangan/{token}", data=ACCOUNT_FORM)

    assert response.status_code == 404
    assert count(User, User.email == "siti@example.com") == 0


def test_invitation_to_an_inactive_cooperative_is_not_found(client, coop):
    closed = make_coop(is_active=False)
    invitation, token = make_invitation(closed, "siti@example.com")

    response = client.post(f"/undangan/{token}", data=ACCOUNT_FORM)

    assert response.status_code == 404
    assert is_open(invitation)
    assert count(User, User.email == "siti@example.com") == 0


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (ACCOUNT_FORM | {"confirm": "kata-sandi-lain"}, "confirm", "The passwords do not match."),
        (
            ACCOUNT_FORM | {"password": "pendek", "confirm": "pendek"},
            "password",
            "Use between 8 and 128 characters.",
        ),
        (ACCOUNT_FORM | {"name": "  "}, "name", "Enter your name."),
    ],
)
def test_bad_account_details_are_refused_beside_the_field(client, coop, form, field, message):
    invitation, token = make_invitation(coop, "siti@example.com")

    response = client.post(f"/undangan/{token}", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, field) == in_site_language(message)
    assert input_value(page, "name") == form["name"]
    assert form["password"] not in page
    assert is_open(invitation)
    assert count(User, User.email == "siti@example.com") == 0
    assert count(Membership) == 0


def test_second_acceptance_racing_the_first_creates_nothing(client, login, coop, monkeypatch):
    invitation, token = make_invitation(coop, "siti@example.com")
    client.post(f"/undangan/{token}", data=ACCOUNT_FORM)
    # The second request read the invitation as open just before the first one accepted it.
    monkeypatch.setattr(
        services,
        "find_open_invitation",
        lambda token: db.session.scalar(
            select(Invitation).where(Invitation.token_hash == hash_token(token))
        ),
    )
    latecomer = make_user()
    login(latecomer)

    client.post(f"/undangan/{token}")

    assert count(Membership, Membership.user_id == latecomer.id) == 0
    assert count(Membership, Membership.cooperative_id == coop.id) == 1
    assert invitation.accepted_by_id == db.session.scalar(
        select(User.id).where(User.email == "siti@example.com")
    )


# Accepting with an account that already exists


def test_signed_in_account_accepting_gets_the_membership(client, login, coop):
    budi = make_user(email="budi@example.com", name="Budi Santoso")
    invitation, token = make_invitation(coop, "budi@example.com", Role.ADMIN)
    login(budi)

    response = client.post(f"/undangan/{token}")

    assert response.status_code == 302
    membership = db.session.scalars(select(Membership).where(Membership.user_id == budi.id)).one()
    assert (membership.cooperative_id, membership.role) == (coop.id, Role.ADMIN)
    assert invitation.accepted_by_id == budi.id
    assert count(User, User.email == "budi@example.com") == 1


def test_existing_account_must_sign_in_before_accepting(client, coop):
    budi = make_user(email="budi@example.com", name="Budi Santoso")
    password_hash = budi.password_hash
    invitation, token = make_invitation(coop, "budi@example.com")

    page = client.get(f"/undangan/{token}").get_data(as_text=True)
    response = client.post(f"/undangan/{token}", data=ACCOUNT_FORM)

    sign_in = re.search(r'href="(/akun/masuk\?[^"]+)"', page).group(1)
    assert parse_qs(urlsplit(sign_in.replace("&amp;", "&")).query)["next"] == [f"/undangan/{token}"]
    assert response.status_code == 200
    assert count(Membership) == 0
    assert (budi.name, budi.password_hash) == ("Budi Santoso", password_hash)
    assert is_open(invitation)


def test_active_member_accepting_again_gets_no_second_membership(client, login, coop):
    membership = make_membership(make_user(email="budi@example.com"), coop)
    invitation, token = make_invitation(coop, "budi@example.com", Role.ADMIN)
    login(membership.user)

    response = client.post(f"/undangan/{token}")

    assert response.status_code == 200
    assert in_site_language("You are already a member of this cooperative.") in (
        response.get_data(as_text=True)
    )
    assert count(Membership, Membership.user_id == membership.user_id) == 1
    assert membership.role == Role.MEMBER
    assert is_open(invitation)


def test_former_member_accepting_is_reactivated_with_the_same_member_number(client, login, coop):
    former = make_membership(
        make_user(email="budi@example.com"), coop, member_number="0042", is_active=False
    )
    invitation, token = make_invitation(coop, "budi@example.com", Role.ADMIN)
    login(former.user)

    client.post(f"/undangan/{token}")

    assert count(Membership, Membership.user_id == former.user_id) == 1
    assert (former.is_active, former.role, former.member_number) == (True, Role.ADMIN, "0042")
    assert invitation.accepted_by_id == former.user_id
    (rejoined,) = audit_entries("member.rejoined")  # with the role before, for role_history
    assert rejoined.details == {"role": ["member", "admin"], "is_active": [False, True]}


# CSRF


def test_invitation_post_without_csrf_token_is_refused(client, admin, coop, outbox, csrf_on):
    sign_in_page = client.get("/akun/masuk").get_data(as_text=True)
    client.post(
        "/akun/masuk",
        data={
            "email": admin.email,
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_token_from(sign_in_page),
        },
    )
    invite_url = f"/koperasi/{coop.slug}/kelola/undang"
    form = {"email": "siti@example.com", "role": "member"}

    forged = client.post(invite_url, data=form)

    assert forged.status_code == 400
    assert count(Invitation) == 0
    assert outbox == []
    token = csrf_token_from(client.get(invite_url).get_data(as_text=True))
    genuine = client.post(invite_url, data=form | {"csrf_token": token})
    assert genuine.status_code == 200
    assert count(Invitation) == 1
