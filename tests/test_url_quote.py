"""shop/url_quote.py writes what urllib.parse writes, for any text and the safe sets in use."""

from urllib import parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop import url_quote

SAFE_SETS = ["/", "", "!$&'()*+,:;=@", "!$'()*,/:;?@"]
# Any text that can be encoded to UTF-8 (lone surrogates cannot, there or in urllib).
TEXT = st.text(st.characters(blacklist_categories=["Cs"]))


@pytest.mark.parametrize("safe", SAFE_SETS)
@given(text=TEXT)
def test_quote_is_urllibs(safe, text):
    assert url_quote.quote(text, safe) == parse.quote(text, safe)


@pytest.mark.parametrize("safe", SAFE_SETS)
@given(text=TEXT)
def test_quote_plus_is_urllibs(safe, text):
    assert url_quote.quote_plus(text, safe) == parse.quote_plus(text, safe)


def test_every_byte_and_a_whatsapp_message():
    every_character = "".join(chr(code) for code in range(0x800))
    assert url_quote.quote(every_character) == parse.quote(every_character)
    message = "Halo, saya tertarik dengan Kopi “Gayo” 100% – Rp 25.000 https://x.id/produk/kopi"
    assert url_quote.quote(message) == parse.quote(message)
    assert url_quote.quote_plus("/cari?q=kopi gayo&page=2", "!$'()*,/:;?@") == (
        parse.quote_plus("/cari?q=kopi gayo&page=2", "!$'()*,/:;?@")
    )
