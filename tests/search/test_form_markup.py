"""The filter form's markup is reused between requests only when everything it shows is the
same (shop/search/form_html.py): the language, the choices, the visitor's input."""

import re

from shop.extensions import db
from shop.search import form_html
from tests.factories import make_coop, make_product


def _form(html: str) -> str:
    return re.search(r'<details class="search-filters".*?</details>', html, re.S).group(0)


def test_the_form_follows_its_choices_input_and_language(client, english):
    form_html._rendered.clear()
    coop = make_coop(name="Koperasi Mlijo Rukun", slug="mlijo")
    make_product(name="Keripik Tempe")
    db.session.commit()
    first = _form(client.get("/cari?q=keripik").get_data(as_text=True))
    assert "Koperasi Mlijo Rukun" in first and "Lowest price (Rp)" in first
    assert _form(client.get("/cari?q=keripik").get_data(as_text=True)) == first

    coop.name = "Koperasi Mlijo Makmur"  # a choice renamed: new markup at once
    db.session.commit()
    renamed = _form(client.get("/cari?q=keripik").get_data(as_text=True))
    assert "Koperasi Mlijo Makmur" in renamed and "Koperasi Mlijo Rukun" not in renamed

    typed = _form(
        client.get("/cari?q=keripik&min_price=5000&sort=price_asc").get_data(as_text=True)
    )
    assert 'value="5000"' in typed and 'value="price_asc" selected' in typed
    assert 'value="5000"' not in _form(client.get("/cari?q=keripik").get_data(as_text=True))

    with client.session_transaction() as session:
        session["lang"] = "id"
    indonesian = _form(client.get("/cari?q=keripik").get_data(as_text=True))
    assert indonesian != renamed and "Lowest price (Rp)" not in indonesian
