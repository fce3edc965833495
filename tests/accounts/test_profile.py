"""Editing one's own name and WhatsApp number."""

import pytest

from shop.accounts.services import update_profile
from shop.errors import ShopError
from shop.extensions import db
from tests.factories import make_user


def test_name_and_phone_are_saved_with_the_phone_as_plus_62(english, login):
    user = make_user()
    login(user)
    assert 'href="/akun/profil"' in english.get("/akun/").get_data(as_text=True)
    response = english.post(
        "/akun/profil", data={"name": "  Siti   Rahayu ", "phone": "0812 3456 7890"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.phone) == ("Siti Rahayu", "+6281234567890")
    assert "+6281234567890" in english.get("/akun/").get_data(as_text=True)


def test_an_empty_phone_removes_it(english, login):
    user = make_user(phone="+6281234567890")
    login(user)
    english.post("/akun/profil", data={"name": user.name, "phone": ""})
    db.session.expire_all()
    assert user.phone is None


@pytest.mark.parametrize(
    ("data", "message"),
    [({"name": "", "phone": ""}, "Enter your name."),
     ({"name": "   ", "phone": ""}, "Enter your name."),
     ({"name": "x" * 121, "phone": ""}, "Use at most 120 characters."),
     ({"name": "Siti", "phone": "12345"}, "Enter an Indonesian number"),
     ({"name": "Siti", "phone": "+1 555 0100"}, "Enter an Indonesian number")],
)  # fmt: skip
def test_bad_input_says_why_and_changes_nothing(english, login, data, message):
    user = make_user(name="Budi", phone="+6281111111111")
    login(user)
    response = english.post("/akun/profil", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (user.name, user.phone) == ("Budi", "+6281111111111")


def test_the_service_refuses_what_the_form_would(app):
    user = make_user(name="Budi")
    with pytest.raises(ShopError):
        update_profile(user, "  ", "")
    with pytest.raises(ShopError):
        update_profile(user, "Siti", "0812")
    db.session.expire_all()
    assert user.name == "Budi" and user.phone is None


def test_the_profile_page_needs_a_sign_in(english):
    response = english.get("/akun/profil")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
