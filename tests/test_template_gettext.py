"""The templates' _() and Python code's gettext read the request's translations once and keep
them beside the locale (shop/i18n.py): a locale forced later in the same request (a mail in
its reader's language) is still obeyed."""

from flask import render_template_string
from flask_babel import Domain, force_locale, get_locale, gettext
from flask_wtf import FlaskForm


def test_templates_follow_a_locale_forced_within_the_request(app):
    page = "{{ _('Cart') }}|{{ current_language() }}"
    with app.test_request_context("/"):
        with force_locale("en"):
            assert render_template_string(page) == "Cart|en"
        default = render_template_string(page)
        with force_locale("en"):
            assert render_template_string(page) == "Cart|en"
        assert render_template_string(page) == default
        assert default.endswith("|id")


def test_python_gettext_looks_the_translations_up_once_per_request_and_locale(app, monkeypatch):
    """Python code's gettext (flashes, labels) goes through the same kept translations: one
    lookup of Flask-Babel's for the request, one more for a forced locale, none after."""
    lookups = []
    original = Domain.get_translations

    def counted(self):
        lookups.append(str(get_locale()))
        return original(self)

    monkeypatch.setattr(Domain, "get_translations", counted)
    with app.test_request_context("/"):
        assert [gettext("Cart") for _ in range(3)] == ["Keranjang"] * 3
        with force_locale("en"):
            assert [gettext("Cart") for _ in range(3)] == ["Cart"] * 3
        assert gettext("Cart") == "Keranjang"
    assert lookups == ["id", "en", "id"]


def test_wtforms_messages_are_its_own_english_without_reading_its_catalog(app, monkeypatch):
    """WTForms has no Indonesian catalog and its English one is its own text, so its messages
    are used untranslated and no request reads the catalog from disk."""
    from babel import support
    from wtforms import IntegerField
    from wtforms.validators import InputRequired

    class NumberForm(FlaskForm):
        class Meta:
            csrf = False

        number = IntegerField(validators=[InputRequired()])

    loaded = []
    original = support.Translations.load

    def load(*args, **kwargs):
        loaded.append(kwargs.get("domain"))
        return original(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", load)
    for language in ("id", "en"):
        with app.test_request_context("/", method="POST", data={"number": "x"}):
            with force_locale(language):
                form = NumberForm()
                assert not form.validate()
                assert form.number.errors == ["Not a valid integer value."]
    assert "wtforms" not in loaded


def test_a_language_becomes_a_locale_once_a_process_not_once_a_request(app):
    # Each request in an app context of its own, as in a worker (the suite keeps one open).
    with app.app_context(), app.test_request_context("/"):
        first = get_locale()
    with app.app_context(), app.test_request_context("/"):
        assert get_locale() is first
        assert str(first) == "id"


def test_templates_underscore_is_jinjas_newstyle_gettext_in_one_call(app, monkeypatch):
    page = (
        "{{ _('Cart') }}|{{ _('Quantity of %(name)s', name='<b>Kopi</b>') }}|"
        "{{ _('100%% %(x)s', x=1) }}|{{ gettext('Quantity of %(name)s', name='<i>') }}"
    )
    with app.test_request_context("/"), force_locale("en"):
        expected = "Cart|Quantity of &lt;b&gt;Kopi&lt;/b&gt;|100% 1|Quantity of &lt;i&gt;"
        assert render_template_string(page) == expected
        # _() no longer goes through the `gettext` global (nor Jinja's alias for it)
        monkeypatch.setitem(app.jinja_env.globals, "gettext", None)
        assert render_template_string("{{ _('Cart') }}") == "Cart"


def test_templates_underscore_takes_variables_named_string_or_context(app):
    with app.test_request_context():
        html = app.jinja_env.from_string(
            "{{ _('%(string)s and %(context)s', string='a', context='<b>') }}"
        ).render()
    assert html == "a and &lt;b&gt;"
