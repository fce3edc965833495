"""An admin revokes an open invitation (its link then fails) or sends it again with a new link
(the old one then fails): both from the members page, both audited."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shop.coops import services
from shop.coops.models import Invitation, Membership, Role
from shop.coops.services import InvalidInvitation
from shop.extensions import db
from shop.timeutil import utcnow
from shop.tokens import hash_token
from tests.coops import audit_entries, count
from tests.coops.test_invitations import ACCOUNT_FORM, make_invitation
from tests.factories import make_coop, make_membership, make_user


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Mlijo Sejahtera")


@pytest.fixture
def admin(coop):
    return make_membership(coop=coop, role=Role.ADMIN).user


def url_of(coop, invitation: Invitation, action: str) -> str:
    return f"/koperasi/{coop.slug}/kelola/undangan/{invitation.id}/{action}"


def reloaded(invitation: Invitation) -> Invitation:
    return db.session.get(Invitation, invitation.id, populate_existing=True)


# Revoking


def test_revoked_invitation_cannot_be_accepted(client, login, app, coop, admin):
    invitation, token = make_invitation(coop, "siti@example.com")
    login(admin)

    response = client.post(url_of(coop, invitation, "cabut"))

    assert response.headers["Location"] == f"/koperasi/{coop.slug}/kelola/anggota"
    assert reloaded(invitation).revoked_at is not None
    assert services.find_open_invitation(token) is None
    invitee = app.test_client()
    assert invitee.get(f"/undangan/{token}").status_code == 404
    assert invitee.post(f"/undangan/{token}", data=ACCOUNT_FORM).status_code == 404
    assert count(Membership, Membership.cooperative_id == coop.id) == 1  # the admin only
    (entry,) = audit_entries("member.invitation_revoked")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.id,
        "Invitation",
        invitation.id,
    )
    assert entry.details == {"email": "siti@example.com"}


def test_revoked_invitation_leaves_the_members_page(client, login, coop, admin):
    invitation, _token = make_invitation(coop, "siti@example.com")
    login(admin)
    assert "siti@example.com" in client.get(f"/koperasi/{coop.slug}/kelola/anggota").text

    client.post(url_of(coop, invitation, "cabut"), follow_redirects=True)  # reads the flash

    page = client.get(f"/koperasi/{coop.slug}/kelola/anggota").text
    assert "siti@example.com" not in page
    assert url_of(coop, invitation, "kirim-ulang") not in page


def test_signed_in_account_cannot_accept_a_revoked_invitation(client, login, coop, admin):
    invitation, token = make_invitation(coop, "budi@example.com")
    services.revoke_invitation(invitation, admin)
    budi = make_user(email="budi@example.com")
    login(budi)

    assert client.post(f"/undangan/{token}").status_code == 404
    assert count(Membership, Membership.user_id == budi.id) == 0


def test_acceptance_racing_a_revoke_creates_nothing(coop, admin, monkeypatch):
    invitation, token = make_invitation(coop, "budi@example.com")
    budi = make_user(email="budi@example.com")
    # The acceptance read the invitation as open just before the admin revoked it.
    monkeypatch.setattr(services, "find_open_invitation", lambda token: invitation)
    services.revoke_invitation(invitation, admin)

    with pytest.raises(InvalidInvitation):
        services.accept_invitation(token, budi)

    assert count(Membership, Membership.user_id == budi.id) == 0
    assert reloaded(invitation).accepted_at is None


@pytest.mark.parametrize("state", [{"accepted_at": utcnow()}, {"revoked_at": utcnow()}])
def test_an_accepted_or_revoked_invitation_cannot_be_revoked_or_resent(
    client, login, english, coop, admin, outbox, state
):
    invitation, _token = make_invitation(coop, "siti@example.com", **state)
    login(admin)

    for action in ("cabut", "kirim-ulang"):
        response = client.post(url_of(coop, invitation, action), follow_redirects=True)
        assert "accepted or revoked" in response.get_data(as_text=True)

    assert audit_entries("member.invitation_revoked") == []
    assert audit_entries("member.invitation_resent") == []
    assert outbox == []


def test_another_cooperatives_invitation_is_not_found(client, login, coop, admin):
    invitation, token = make_invitation(make_coop(), "siti@example.com")
    login(admin)

    for action in ("cabut", "kirim-ulang"):
        assert client.post(url_of(coop, invitation, action)).status_code == 404
    assert reloaded(invitation).revoked_at is None
    assert services.find_open_invitation(token) is not None


# Sending again


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    client, login, app, coop, admin, outbox
):
    invitation, old_token = make_invitation(
        coop, "siti@example.com", expires_at=utcnow() + timedelta(hours=1)
    )
    login(admin)

    response = client.post(url_of(coop, invitation, "kirim-ulang"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    new_token = re.search(r'id="invite-link" type="text" readonly value="[^"]*/undangan/([^"]+)"',
                          page).group(1)  # fmt: skip
    share = re.search(r'href="(https://wa\.me/[^"]+)"', page).group(1)
    assert new_token in parse_qs(urlsplit(share.replace("&amp;", "&")).query)["text"][0]
    assert new_token != old_token
    assert reloaded(invitation).token_hash == hash_token(new_token)
    assert reloaded(invitation).expires_at > utcnow() + timedelta(days=13)
    assert [mail.to for mail in outbox] == ["siti@example.com"]
    assert f"/undangan/{new_token}" in outbox[0].body

    invitee = app.test_client()
    assert invitee.get(f"/undangan/{old_token}").status_code == 404
    assert invitee.post(f"/undangan/{new_token}", data=ACCOUNT_FORM).status_code == 302
    assert count(Membership, Membership.cooperative_id == coop.id) == 2
    (entry,) = audit_entries("member.invitation_resent")
    assert (entry.actor_id, entry.target_id) == (admin.id, invitation.id)
    before, after = entry.details["valid_until"]
    assert before < after


def test_an_invitation_expired_meanwhile_can_be_sent_again(coop, admin):
    invitation, _token = make_invitation(
        coop, "siti@example.com", expires_at=utcnow() - timedelta(minutes=1)
    )

    link = services.resend_invitation(invitation, admin)

    assert services.find_open_invitation(link.rsplit("/", 1)[1]) == invitation
    assert db.session.scalar(select(Invitation.revoked_at)) is None
