"""shop/html_text.py writes what markupsafe.escape writes, for any text."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from shop.html_text import escape_text


@given(text=st.text())
def test_escape_text_is_markupsafes(text):
    assert escape_text(text) == str(escape(text))


def test_every_special_character():
    text = """Kue <b>"Bu Ani's"</b> & Co &amp; 100% > 99"""
    assert escape_text(text) == str(escape(text))
    assert type(escape_text(text)) is str
