"""The checkout's contact and address fields as a guest first sees them: rendered once per
language and kept for the process.

With nothing typed, nothing to correct and no account (a signed-in shopper's form is filled
from the account, and offers to save the address), the fields' HTML depends on the language
alone; building it (a macro, a label and a widget per field, a select of 39 provinces) was
about a quarter of the checkout page's CPU. What is kept holds no shopper's data.
"""

from flask import render_template
from markupsafe import Markup

from shop.checkout.forms import CheckoutForm
from shop.i18n import current_language

TEMPLATE = "checkout/_contact_and_address.html"
_kept: dict[str, Markup] = {}


def blank_fields(form: CheckoutForm) -> Markup:
    """The fields' HTML for a form never submitted nor filled (the caller's to know)."""
    language = current_language()
    html = _kept.get(language)
    if html is None:
        # The template escapes what it renders: the Markup wraps its output as Jinja would.
        html = _kept[language] = Markup(render_template(TEMPLATE, form=form))  # nosec B704
    return html
