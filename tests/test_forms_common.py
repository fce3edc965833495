"""ChoiceField's select keeps its plain <option> tags: the HTML must stay WTForms' own."""

import pytest
from wtforms import SelectChoice
from wtforms.widgets import Select

from shop.checkout.forms import CheckoutForm
from shop.forms_common import ChoiceField, _KeptOptionsSelect


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("province", [None, "", "DI Yogyakarta", "Aceh", "Papua", "Atlantis"])
def test_province_select_is_the_html_wtforms_writes(app, language, province):
    with app.test_request_context(f"/?lang={language}"):
        form = CheckoutForm(meta={"csrf": False})
        form.province.data = province
        for _ in range(2):  # the second time from the kept tags
            assert form.province() == Select()(form.province)
            assert form.province(autocomplete="address-level1", aria_invalid="true") == Select()(
                form.province, autocomplete="address-level1", aria_invalid="true"
            )


def test_only_plain_options_are_kept(app):
    class Form(CheckoutForm):
        size = ChoiceField(
            choices=[SelectChoice("s", "Small <b>"), SelectChoice("m", "Medium")], default="m"
        )

    _KeptOptionsSelect._kept.clear()
    with app.test_request_context("/"):
        form = Form(meta={"csrf": False})
        html = form.size()
    assert '<option selected value="m">Medium</option>' in html
    assert "Small &lt;b&gt;" in html
    assert ("m", "Medium", True) in _KeptOptionsSelect._kept
    assert str(html) == str(Select()(form.size))
