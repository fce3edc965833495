"""A cooperative that reviews new products, its admin, two members, and a way to post the
product editor's form as a browser does."""

from dataclasses import dataclass

import pytest

from shop.coops.models import Cooperative, Membership, Role
from tests.factories import category, make_coop, make_membership, make_user


@dataclass
class Tani:
    coop: Cooperative
    admin: Membership
    siti: Membership
    budi: Membership


@pytest.fixture
def tani() -> Tani:
    coop = make_coop(name="Koperasi Tani")
    return Tani(
        coop=coop,
        admin=make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Ketua")),
        siti=make_membership(coop=coop, business_name="Keripik Bu Siti"),
        budi=make_membership(coop=coop, business_name="Madu Pak Budi"),
    )


def editor_form(variants=None, **over) -> dict:
    """The editor's fields for a snack with a P-IRT, variant rows as given:
    (option, price, stock, weight grams[, variant id, stock seen])."""
    variants = variants or [("250 g", "15.000", 10, 250), ("1 kg", "50.000", 5, 1000)]
    data = {
        "name": "Keripik Tempe Sagu",
        "category_id": str(category("camilan").id),
        "description": "Renyah.\nTanpa pengawet.",
        "pre_order_days": "0",
        "length_cm": "",
        "width_cm": "",
        "height_cm": "",
        "pirt_number": "2063374010123-25",
        "pirt_expires_on": "2028-01-31",
        "halal_number": "",
        "bpom_number": "",
        "permit_exemption": "",
        "save": "1",
    }
    for n, row in enumerate(variants):
        label, price, stock, weight = row[:4]
        data |= {f"variants-{n}-option_label": label, f"variants-{n}-price": price,
                 f"variants-{n}-stock": str(stock), f"variants-{n}-weight_grams": str(weight),
                 f"variants-{n}-sku": ""}  # fmt: skip
        if len(row) > 4:
            data |= {
                f"variants-{n}-variant_id": str(row[4]),
                f"variants-{n}-stock_seen": str(row[5]),
            }
    return data | over
