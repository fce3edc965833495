"""The words for an order's and a shipment's stored codes: each label costs the one
translation it shows (the order page shows a dozen), not one per entry of its table."""

import pytest
from flask_babel import Domain, force_locale

from shop.fulfilment.labels import shipment_status_label
from shop.orders.labels import payment_method_label, status_label


@pytest.fixture
def translations_made(app, monkeypatch):
    made = []
    original = Domain.gettext

    def counted(self, string, **variables):
        made.append(string)
        return original(self, string, **variables)

    monkeypatch.setattr(Domain, "gettext", counted)
    with app.test_request_context("/"):
        yield made


def test_each_label_is_one_translation_in_the_request_language(translations_made):
    with force_locale("en"):
        labels = (
            status_label("paid"),
            shipment_status_label("packed", "local"),
            payment_method_label("qris"),
        )
    assert labels == ("Paid", "Packed", "QRIS")
    assert translations_made == ["Paid", "Packed", "QRIS"]


def test_a_code_without_a_label_is_shown_as_it_came(translations_made):
    assert status_label("weird") == "weird"
    assert shipment_status_label("weird", None) == "weird"
    assert payment_method_label("new_wallet") == "new_wallet"
    assert payment_method_label(None) == ""
    assert translations_made == []
