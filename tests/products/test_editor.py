"""The product editor over HTTP: create, review, edit, variants, stock that sells meanwhile,
permits, and what the shop shows after each step."""

import pytest
from sqlalchemy import select

from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.extensions import db
from shop.money import format_rupiah_html
from shop.notifications.models import Notification
from shop.products.editor import ProductRefused
from shop.products.quick import quick_edit
from tests.factories import make_product
from tests.orders.conftest import place
from tests.products.conftest import editor_form


def new_url(coop) -> str:
    return f"/koperasi/{coop.slug}/anggota/produk/baru"


def edit_url(coop, product) -> str:
    return f"/koperasi/{coop.slug}/anggota/produk/{product.id}"


def the_product() -> Product:
    db.session.expire_all()
    return db.session.scalars(select(Product)).one()


def test_a_member_creates_a_product_that_waits_for_review(client, login, tani, outbox):
    login(tani.siti.user)
    response = client.post(new_url(tani.coop), data=editor_form())

    product = the_product()
    assert response.status_code == 302 and response.headers["Location"] == edit_url(
        tani.coop, product
    )
    assert (product.status, product.member_id, product.name) == (
        ProductStatus.PENDING, tani.siti.id, "Keripik Tempe Sagu")  # fmt: skip
    assert [(v.option_label, v.price, v.stock, v.weight_grams) for v in product.variants] == [
        ("250 g", 15000, 10, 250), ("1 kg", 50000, 5, 1000)]  # fmt: skip
    assert all(v.sku.startswith(f"P{product.id}-") for v in product.variants)
    assert product.pirt_number == "206337401012325" and product.description.count("\n") == 1
    assert client.get(f"/produk/{product.slug}").status_code == 404  # not on sale yet
    note = db.session.scalars(
        select(Notification).where(Notification.recipient_id == tani.admin.user_id)
    ).one()
    assert note.kind == "admin_product_to_review"


def test_the_admin_approves_it_and_it_sells_and_is_found(client, login, tani):
    login(tani.siti.user)
    client.post(new_url(tani.coop), data=editor_form())
    product = the_product()
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}/setujui")

    assert the_product().status == ProductStatus.ACTIVE
    assert client.get(f"/produk/{product.slug}").status_code == 200
    assert "Keripik Tempe Sagu" in client.get("/cari?q=sagu").get_data(as_text=True)
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == tani.siti.user_id)
    ).all()
    assert kinds == ["product_approved"]


def test_a_rejection_needs_a_reason_and_the_member_reads_it(client, login, tani):
    login(tani.siti.user)
    client.post(new_url(tani.coop), data=editor_form())
    product = the_product()
    login(tani.admin.user)
    reject = f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}/tolak"
    client.post(reject, data={"reason": ""})
    assert the_product().status == ProductStatus.PENDING
    client.post(reject, data={"reason": "Foto buram"})

    assert (the_product().status, the_product().review_note) == (
        ProductStatus.REJECTED,
        "Foto buram",
    )
    login(tani.siti.user)
    page = client.get(f"/koperasi/{tani.coop.slug}/anggota/produk?tab=ditolak").get_data(
        as_text=True
    )
    assert "Foto buram" in page


def test_an_admin_creates_for_a_member_and_it_is_on_sale_at_once(client, login, tani):
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/baru",
                data=editor_form(member_id=str(tani.budi.id)))  # fmt: skip
    product = the_product()
    assert (product.member_id, product.status) == (tani.budi.id, ProductStatus.ACTIVE)


def test_a_purchase_during_an_open_edit_form_is_never_undone(client, login, tani):
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/baru",
                data=editor_form(member_id=str(tani.siti.id)))  # fmt: skip
    product = the_product()
    small, big = product.variants
    # The form shows 10 and 5 ... then a shopper buys 3 of the small one.
    place([(product, 3)])
    login(tani.siti.user)
    rows = [("250 g", "15.000", 10, 250, small.id, 10), ("1 kg", "50.000", 8, 1000, big.id, 5)]
    client.post(edit_url(tani.coop, product), data=editor_form(rows))

    db.session.expire_all()
    assert db.session.get(ProductVariant, small.id).stock == 7  # the 3 sold stay sold
    assert db.session.get(ProductVariant, big.id).stock == 8  # +3, as typed

    rows = [("250 g", "15.000", 0, 250, small.id, 10), ("1 kg", "50.000", 8, 1000, big.id, 8)]
    page = client.post(edit_url(tani.coop, product), data=editor_form(rows)).get_data(as_text=True)
    assert "7 left now" in page or "tinggal 7" in page or "7 tersisa" in page
    db.session.expire_all()
    assert db.session.get(ProductVariant, small.id).stock == 7


