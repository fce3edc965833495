"""Our html_params writes what WTForms' own does, byte for byte, and WTForms uses it."""

import pytest
from markupsafe import Markup
from wtforms import Form, StringField, widgets
from wtforms.widgets import core

from shop import wtforms_speed

CASES = [
    {},
    {"name": "contact_name", "id": "contact_name", "type": "text", "value": ""},
    {"value": 'Jl. "Melati" <5> & Co', "required": True, "disabled": False},
    {"value": Markup('<b title="x">ok</b>'), "class_": "a b", "for_": "f"},
    {"aria_describedby": "a-hint b-error", "aria_invalid": "true", "data_foo_bar": 3},
    {"maxlength": 120, "min": 0, "step": None, "autocomplete": "address-level1"},
    {"weird<key": "v", "placeholder": "Kota 'Yogya'"},
]


@pytest.mark.parametrize("params", CASES)
def test_the_same_bytes_as_wtforms(params):
    ours = wtforms_speed.html_params(**params)
    theirs = wtforms_speed.wtforms_html_params(**params)
    assert type(ours) is type(theirs) is Markup
    assert str(ours) == str(theirs)


def test_wtforms_widgets_and_labels_use_it():
    assert widgets.html_params is core.html_params is wtforms_speed.html_params
    assert widgets.TextInput.html_params is wtforms_speed.html_params

    class F(Form):
        name = StringField("Nama & alamat")

    form = F(data={"name": 'Siti "S"'})
    assert str(form.name(aria_describedby="name-hint")) == (
        '<input aria-describedby="name-hint" id="name" name="name" type="text"'
        ' value="Siti &#34;S&#34;">'
    )
    assert str(form.name.label()) == '<label for="name">Nama &amp; alamat</label>'
