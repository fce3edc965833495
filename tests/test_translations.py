"""The Indonesian catalog is complete, keeps its placeholders, and is what the pages show.

The catalog checks read the sources and shop/translations/id/LC_MESSAGES/messages.po directly,
so they fail on a new untranslated string even before anyone runs `pybabel extract`.
docs/TRANSLATIONS.md describes the workflow.
"""

import ast
import os
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.factories import make_product

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "shop"
BABEL_CFG = ROOT / "babel.cfg"
PO_FILE = SHOP / "translations" / "id" / "LC_MESSAGES" / "messages.po"

# The -k options of `pybabel extract` in docs/TRANSLATIONS.md; keep the two lists in step.
EXTRA_KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}

# %(name)s, %(count)d, %(price).2f ... : what gettext's `%` formatting fills in.
PLACEHOLDER = re.compile(r"%\((?P<name>\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _key(msgid, context=None) -> tuple:
    """Catalog key: the singular msgid (plural messages are keyed by it) and the context."""
    return (msgid if isinstance(msgid, str) else msgid[0], context)


def extract_source_messages() -> dict[tuple, list[str]]:
    """Every message the sources ask for, as `pybabel extract -F babel.cfg` finds it,
    with its locations ("shop/errors.py:30")."""
    with BABEL_CFG.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(BABEL_CFG))
    messages: dict[tuple, list[str]] = {}
    for filename, lineno, msgid, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        messages.setdefault(_key(msgid, context), []).append(f"{filename}:{lineno}")
    return messages


def load_catalog():
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="id")


def catalog_messages():
    """The catalog's messages, header and obsolete entries left out."""
    return [message for message in load_catalog() if message.id]


def _as_tuple(value) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


def placeholders(text: str) -> set[str]:
    """The placeholders of a text, conversion included: {"%(name)s", "%(count)d"}."""
    return {match.group(0) for match in PLACEHOLDER.finditer(text or "")}


def placeholder_names(text: str) -> set[str]:
    return {match.group("name") for match in PLACEHOLDER.finditer(text or "")}


def test_extraction_finds_the_strings_of_code_templates_and_mail():
    """Guards the extraction itself: an empty result would make the completeness test pass."""
    files = {
        location.rsplit(":", 1)[0]
        for locations in extract_source_messages().values()
        for location in locations
    }
    assert any(name.endswith(".py") for name in files), "nothing extracted from shop/**.py"
    assert any(name.endswith(".html") for name in files), "nothing extracted from templates"
    assert any(name.endswith(".txt") for name in files), "nothing extracted from mail templates"


def test_every_source_string_has_an_indonesian_translation():
    catalog = load_catalog()
    missing = []
    found = extract_source_messages()
    for msgid, context in sorted(found, key=lambda key: (key[0], key[1] or "")):
        locations = found[msgid, context]
        message = catalog.get(msgid, context=context)
        if message is None:
            problem = "not in messages.po"
        elif message.fuzzy:
            problem = "fuzzy"
        elif not all(_as_tuple(message.string)):
            problem = "empty msgstr"
        else:
            continue
        missing.append(f"  {msgid!r} ({problem}) at {', '.join(locations)}")
    assert not missing, (
        f"{len(missing)} string(s) without an Indonesian translation in "
        f"{os.path.relpath(PO_FILE, ROOT)}; see docs/TRANSLATIONS.md:\n" + "\n".join(missing)
    )


def test_catalog_has_no_fuzzy_or_empty_entries():
    bad = [
        message.id
        for message in catalog_messages()
        if message.fuzzy or not all(_as_tuple(message.string))
    ]
    assert not bad, f"fuzzy or empty entries in messages.po: {bad}"


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = []
    for message in catalog_messages():
        expected = set().union(*(placeholders(text) for text in _as_tuple(message.id)))
        for text in _as_tuple(message.string):
            if text and placeholders(text) != expected:
                wrong.append(f"  {message.id!r}: {sorted(expected)} -> {text!r}")
    assert not wrong, "placeholders changed in translation:\n" + "\n".join(wrong)


