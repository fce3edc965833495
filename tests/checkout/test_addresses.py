"""Saved addresses: kept at checkout when asked, offered at the next one, listed and deleted
in the address book, never reachable by another user, and capped."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from shop.checkout.addresses import (
    MAX_SAVED_ADDRESSES,
    AddressDetails,
    AddressNotFound,
    TooManyAddresses,
    delete_saved_address,
    find_saved_address,
    save_address,
    saved_addresses,
)
from shop.checkout.models import Order, SavedAddress
from shop.extensions import db
from tests.checkout import test_checkout_views as checkout_views
from tests.checkout.test_checkout_views import a_variant, add, checkout, flashes, order_count
from tests.factories import make_user

# The checkout tests' fixtures: an English page, a cooperative with three ways to ship,
# and Midtrans out of reach.
english = checkout_views.english
tani = checkout_views.tani
unreachable_gateway = checkout_views.unreachable_gateway

HOME = AddressDetails(
    recipient_name="Siti Aminah",
    phone="+6281234567890",
    province="DI Yogyakarta",
    city="Kota Yogyakarta",
    district="Gondokusuman",
    village="Baciro",
    postcode="55225",
    street="Jl. Melati 5",
    notes="Pagar hijau",
)


def addresses_of(user) -> list[SavedAddress]:
    return list(db.session.scalars(select(SavedAddress).where(SavedAddress.user_id == user.id)))


def address_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SavedAddress))


def fill_up(user) -> None:
    for number in range(MAX_SAVED_ADDRESSES):
        save_address(user, AddressDetails(**(vars(HOME) | {"street": f"Jl. Mawar {number}"})))


# The services --------------------------------------------------------------------------------


def test_the_same_address_is_kept_once():
    user = make_user()
    first = save_address(user, HOME)
    assert save_address(user, HOME).id == first.id
    assert [address.street for address in addresses_of(user)] == ["Jl. Melati 5"]


def test_the_eleventh_address_is_refused_but_a_known_one_is_still_fine():
    user = make_user()
    fill_up(user)
    with pytest.raises(TooManyAddresses):
        save_address(user, HOME)
    assert len(addresses_of(user)) == MAX_SAVED_ADDRESSES
    known = AddressDetails(**(vars(HOME) | {"street": "Jl. Mawar 3"}))
    assert save_address(user, known).street == "Jl. Mawar 3"


def test_another_users_address_cannot_be_found_or_deleted():
    owner, other = make_user(), make_user()
    address = save_address(owner, HOME)
    assert find_saved_address(other, address.id) is None
    with pytest.raises(AddressNotFound):
        delete_saved_address(other, address.id)
    assert [a.id for a in saved_addresses(owner)] == [address.id]
    delete_saved_address(owner, address.id)
    assert saved_addresses(owner) == []


# At checkout ----------------------------------------------------------------------------------


def test_a_ticked_box_saves_the_address_of_the_order(client, login, tani):
    user = make_user()
    login(user)
    add(client, a_variant(tani))

    checkout(client, tani, save_address="y")

    order = db.session.scalars(select(Order)).one()
    (saved,) = addresses_of(user)
    assert (saved.recipient_name, saved.phone, saved.street, saved.notes) == (
        order.contact_name,
        "+6281234567890",
        order.street,
        "Pagar hijau",
    )


def test_without_the_box_nothing_is_saved_and_a_guest_never_saves(client, login, tani):
    add(client, a_variant(tani))
    checkout(client, tani, save_address="y")  # a guest: the box is not even offered
    user = make_user()
    login(user)
    add(client, a_variant(tani))
    checkout(client, tani)
    assert order_count() == 2 and address_count() == 0


def test_use_this_address_fills_the_form_with_the_shoppers_own_address_only(client, login, tani):
    owner, other = make_user(), make_user()
    mine = save_address(owner, HOME)
    theirs = save_address(other, AddressDetails(**(vars(HOME) | {"street": "Jl. Rahasia 9"})))
    login(owner)
    add(client, a_variant(tani))

    page = client.get("/checkout").get_data(as_text=True)
    assert f'href="/checkout?alamat={mine.id}"' in page
    assert f"alamat={theirs.id}" not in page

    filled = client.get(f"/checkout?alamat={mine.id}").get_data(as_text=True)
    assert "Jl. Melati 5</textarea>" in filled and 'value="55225"' in filled
    assert '<option selected value="DI Yogyakarta">' in filled
    assert 'value="+6281234567890"' in filled

    probed = client.get(f"/checkout?alamat={theirs.id}").get_data(as_text=True)
    assert "Jl. Rahasia 9" not in probed and 'value="55225"' not in probed
    for junk in ("abc", "-1", "0", "99999999999999999999"):
        assert client.get(f"/checkout?alamat={junk}").status_code == 200


def test_a_full_address_book_offers_no_box_and_refuses_a_twelfth_without_placing(
    client, login, english, tani
):
    user = make_user()
    fill_up(user)
    login(user)
    variant = a_variant(tani)
    add(client, variant)

    page = client.get("/checkout").get_data(as_text=True)
    assert 'name="save_address"' not in page
    assert "You keep 10 addresses, the most we save." in unescape(page)

    response = checkout(client, tani, save_address="y")  # a page from before it filled up
    html = unescape(response.get_data(as_text=True))
    error = re.search(r'<p class="error" id="save_address-error">([^<]*)</p>', html)
    assert error and "You keep 10 addresses, the most we save." in error.group(1)
    assert order_count() == 0 and len(addresses_of(user)) == MAX_SAVED_ADDRESSES


# The address book -----------------------------------------------------------------------------


def test_the_address_book_needs_an_account(client):
    response = client.get("/akun/alamat")
    assert response.status_code == 302 and response.location.startswith("/akun/masuk")


def test_the_address_book_lists_only_the_users_addresses(client, login):
    owner, other = make_user(), make_user()
    save_address(owner, HOME)
    save_address(other, AddressDetails(**(vars(HOME) | {"street": "Jl. Rahasia 9"})))
    login(owner)
    html = client.get("/akun/alamat").get_data(as_text=True)
    assert "Jl. Melati 5" in html and "Jl. Rahasia 9" not in html


def test_a_shopper_deletes_an_own_address_but_not_anothers(client, login, english):
    owner, other = make_user(), make_user()
    mine = save_address(owner, HOME)
    theirs = save_address(other, HOME)
    login(owner)
    flashes(client)  # "You are signed in."

    response = client.post(f"/akun/alamat/{theirs.id}/hapus")
    assert response.location == "/akun/alamat"
    assert flashes(client) == ["That address is no longer in your address book."]
    assert [a.id for a in addresses_of(other)] == [theirs.id]

    assert client.post("/akun/alamat/99999999999999999999/hapus").location == "/akun/alamat"
    client.post(f"/akun/alamat/{mine.id}/hapus")
    assert flashes(client)[-1] == "The address was deleted."
    assert addresses_of(owner) == []
