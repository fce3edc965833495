"""Server-side sessions: signing out ends this browser's session, copies of its cookie
included, and no other; a session lasts at most its lifetime."""

import re
from datetime import timedelta

from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from shop.accounts.models import User, UserSession
from shop.accounts.session import SESSION_KEY
from shop.extensions import db
from shop.timeutil import utcnow
from shop.tokens import hash_token
from tests.factories import DEFAULT_PASSWORD, make_user


def sign_in(client, user: User, **extra):
    response = client.post(
        "/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD, **extra}
    )
    assert response.status_code == 302, "sign-in failed"
    return response


def sessions_of(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def client_with_cookie(app, value: str):
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/akun/masuk")


def test_signing_out_ends_the_session_for_a_copy_of_its_cookie(app, client):
    user = make_user()
    sign_in(client, user)
    copied = client.get_cookie("session").value
    assert client_with_cookie(app, copied).get("/akun/").status_code == 200

    assert client.post("/akun/keluar").status_code == 302

    assert is_sent_to_sign_in(client_with_cookie(app, copied).get("/akun/"))
    assert sessions_of(user) == 0


def test_signing_out_leaves_the_users_other_browsers_signed_in(app, client):
    user = make_user()
    sign_in(client, user)
    phone = app.test_client()
    sign_in(phone, user)
    assert sessions_of(user) == 2

    client.post("/akun/keluar")

    assert phone.get("/akun/").status_code == 200
    assert is_sent_to_sign_in(client.get("/akun/"))
    assert sessions_of(user) == 1


def test_the_database_keeps_only_the_hash_of_the_session_key(client):
    user = make_user()
    sign_in(client, user)
    with client.session_transaction() as session:
        key = session[SESSION_KEY]
    stored = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert stored.key_hash == hash_token(key) and key not in stored.key_hash


def test_a_session_past_its_lifetime_is_over_and_leaves_the_cookie(app, client):
    user = make_user()
    sign_in(client, user)
    stored = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    stored.created_at = utcnow() - app.permanent_session_lifetime - timedelta(seconds=1)
    db.session.commit()

    assert is_sent_to_sign_in(client.get("/akun/"))
    with client.session_transaction() as session:
        assert "_user_id" not in session and SESSION_KEY not in session


def test_signing_in_sweeps_everyones_expired_sessions(app, client):
    idle, user = make_user(), make_user()
    db.session.add(
        UserSession(
            user_id=idle.id,
            key_hash=hash_token("long-gone"),
            created_at=utcnow() - app.permanent_session_lifetime - timedelta(minutes=1),
        )
    )
    db.session.commit()

    sign_in(client, user)

    assert sessions_of(idle) == 0 and sessions_of(user) == 1


def test_keep_me_signed_in_is_a_lasting_session_cookie_that_signing_out_still_ends(app, client):
    user = make_user()
    response = sign_in(client, user, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie  # outlives the browser
    assert not any(c.startswith("remember_token=") for c in cookies)
    copied = client.get_cookie("session").value

    client.post("/akun/keluar")

    assert is_sent_to_sign_in(client_with_cookie(app, copied).get("/akun/"))


def test_a_remember_cookie_from_before_signs_nobody_in_and_is_deleted(app, client):
    user = make_user()
    with app.test_request_context():
        client.set_cookie("remember_token", encode_cookie(user.login_id))

    response = client.get("/akun/")

    assert is_sent_to_sign_in(response)
    assert any(
        re.match(r"remember_token=; Expires=Thu, 01 Jan 1970", cookie)
        for cookie in response.headers.getlist("Set-Cookie")
    )


def test_a_password_reset_ends_every_session(app, client, outbox):
    user = make_user()
    laptop = app.test_client()
    sign_in(laptop, user)
    client.post("/akun/lupa-sandi", data={"email": user.email})
    link = re.search(r"http://localhost(/akun/sandi-baru/\S+)", outbox[0].body).group(1)

    client.post(link, data={"password": "sandi-baru-456", "confirm": "sandi-baru-456"})

    assert is_sent_to_sign_in(laptop.get("/akun/"))
    assert client.get("/akun/").status_code == 200  # the browser that reset it is signed in
    assert sessions_of(user) == 1


def test_a_deactivated_account_is_signed_out_at_its_next_request(client):
    user = make_user()
    sign_in(client, user)
    user.is_active = False
    db.session.commit()

    assert is_sent_to_sign_in(client.get("/akun/"))


def test_signing_in_again_in_the_same_browser_ends_its_previous_session(app, client):
    first, second = make_user(), make_user()
    sign_in(client, first)
    copied = client.get_cookie("session").value

    sign_in(client, second)

    assert is_sent_to_sign_in(client_with_cookie(app, copied).get("/akun/"))
    assert sessions_of(first) == 0 and sessions_of(second) == 1


def test_a_visitor_without_a_session_is_not_fingerprinted(client, monkeypatch):
    """Session protection compares the browser's identifier with the session's: a visitor
    with no session has nothing to compare, so none is computed."""
    from shop.extensions import login_manager

    def refuse():
        raise AssertionError("identifier computed")

    monkeypatch.setattr(login_manager, "_session_identifier_generator", refuse)
    assert client.get("/keranjang").status_code == 200


def test_a_session_moved_to_another_browser_is_still_signed_out(app, client):
    """Strong session protection: the cookie of a signed-in session, sent by a browser of
    another user agent, signs nobody in."""
    user = make_user()
    sign_in(client, user)
    assert client.get("/akun/profil").status_code == 200
    moved = client.get("/akun/profil", headers={"User-Agent": "another browser"})
    assert moved.status_code == 302 and "/akun/masuk" in moved.headers["Location"]
