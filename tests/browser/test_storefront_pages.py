"""Storefront pages on a 360 px phone: no accessibility violations, nothing scrolls sideways."""

import pytest

from tests.factories import category, make_coop, make_membership, make_product


@pytest.fixture
def storefront(live_data):
    """One cooperative with a member and products in two subcategories (made once per test)."""
    with live_data():
        coop = make_coop(name="Koperasi Mlijo Rukun Makmur", whatsapp="+6281234567890")
        member = make_membership(
            coop=coop,
            business_name="Dapur Bu Siti",
            whatsapp="+6281311112222",
            story="Keripik tempe sejak 1998.",
        )
        product = make_product(
            member,
            name="Keripik Tempe Sagu Pedas Manis",
            variants=((15_000, 4), (27_500, 0)),
            pirt_number="P-IRT 2063404010123-27",
            description="Renyah dan gurih.",
        )
        make_product(member, category_id=category("bumbu-sambal").id, name="Sambal Roa")
        return {
            "product": f"/produk/{product.slug}",
            "coop": f"/koperasi/{coop.slug}",
            "member": f"/koperasi/{coop.slug}/umkm/{member.member_number}",
        }


@pytest.mark.parametrize(
    "page_name", ["home", "category", "subcategory", "coop", "member", "product"]
)
def test_storefront_page_is_accessible_on_a_phone(
    page, live_server, storefront, axe_violations, page_name
):
    path = {"home": "/", "category": "/kategori/kuliner", "subcategory": "/kategori/camilan"}.get(
        page_name
    ) or storefront[page_name]
    assert page.goto(live_server + path).status == 200
    assert axe_violations(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways on a 360 px screen"
