"""The operator onboards a cooperative on the web: the cooperative, an invitation for its
first admin (mailed, and shown to share on WhatsApp), an audit row; bad input writes nothing."""

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Invitation, Membership, Role
from shop.coops.services import CoopDetails
from shop.extensions import db
from shop.operator.onboarding import DuplicateCooperative, onboard_cooperative
from tests.coops import error_beside, input_value, selected_option
from tests.factories import make_coop, make_user
from tests.operator.conftest import NEW_COOP, count, platform_state

NEW_PASSWORD = "kata-sandi-baru"


def onboard(client, login, operator, **over):
    login(operator)
    return client.post("/operator/koperasi/baru", data=NEW_COOP | over)


def the_new_coop() -> Cooperative:
    return db.session.scalars(select(Cooperative).where(Cooperative.name == NEW_COOP["name"])).one()


def test_onboarding_creates_the_cooperative_with_the_defaults(client, login, operator):
    response = onboard(client, login, operator, admin_email="  Ketua@Bahari.CO.ID ")

    assert response.status_code == 200
    coop = the_new_coop()
    assert (coop.slug, coop.registration_number, coop.city, coop.province) == (
        "koperasi-nelayan-bahari",
        "AHU-0001234.AH.01.26.2026",
        "Kabupaten Rembang",
        "Jawa Tengah",
    )
    # What `flask coop create` would have given it: its admin sets the rest.
    defaults = CoopDetails("", "", "")
    assert (coop.fee_bp, coop.hold_days, coop.min_payout, coop.is_active) == (
        defaults.fee_bp,
        defaults.hold_days,
        defaults.min_payout,
        True,
    )
    assert coop.reviews_new_products is defaults.reviews_new_products
    assert count(Membership, Membership.cooperative_id == coop.id) == 0  # until accepted


def test_the_first_admin_is_invited_by_mail_and_the_link_shown_to_share(
    client, login, operator, outbox
):
    response = onboard(client, login, operator, admin_email="Ketua@Bahari.co.id")

    coop = the_new_coop()
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.cooperative_id, invitation.email, invitation.role) == (
        coop.id,
        "ketua@bahari.co.id",
        Role.ADMIN,
    )
    assert invitation.invited_by_id == operator.id
    [mail] = outbox
    assert mail.to == "ketua@bahari.co.id"
    link = re.search(r"http://localhost/undangan/\S+", mail.body).group(0)
    page = response.get_data(as_text=True)
    assert f'value="{link}"' in page
    share = re.search(r'href="(https://wa\.me/\?text=[^"]+)"', page).group(1)
    assert link in unquote(share.removeprefix("https://wa.me/?text="))
    assert response.headers["Cache-Control"] == "private, no-store"  # the link is a secret


def test_accepting_the_link_makes_the_new_person_the_cooperatives_admin(
    client, login, operator, outbox
):
    onboard(client, login, operator)
    link = re.search(r"http://localhost(/undangan/\S+)", outbox[0].body).group(1)
    client.post("/akun/keluar")

    client.post(link, data={"name": "Pak Ketua", "password": NEW_PASSWORD,
                            "confirm": NEW_PASSWORD})  # fmt: skip

    coop = the_new_coop()
    membership = db.session.scalars(
        select(Membership).where(Membership.cooperative_id == coop.id)
    ).one()
    assert (membership.user.email, membership.role) == ("ketua@bahari.co.id", Role.ADMIN)
    assert client.get(f"/koperasi/{coop.slug}/kelola/").status_code == 200


def test_onboarding_is_audited_as_the_operator(client, login, operator):
    onboard(client, login, operator)

    coop = the_new_coop()
    [created] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "coop.created")
    ).all()
    assert (created.actor_id, created.cooperative_id, created.target_id) == (
        operator.id,
        coop.id,
        coop.id,
    )
    assert created.details == {"admin": "ketua@bahari.co.id"}


def test_a_second_cooperative_of_the_same_name_gets_its_own_address(client, login, operator):
    make_coop(name=NEW_COOP["name"], slug="koperasi-nelayan-bahari")

    onboard(client, login, operator)

    slugs = db.session.scalars(
        select(Cooperative.slug)
        .where(Cooperative.name == NEW_COOP["name"])
        .order_by(Cooperative.id)
    ).all()
    assert slugs == ["koperasi-nelayan-bahari", "koperasi-nelayan-bahari-2"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "K" * 121),
        ("registration_number", ""),
        ("city", ""),
        ("city", "C" * 81),
        ("province", ""),
        ("admin_email", ""),
        ("admin_email", "bukan-email"),
        ("admin_email", "a" * 250 + "@x.co.id"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_writes_nothing(
    client, login, operator, outbox, field, value
):
    before = platform_state()

    response = onboard(client, login, operator, **{field: value})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_beside(page, field)
    others = [name for name in NEW_COOP if name != field]
    assert not any(error_beside(page, name) for name in others)
    kept = {
        name: (selected_option if name == "province" else input_value)(page, name)
        for name in others
    }
    assert kept == {name: NEW_COOP[name] for name in others}  # kept as typed or chosen
    assert platform_state() == before
    assert outbox == []


def test_a_registration_number_already_onboarded_is_refused_and_writes_nothing(
    client, login, operator, outbox
):
    make_coop(name="Koperasi Lama", registration_number=NEW_COOP["registration_number"])
    before = platform_state()

    response = onboard(client, login, operator)

    assert "Koperasi Lama" in error_beside(response.get_data(as_text=True), "registration_number")
    assert platform_state() == before
    assert outbox == []


def test_a_failure_after_the_cooperative_was_flushed_leaves_nothing(operator, monkeypatch):
    before = platform_state()

    def broken_mail(*args, **kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("shop.coops.services.queue_mail", broken_mail)
    details = CoopDetails(NEW_COOP["name"], "Rembang", "Jawa Tengah", "AHU-9")
    with pytest.raises(RuntimeError):
        onboard_cooperative(details, "ketua@bahari.co.id", operator)

    assert platform_state() == before


def test_the_service_refuses_a_duplicate_registration_number(operator):
    make_coop(registration_number="AHU-7")
    details = CoopDetails("Koperasi Baru", "Rembang", "Jawa Tengah", "AHU-7")

    with pytest.raises(DuplicateCooperative) as refused:
        onboard_cooperative(details, "ketua@bahari.co.id", operator)

    assert refused.value.field == "registration_number"


def test_flask_coop_create_still_onboards_with_an_existing_account(runner):
    admin = make_user(email="pengurus@example.test")

    result = runner.invoke(
        args=[
            "coop",
            "create",
            "--name",
            "Koperasi Lewat Perintah",
            "--city",
            "Kota Malang",
            "--province",
            "Jawa Timur",
            "--admin-email",
            admin.email,
        ]  # fmt: skip
    )

    assert result.exit_code == 0, result.output
    coop = db.session.scalars(
        select(Cooperative).where(Cooperative.name == "Koperasi Lewat Perintah")
    ).one()
    membership = db.session.scalars(
        select(Membership).where(Membership.cooperative_id == coop.id)
    ).one()
    assert (membership.user_id, membership.role) == (admin.id, Role.ADMIN)
