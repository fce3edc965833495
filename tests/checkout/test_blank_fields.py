"""A guest's first checkout page takes its contact and address fields from the HTML kept per
language (shop/checkout/blank_fields.py): the same bytes as rendering them, in the visitor's
language, and never for a form that holds anything."""

import pytest

from shop.checkout import views
from tests.checkout.test_checkout_views import a_variant, add, checkout, tani  # noqa: F401
from tests.factories import make_user

KEPT = "checkout_blank_fields"


@pytest.fixture(autouse=True)
def nothing_kept(app):
    app.extensions.pop(KEPT, None)


def rendered_each_time(monkeypatch):
    """The page as it is without the kept fields: the template renders them itself."""
    monkeypatch.setattr(views, "blank_fields", lambda form: None)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_kept_fields_are_the_rendered_ones(app, client, tani, monkeypatch, language):  # noqa: F811
    client.get(f"/bahasa/{language}")
    add(client, a_variant(tani))
    client.get("/keranjang")  # the "added" message shown, so that every page below is alike
    first, kept = client.get("/checkout").text, client.get("/checkout").text
    rendered_each_time(monkeypatch)

    assert first == kept == client.get("/checkout").text
    assert list(app.extensions[KEPT]) == [language]


def test_each_language_has_its_own(client, tani):  # noqa: F811
    add(client, a_variant(tani))
    indonesian = client.get("/checkout").text
    client.get("/bahasa/en")
    english = client.get("/checkout").text

    assert "Nama lengkap" in indonesian and "Full name" not in indonesian
    assert "Full name" in english and "Nama lengkap" not in english


def test_a_form_sent_or_filled_is_never_the_kept_one(client, tani, login):  # noqa: F811
    add(client, a_variant(tani))
    client.get("/checkout")  # kept now
    updated = checkout(client, tani, button="update", contact_name="Siti Aminah")
    assert 'value="Siti Aminah"' in updated.text

    login(make_user(name="Budi Santoso"))
    add(client, a_variant(tani))
    assert 'value="Budi Santoso"' in client.get("/checkout").text


def test_nothing_is_kept_while_templates_reload(app, client, tani):  # noqa: F811
    """In development an edited template or catalog shows on the next page."""
    app.jinja_env.auto_reload = True
    try:
        add(client, a_variant(tani))
        assert "Nama lengkap" in client.get("/checkout").text
        assert KEPT not in app.extensions
    finally:
        app.jinja_env.auto_reload = False