def test_translations_format_wherever_their_msgid_does():
    """Templates %-format every string (Jinja's newstyle gettext), so a bare % in a
    translation (write %%) would break the page even without placeholders."""
    broken = []
    for message in catalog_messages():
        values = {name: 1 for text in _as_tuple(message.id) for name in placeholder_names(text)}
        for msgid, text in zip(_as_tuple(message.id), _as_tuple(message.string), strict=False):
            try:
                msgid % values
            except (ValueError, TypeError, KeyError):
                continue  # never %-formatted, e.g. "Cooperative fee (%)" in Python code
            try:
                text % values
            except (ValueError, TypeError, KeyError) as error:
                broken.append(f"  {msgid!r} -> {text!r}: {error}")
    assert not broken, "translations that fail %-formatting:\n" + "\n".join(broken)


def test_gettext_aliases_are_extraction_keywords():
    """`from flask_babel import gettext as t` would hide t("...") from pybabel extract."""
    gettext_functions = {
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "lazy_gettext",
        "lazy_ngettext",
        "lazy_pgettext",
    }
    unknown = []
    for path in sorted(SHOP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in {"flask_babel", "gettext"}:
                for alias in node.names:
                    name = alias.asname or alias.name
                    if alias.name in gettext_functions and name not in KEYWORDS:
                        unknown.append(f"  {path.relative_to(ROOT)}: {alias.name} as {name}")
    assert not unknown, "gettext imported under a name pybabel does not extract:\n" + "\n".join(
        unknown
    )


def test_every_gettext_call_names_its_message_where_pybabel_can_read_it():
    """gettext(message) with a variable, or _("...") inside an f-string (Python 3.11's
    tokenizer gives pybabel the f-string as one token), is never extracted: the next
    `make messages` drops its translation and the page shows English."""
    hidden = []
    for path in sorted(SHOP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstrings = {
            id(call) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
            for call in ast.walk(node) if isinstance(call, ast.Call)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in KEYWORDS:
                continue
            literal = bool(node.args) and isinstance(node.args[0], ast.Constant)
            if not literal or id(node) in in_fstrings:
                hidden.append(f"  {path.relative_to(ROOT)}:{node.lineno}: {node.func.id}(...)")
    assert not hidden, "gettext calls pybabel cannot extract:\n" + "\n".join(hidden)


# Pages -------------------------------------------------------------------------------------


def switch_to_english(client) -> None:
    response = client.get("/bahasa/en")
    assert response.status_code == 302


def test_sign_in_page_is_indonesian_by_default(client):
    html = client.get("/akun/masuk").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "<h1>Masuk</h1>" in html
    assert "Kata sandi" in html
    assert "Sign in" not in html


def test_sign_in_page_in_english_after_choosing_it(client):
    switch_to_english(client)
    html = client.get("/akun/masuk").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Password" in html
    assert "<h1>Masuk</h1>" not in html
    assert "Kata sandi" not in html


def test_not_found_page_in_both_languages(client):
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)

    switch_to_english(client)
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "Halaman tidak ditemukan" not in html


def test_home_page_in_both_languages(client):
    html = client.get("/").get_data(as_text=True)
    assert "Produk koperasi Indonesia, langsung dari pembuatnya" in html
    assert "Kategori" in html
    assert "Keranjang" in html

    switch_to_english(client)
    html = client.get("/").get_data(as_text=True)
    assert "Products of Indonesian cooperatives, straight from the makers" in html
    assert "Categories" in html
    assert "Cart" in html
    assert "Keranjang" not in html


def test_rupiah_filter_uses_indonesian_thousands_separator(app):
    amounts = "{{ 25000|rupiah }} {{ 1250000|rupiah }} {{ -500|rupiah }}"
    page = app.jinja_env.from_string(amounts)  # escaped, as every .html template
    text = app.jinja_env.from_string(f"{{% autoescape false %}}{amounts}{{% endautoescape %}}")

    # A no-break space in a page: "Rp" never ends a line on a narrow phone.
    assert page.render() == "Rp\xa025.000 Rp\xa01.250.000 -Rp\xa0500"
    assert text.render() == "Rp 25.000 Rp 1.250.000 -Rp 500"  # a .txt mail: plain text


def test_home_page_shows_prices_in_rupiah_in_both_languages(client):
    product = make_product(variants=((25000, 5),))

    html = client.get("/").get_data(as_text=True)
    assert product.name in html
    assert "Rp\xa025.000" in html

    switch_to_english(client)
    assert "Rp\xa025.000" in client.get("/").get_data(as_text=True)
