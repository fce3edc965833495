"""The checkout's contact and address fields as a guest first sees them: rendered once per
language and kept for the process.

With nothing typed, nothing to correct and no account (a signed-in shopper's form is filled
from the account, and offers to save the address), the fields' HTML depends on the language
alone; building it (a macro, a label and a widget per field, a select of 39 provinces) was
about a quarter of the checkout page's CPU. What is kept holds no shopper's data.
"""

from flask import current_app, render_template
from markupsafe import Markup

from shop.checkout.forms import CheckoutForm
from shop.i18n import current_language

TEMPLATE = "checkout/_contact_and_address.html"


def blank_fields(form: CheckoutForm) -> Markup:
    """The fields' HTML for a form never submitted nor filled (the caller's to know)."""
    if current_app.jinja_env.auto_reload:
        return _render(form)  # a template or catalog edited in development shows at once
    # Per app: two apps in one process (tests, the eager and lazy pair) differ in config.
    kept = current_app.extensions.setdefault("checkout_blank_fields", {})
    language = current_language()
    html = kept.get(language)
    if html is None:
        html = kept[language] = _render(form)
    return html


def _render(form: CheckoutForm) -> Markup:
    # The template escapes what it renders: the Markup wraps its output as Jinja would.
    return Markup(render_template(TEMPLATE, form=form))  # nosec B704
