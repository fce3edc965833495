"""Permits: how numbers are checked, and an expired P-IRT hidden from shoppers and flagged."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.notifications.models import Notification
from shop.products.expiry import flag_expired_permits
from shop.products.permits import InvalidPermit, Permits, checked_permits
from shop.reports.period import today_in_jakarta
from tests.factories import make_product

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("permits", "is_food", "field"),
    [
        (Permits(pirt_number="1234567890123", pirt_expires_on=TODAY), True, "pirt_number"),
        (Permits(pirt_number="012345678901234", pirt_expires_on=TODAY), True, "pirt_number"),
        (Permits(pirt_number="123456789012345"), True, "pirt_expires_on"),
        (Permits(pirt_number="123456789012345", pirt_expires_on=date(2031, 12, 3)), True,
         "pirt_expires_on"),
        (Permits(halal_number="HAL-123"), False, "halal_number"),
        (Permits(bpom_number="MD12345678901"), False, "bpom_number"),
        (Permits(bpom_number="MX123456789012"), False, "bpom_number"),
        (Permits(), True, "pirt_number"),
    ],
)  # fmt: skip
def test_a_wrong_permit_is_named(permits, is_food, field):
    with pytest.raises(InvalidPermit) as refused:
        checked_permits(permits, is_food, TODAY)
    assert refused.value.field == field


def test_numbers_are_stored_without_punctuation():
    checked = checked_permits(
        Permits(pirt_number="P-IRT No. 2063374010123-25", pirt_expires_on=date(2031, 12, 2),
                halal_number="id 3111 0000 1234", bpom_number="MD 2245 1100 1234"),
        True, TODAY,
    )  # fmt: skip
    assert (checked.pirt_number, checked.halal_number, checked.bpom_number) == (
        "206337401012325", "ID311100001234", "MD224511001234")  # fmt: skip
    assert checked_permits(Permits(exemption="Sayur segar"), True, TODAY).exemption


def test_an_expired_pirt_is_hidden_from_shoppers_and_flagged_once(client, tani):
    yesterday = today_in_jakarta() - timedelta(days=1)
    product = make_product(tani.siti, pirt_number="206337401012325", pirt_expires_on=yesterday,
                           pre_order_days=3)  # fmt: skip
    db.session.commit()

    page = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "206337401012325" not in page
    assert "Pre-order 3 hari" in page

    assert flag_expired_permits() == 1
    flag_expired_permits()
    kinds = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "permit_expired")
    ).all()
    assert sorted(kinds) == sorted([tani.siti.user_id, tani.admin.user_id])


def test_a_current_pirt_is_shown():
    product = make_product(pirt_number="206337401012325",
                           pirt_expires_on=today_in_jakarta() + timedelta(days=30))  # fmt: skip
    assert product.is_pirt_current
