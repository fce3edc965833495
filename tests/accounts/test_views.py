"""Register, sign in and out, reset and change passwords: through the real forms."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import PasswordResetToken, User
from shop.extensions import db
from shop.timeutil import utcnow
from shop.tokens import hash_token
from tests.factories import DEFAULT_PASSWORD, make_user

GOOD = {
    "name": "Siti Aminah",
    "email": "Siti@Example.com",
    "password": "rahasia-123",
    "confirm": "rahasia-123",
}


def users_named(email: str) -> int:
    return db.session.query(User).filter_by(email=email).count()


def test_register_creates_the_account_and_signs_in(client):
    response = client.post("/akun/daftar", data=GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "siti@example.com"))
    assert user is not None and user.name == "Siti Aminah"
    assert user.password_hash != "rahasia-123" and user.password_hash.startswith("scrypt:")
    assert client.get("/akun/").status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [({"name": ""}, "name", "Enter your name."),
     ({"email": "bukan-email"}, "email", "Enter a valid e-mail address."),
     ({"password": "pendek", "confirm": "pendek"}, "password", "Use between 8 and 128 characters."),
     ({"confirm": "lain-lagi-123"}, "confirm", "The passwords do not match.")],
)  # fmt: skip
def test_register_with_bad_input_shows_the_error_by_the_field_and_keeps_what_was_typed(
    client, change, field, message
):
    client.get("/bahasa/en")
    response = client.post("/akun/daftar", data=GOOD | change)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    typed_email = (GOOD | change)["email"]
    assert f'value="{typed_email}"' in html  # the name and e-mail typed are kept
    assert db.session.query(User).count() == 0


def test_register_with_a_taken_email_writes_nothing(client):
    make_user(email="siti@example.com")
    response = client.post("/akun/daftar", data=GOOD)
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert users_named("siti@example.com") == 1


def test_sign_in_and_out(client):
    user = make_user()
    response = client.post(
        "/akun/masuk", data={"email": user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).last_sign_in_at is not None
    assert client.get("/akun/").status_code == 200
    assert client.post("/akun/keluar").status_code == 302
    assert client.get("/akun/").status_code == 302  # back to the sign-in page


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    user = make_user()
    wrong = client.post("/akun/masuk", data={"email": user.email, "password": "salah-sekali"})
    unknown = client.post(
        "/akun/masuk", data={"email": "tidak.ada@example.com", "password": "salah-sekali"}
    )
    assert wrong.status_code == unknown.status_code == 200

    def error_of(response):
        return re.search(
            r'<p class="error"[^>]*>([^<]+)</p>', response.get_data(as_text=True)
        ).group(1)

    assert error_of(wrong) == error_of(unknown)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_deactivated_account_cannot_sign_in(client):
    user = make_user(is_active=False)
    response = client.post("/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_sign_out_needs_a_post(client, login):
    login(make_user())
    assert client.get("/akun/keluar").status_code == 405
    assert client.get("/akun/").status_code == 200


def _reset_link(outbox) -> str:
    assert len(outbox) == 1
    return re.search(r"http://localhost(/akun/sandi-baru/\S+)", outbox[0].body).group(1)


def test_password_reset_link_works_once(client, outbox):
    user = make_user()
    response = client.post("/akun/lupa-sandi", data={"email": user.email})
    assert response.status_code == 302
    link = _reset_link(outbox)
    assert outbox[0].to == user.email
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)
    )
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash

    assert client.get(link).status_code == 200
    new = {"password": "sandi-baru-456", "confirm": "sandi-baru-456"}
    assert client.post(link, data=new).status_code == 302
    client.post("/akun/keluar")
    assert (
        client.post(
            "/akun/masuk", data={"email": user.email, "password": "sandi-baru-456"}
        ).status_code
        == 302
    )

    client.post("/akun/keluar")
    again = client.post(link, data={"password": "ketiga-kali-789", "confirm": "ketiga-kali-789"})
    assert again.status_code == 404
    assert (
        client.post(
            "/akun/masuk", data={"email": user.email, "password": "ketiga-kali-789"}
        ).status_code
        == 200
    )


def test_an_expired_reset_link_is_refused(client, outbox):
    user = make_user()
    client.post("/akun/lupa-sandi", data={"email": user.email})
    link = _reset_link(outbox)
    stored = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)
    )
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    old_hash = user.password_hash
    response = client.post(link, data={"password": "sandi-baru-456", "confirm": "sandi-baru-456"})
    assert response.status_code == 404
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(client, outbox):
    user = make_user()
    known = client.post("/akun/lupa-sandi", data={"email": user.email}, follow_redirects=True)
    outbox.clear()
    unknown = client.post(
        "/akun/lupa-sandi", data={"email": "tidak.ada@example.com"}, follow_redirects=True
    )
    flash = re.compile(r'<p class="flash[^"]*">([^<]+)</p>')
    assert flash.search(known.get_data(as_text=True)).group(1) == flash.search(
        unknown.get_data(as_text=True)
    ).group(1)
    assert outbox == []
    assert db.session.query(PasswordResetToken).count() == 1


def test_reset_with_mismatched_passwords_keeps_the_link_usable(client, outbox):
    user = make_user()
    client.post("/akun/lupa-sandi", data={"email": user.email})
    link = _reset_link(outbox)
    response = client.post(link, data={"password": "sandi-baru-456", "confirm": "lain-456789"})
    assert response.status_code == 200 and 'id="confirm-error"' in response.get_data(as_text=True)
    assert (
        client.post(
            link, data={"password": "sandi-baru-456", "confirm": "sandi-baru-456"}
        ).status_code
        == 302
    )


def test_unknown_reset_token_is_a_404(client):
    assert client.get("/akun/sandi-baru/bukan-token").status_code == 404


def test_change_password_needs_the_current_one_and_signs_out_other_sessions(app, client, login):
    user = make_user()
    login(user)
    other_device = app.test_client()
    other_device.post("/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_device.get("/akun/").status_code == 200

    wrong = client.post(
        "/akun/ganti-sandi",
        data={
            "current_password": "bukan-ini-123",
            "password": "sandi-baru-456",
            "confirm": "sandi-baru-456",
        },
    )
    assert wrong.status_code == 200 and 'id="current_password-error"' in wrong.get_data(
        as_text=True
    )

    right = client.post(
        "/akun/ganti-sandi",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": "sandi-baru-456",
            "confirm": "sandi-baru-456",
        },
    )
    assert right.status_code == 302
    assert client.get("/akun/").status_code == 200  # this session goes on
    assert other_device.get("/akun/").status_code == 302  # the other one is signed out


def test_change_password_page_needs_sign_in(client):
    response = client.get("/akun/ganti-sandi")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/akun/masuk?next=/akun/ganti-sandi")


def test_create_operator_command(runner):
    result = runner.invoke(
        args=[
            "create-operator",
            "--email",
            "Op@Example.com",
            "--name",
            "Operator",
            "--password",
            "rahasia-123",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "op@example.com")).is_operator
    again = runner.invoke(
        args=[
            "create-operator",
            "--email",
            "op@example.com",
            "--name",
            "X",
            "--password",
            "rahasia-123",
        ]
    )
    assert again.exit_code != 0
    assert db.session.query(User).count() == 1
