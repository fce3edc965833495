"""The frame of every page (shop/page_frame.py): kept per language, so a page is written in the
visitor's language whichever language the process rendered first, and the language links
carry the page's address as url_for would."""

import pytest
from flask import request, url_for
from flask_babel import force_locale

from shop.page_frame import language_next_query, page_frame


def test_each_language_gets_its_own_frame(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            english = page_frame()
            assert english.sign_in_link == '<a href="/akun/masuk">Sign in</a>'
        indonesian = page_frame()
        assert indonesian.sign_in_link == '<a href="/akun/masuk">Masuk</a>'
        assert (indonesian.language, english.language) == ("id", "en")
        with force_locale("en"):
            assert page_frame() is english


def test_frame_follows_the_script_root(app):
    with app.test_request_context("/", base_url="http://localhost/toko/"):
        assert 'href="/toko/keranjang"' in f'href="{page_frame().cart_url}"'
    with app.test_request_context("/"):
        assert page_frame().cart_url == "/keranjang"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kategori/kuliner?page=2",
        "/cari?q=kain+'ikat'&x=%3Cb%3E",
        "/cari?q=kopi%20%C3%A9&a=1&b=2",
    ],
)
def test_language_links_carry_the_page_as_url_for_writes_it(app, path):
    with app.test_request_context(path):
        expected = url_for("core.set_language", language="en", next=request.full_path)
        assert page_frame().language_path + "en" + language_next_query() == expected


def test_after_a_post_the_language_links_lead_home(app):
    with app.test_request_context("/keranjang/tambah", method="POST"):
        assert language_next_query() == "?next=/"


def test_a_page_shows_the_frame_in_the_visitors_language(client):
    indonesian = client.get("/").get_data(as_text=True)
    client.get("/bahasa/en?next=/")
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in indonesian and ">Masuk</a>" in indonesian
    assert '<html lang="en">' in english and ">Sign in</a>" in english
    assert 'content="en_US"' in english and 'content="id_ID"' in indonesian
    assert 'href="/bahasa/id?next=/?"' in english and 'href="/bahasa/en?next=/?"' in indonesian
