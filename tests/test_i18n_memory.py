"""Our languages' Babel data is loaded without Babel's global.dat (2.2 MB a worker)."""

import pickle

from babel import localedata

from shop.i18n import load_locale_data
from tests.test_worker_imports import in_a_new_worker


def test_our_languages_data_is_what_babel_itself_loads(app):
    languages = app.config["LANGUAGES"]
    with localedata._cache_lock:
        saved = dict(localedata._cache)
        try:
            localedata._cache.clear()
            load_locale_data(languages)
            ours = {language: localedata._cache[language] for language in languages}
            localedata._cache.clear()
            babels = {language: localedata.load(language) for language in languages}
        finally:
            localedata._cache.clear()
            localedata._cache.update(saved)
    assert set(ours) == {"id", "en"}
    for language in languages:
        # Babel's patterns and aliases compare by identity: compare what they are made of.
        assert pickle.dumps(ours[language]) == pickle.dumps(babels[language])
        assert ours[language]["decimal_formats"]  # not an empty copy of root's


def test_formatting_a_page_in_either_language_never_loads_global_dat(tmp_path):
    program = (
        "import babel.core, wsgi\n"
        "from flask_babel import force_locale, format_decimal, format_date\n"
        "from datetime import date\n"
        "from shop.money import format_rupiah\n"
        "with wsgi.app.test_request_context():\n"
        "    for language in ('id', 'en'):\n"
        "        with force_locale(language):\n"
        "            day = format_date(date(2026, 12, 4))\n"
        "            print(format_decimal(1234.5), format_rupiah(25000), day)\n"
        "print(babel.core._global_data is None)\n"
    )
    result = in_a_new_worker(program, tmp_path)
    lines = result.stdout.split("\n")
    assert lines[0].startswith("1.234,5 ")  # Indonesian: a dot groups thousands
    assert lines[1].startswith("1,234.5 ")
    assert lines[2] == "True"
