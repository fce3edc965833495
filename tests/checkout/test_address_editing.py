"""Editing a saved address, the default address, and the checkout filling in the default
(and the account's phone) for a signed-in shopper."""

import re
from html import unescape

import pytest
from sqlalchemy import update

from shop.checkout.addresses import (
    AddressNotFound,
    make_default_address,
    save_address,
    saved_addresses,
    update_saved_address,
)
from shop.checkout.models import SavedAddress
from shop.extensions import db
from tests.checkout import test_checkout_views as checkout_views
from tests.checkout.test_addresses import HOME
from tests.checkout.test_checkout_views import a_variant, add
from tests.factories import make_user

tani = checkout_views.tani

OFFICE = HOME.__class__(**(vars(HOME) | {"street": "Jl. Kantor 9", "city": "Kabupaten Sleman"}))
FORM = {
    "contact_name": "Siti Aminah", "contact_phone": "0812-1111-2222", "province": "Jawa Tengah",
    "city": "Kota Semarang", "district": "Candisari", "village": "Jatingaleh", "postcode": "50254",
    "street": "Jl. Baru 1", "address_notes": "",
}  # fmt: skip


def value_of(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return unescape(match.group(1)) if match else ""


def test_one_default_address_at_a_time(app):
    user = make_user()
    home, office = save_address(user, HOME), save_address(user, OFFICE)
    make_default_address(user, office.id)
    make_default_address(user, home.id)
    db.session.expire_all()
    assert [a.street for a in saved_addresses(user) if a.is_default] == ["Jl. Melati 5"]
    assert saved_addresses(user)[0].id == home.id  # the default comes first


def test_the_database_refuses_a_second_default(app):
    user = make_user()
    home, office = save_address(user, HOME), save_address(user, OFFICE)
    make_default_address(user, home.id)
    with pytest.raises(Exception):  # noqa: B017 (the driver's IntegrityError)
        db.session.execute(
            update(SavedAddress).where(SavedAddress.id == office.id).values(is_default=True)
        )
        db.session.flush()
    db.session.rollback()


def test_another_users_address_can_be_neither_edited_nor_made_default(app):
    owner, stranger = make_user(), make_user()
    address = save_address(owner, HOME)
    with pytest.raises(AddressNotFound):
        update_saved_address(stranger, address.id, OFFICE, is_default=True)
    with pytest.raises(AddressNotFound):
        make_default_address(stranger, address.id)
    db.session.expire_all()
    assert address.street == "Jl. Melati 5" and not address.is_default


def test_editing_an_address_changes_it_and_can_make_it_the_default(english, login):
    user = make_user()
    address = save_address(user, HOME)
    login(user)
    page = english.get(f"/akun/alamat/{address.id}/ubah").get_data(as_text=True)
    assert "Jl. Melati 5</textarea>" in page
    assert value_of(page, "postcode") == "55225"

    response = english.post(f"/akun/alamat/{address.id}/ubah", data=FORM | {"is_default": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    assert (address.city, address.street, address.phone) == (
        "Kota Semarang", "Jl. Baru 1", "+6281211112222")  # fmt: skip
    assert address.is_default
    book = english.get("/akun/alamat").get_data(as_text=True)
    assert "Default" in book and f'href="/akun/alamat/{address.id}/ubah"' in book


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("contact_phone", "12345", "Enter an Indonesian number"),
     ("postcode", "5525", "A postcode has 5 digits"),
     ("city", "", "Enter your city or regency.")],
)  # fmt: skip
def test_a_bad_edit_says_why_and_changes_nothing(english, login, field, value, message):
    user = make_user()
    address = save_address(user, HOME)
    login(user)
    response = english.post(f"/akun/alamat/{address.id}/ubah", data=FORM | {field: value})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (address.city, address.postcode, address.phone) == (
        "Kota Yogyakarta", "55225", "+6281234567890")  # fmt: skip


def test_someone_elses_address_page_is_not_found(english, login):
    address = save_address(make_user(), HOME)
    login(make_user())
    assert english.get(f"/akun/alamat/{address.id}/ubah").status_code == 404
    assert english.post(f"/akun/alamat/{address.id}/ubah", data=FORM).status_code == 404
    response = english.post(f"/akun/alamat/{address.id}/utama", follow_redirects=True)
    assert "no longer in your address book" in response.get_data(as_text=True)
    db.session.expire_all()
    assert address.city == "Kota Yogyakarta" and not address.is_default


def test_the_make_default_button_sets_the_default(english, login):
    user = make_user()
    home, office = save_address(user, HOME), save_address(user, OFFICE)
    login(user)
    english.post(f"/akun/alamat/{office.id}/utama")
    db.session.expire_all()
    assert office.is_default and not home.is_default


def test_checkout_fills_in_the_default_address_for_a_signed_in_shopper(english, login, tani):
    user = make_user()
    save_address(user, HOME)
    office = save_address(user, OFFICE)
    make_default_address(user, office.id)
    login(user)
    add(english, a_variant(tani))
    html = english.get("/checkout").get_data(as_text=True)
    assert "Jl. Kantor 9" in html.split('class="checkout"', 1)[1]
    assert value_of(html, "city") == "Kabupaten Sleman"
    assert value_of(html, "contact_phone") == "+6281234567890"
    # Another saved address chosen explicitly wins over the default.
    home = next(a for a in saved_addresses(user) if a.street == "Jl. Melati 5")
    chosen = english.get(f"/checkout?alamat={home.id}").get_data(as_text=True)
    assert value_of(chosen, "city") == "Kota Yogyakarta"


def test_without_a_default_checkout_fills_in_the_accounts_phone_only(english, login, tani):
    user = make_user(phone="+6281399998888")
    save_address(user, HOME)
    login(user)
    add(english, a_variant(tani))
    html = english.get("/checkout").get_data(as_text=True)
    assert value_of(html, "contact_phone") == "+6281399998888"
    assert value_of(html, "city") == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/akun/alamat/1/ubah"), ("post", "/akun/alamat/1/ubah"),
     ("post", "/akun/alamat/1/utama")],
)  # fmt: skip
def test_the_address_pages_need_a_sign_in(client, method, path):
    address = save_address(make_user(), HOME)
    response = getattr(client, method)(path.replace("/1/", f"/{address.id}/"), data=FORM)
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    db.session.expire_all()
    assert address.city == "Kota Yogyakarta" and not address.is_default
