"""The templates' _() reads the request's translations once and keeps them beside the locale
(shop/i18n.py): a locale forced later in the same request (a mail in its reader's language)
is still obeyed."""

from flask import render_template_string
from flask_babel import force_locale


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