def test_a_variant_in_an_order_is_archived_not_deleted(client, login, tani):
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/baru",
                data=editor_form(member_id=str(tani.siti.id)))  # fmt: skip
    product = the_product()
    small, big = product.variants
    place([(product, 1)])  # orders the small one
    rows = [("250 g", "15.000", 9, 250, small.id, 9), ("1 kg", "50.000", 5, 1000, big.id, 5)]
    data = editor_form(rows) | {"variants-0-remove": "y"}
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}", data=data)

    db.session.expire_all()
    kept = db.session.get(ProductVariant, small.id)
    assert kept is not None and kept.is_archived
    assert [v.id for v in the_product().variants] == [big.id]
    page = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "250 g" not in page and "1 kg" in page

    data = editor_form([("1 kg", "50.000", 5, 1000, big.id, 5), ("2 kg", "90.000", 1, 2000)])
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}", data=data)
    two_kg = next(v.id for v in the_product().variants if v.option_label == "2 kg")
    rows = [("1 kg", "50.000", 5, 1000, big.id, 5), ("2 kg", "90.000", 1, 2000, two_kg, 1)]
    data = editor_form(rows) | {"variants-1-remove": "y"}
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}", data=data)
    assert db.session.get(ProductVariant, two_kg) is None  # never ordered: gone


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"name": "ab"}, "name", "3 to 150"),
        ({"category_id": "0"}, "category_id", "Choose a category"),
        ({"pirt_number": "", "bpom_number": ""}, "pirt_number", "Food needs a P-IRT"),
        ({"pirt_number": "9063374010123-25"}, "pirt_number", "starts with 1 to 8"),
        ({"pirt_number": "20633740"}, "pirt_number", "at least 15 digits"),
        ({"pirt_expires_on": "2040-01-01"}, "pirt_expires_on", "at most 5 years"),
        ({"pirt_expires_on": ""}, "pirt_expires_on", "expires"),
        ({"halal_number": "12345"}, "halal_number", "halal certificate number starts with"),
        ({"bpom_number": "MD12345"}, "bpom_number", "12 digits"),
        ({"variants-0-price": "0"}, "variants-0-price", "above Rp 0"),
        ({"variants-1-option_label": "250 G"}, None, "same option"),
        ({"pre_order_days": "31"}, "pre_order_days", "0 to 30"),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_saved(
    client, login, tani, english, over, field, message
):
    login(tani.siti.user)
    response = client.post(new_url(tani.coop), data=editor_form(**over))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    if field:
        assert f'id="{field}-error"' in page or f'id="{field}"' in page
    assert db.session.scalars(select(Product)).all() == []


def test_food_without_permits_is_fine_with_a_recorded_exemption(client, login, tani):
    login(tani.siti.user)
    exempt = {
        "pirt_number": "",
        "pirt_expires_on": "",
        "permit_exemption": "Sayur segar, tidak diolah",
    }
    client.post(new_url(tani.coop), data=editor_form(**exempt))
    assert the_product().permit_exemption == "Sayur segar, tidak diolah"


def test_an_edit_of_a_product_on_sale_waits_for_review_where_the_cooperative_says_so(
    client, login, tani
):
    tani.coop.reviews_edits = True
    db.session.commit()
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/baru",
                data=editor_form(member_id=str(tani.siti.id)))  # fmt: skip
    product = the_product()
    login(tani.siti.user)
    page = client.get(edit_url(tani.coop, product)).get_data(as_text=True)
    assert "off sale until an admin approves it" in page or "tidak dijual" in page
    small, big = product.variants
    rows = [("250 g", "16.000", 10, 250, small.id, 10), ("1 kg", "50.000", 5, 1000, big.id, 5)]
    client.post(edit_url(tani.coop, product), data=editor_form(rows))
    assert the_product().status == ProductStatus.PENDING
    assert client.get(f"/produk/{product.slug}").status_code == 404


def test_the_quick_stock_edit_is_a_change_from_what_the_list_showed(tani):
    from tests.factories import make_product

    product = make_product(tani.siti, variants=((10000, 10),))
    variant = product.variants[0]
    place([(product, 4)])  # 6 left, the list still shows 10
    quick_edit(tani.siti.user, variant, 12_000, 12, 10)
    assert (variant.price, db.session.get(ProductVariant, variant.id).stock) == (12_000, 8)
    with pytest.raises(ProductRefused):
        quick_edit(tani.siti.user, variant, 9_000, 0, 10)  # -10 from 8 would go below 0
    db.session.expire_all()
    saved = db.session.get(ProductVariant, variant.id)
    assert (saved.price, saved.stock) == (12_000, 8)  # the refused edit changed nothing


def test_archiving_takes_it_off_every_page_and_out_of_search(client, login, tani, app):
    from tests.factories import make_product

    product = make_product(tani.siti, name="Madu Klanceng Asli")
    db.session.commit()
    assert "Madu Klanceng" in client.get("/cari?q=klanceng").get_data(as_text=True)
    login(tani.siti.user)
    client.post(f"/koperasi/{tani.coop.slug}/anggota/produk/{product.id}/arsip")
    client.post("/akun/keluar")

    assert the_product().status == ProductStatus.ARCHIVED
    assert "Madu Klanceng" not in client.get("/cari?q=klanceng").get_data(as_text=True)
    assert client.get(f"/produk/{product.slug}").status_code == 404
    assert "Madu Klanceng" not in client.get(f"/koperasi/{tani.coop.slug}").get_data(as_text=True)


def test_duplicating_makes_a_draft_with_new_skus_and_no_stock(client, login, tani):
    from tests.factories import make_product

    product = make_product(tani.siti, variants=((10000, 10), (20000, 3)))
    login(tani.siti.user)
    client.post(f"/koperasi/{tani.coop.slug}/anggota/produk/{product.id}/salin")
    copy = db.session.scalars(select(Product).where(Product.id != product.id)).one()
    assert copy.status == ProductStatus.DRAFT and copy.name.endswith("(salinan)")
    assert [v.stock for v in copy.variants] == [0, 0]
    assert {v.sku for v in copy.variants}.isdisjoint({v.sku for v in product.variants})


def test_the_maker_sees_what_they_receive_of_each_price(client, login, tani):
    tani.coop.fee_bp = 500
    db.session.commit()
    product = make_product(tani.siti, variants=((15_000, 10), (50_000, 5)))
    login(tani.siti.user)

    page = client.get(edit_url(tani.coop, product)).get_data(as_text=True)

    # 15.000 less 5 % (750) and 50.000 less 2.500, as checkout books each line.
    assert format_rupiah_html(14_250) in page and format_rupiah_html(47_500) in page
