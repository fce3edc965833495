"""The seller's half, on a phone: a member creates a product with two variants and two
photos; the admin approves it from the review queue; a shopper finds it, sees both photos and
each variant's price, and buys the heavier one with the courier charged at its weight."""

import io
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from shop.coops.models import Role
from shop.extensions import db
from tests.browser.fixtures import assert_fits_and_is_accessible, fill_checkout_address, sign_in
from tests.factories import make_coop, make_membership, make_shipping_settings, make_user

pytestmark = pytest.mark.slow


@pytest.fixture
def seller_coop(live_data):
    tag = uuid.uuid4().hex[:6]  # the live database keeps every test's rows
    with live_data():
        coop = make_coop(name="Koperasi Katalog Jaya", city="Kota Yogyakarta")
        make_shipping_settings(coop, courier=(20_000, 10_000))
        admin_user = make_user(email=f"katalog.admin.{tag}@example.test")
        admin = make_membership(coop=coop, role=Role.ADMIN, user=admin_user)
        member_user = make_user(email=f"katalog.ani.{tag}@example.test")
        member = make_membership(coop=coop, business_name="Dapur Bu Ani", user=member_user)
        db.session.commit()
        return {"slug": coop.slug, "coop_id": coop.id, "admin": admin.user.email,
                "member": member.user.email}  # fmt: skip


def photo_file(tmp_path, name: str, colour: tuple) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 700), colour).save(buffer, "JPEG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_member_lists_a_product_the_admin_approves_and_a_shopper_buys_it(
    page, live_server, seller_coop, axe_violations, tmp_path
):
    # The member creates it.
    sign_in(page, live_server, seller_coop["member"])
    page.goto(f"{live_server}/koperasi/{seller_coop['slug']}/anggota/produk")
    page.get_by_role("link", name="Tambah produk").click()
    assert_fits_and_is_accessible(page, axe_violations)
    page.get_by_label("Nama produk").fill("Rengginang Lorjuk Bu Ani")
    page.get_by_label("Kategori").select_option(label="Kuliner › Camilan & Keripik")
    page.get_by_label("Deskripsi").fill("Renyah, gurih.\nDigoreng setiap pagi.")
    page.fill("input[name='variants-0-option_label']", "250 g")
    page.fill("input[name='variants-0-price']", "20.000")
    page.fill("input[name='variants-0-stock']", "12")
    page.fill("input[name='variants-0-weight_grams']", "250")
    page.get_by_role("button", name="Tambah varian").click()  # posts: works without JS
    page.fill("input[name='variants-1-option_label']", "1 kg")
    page.fill("input[name='variants-1-price']", "70.000")
    page.fill("input[name='variants-1-stock']", "4")
    page.fill("input[name='variants-1-weight_grams']", "1000")
    page.get_by_label("Nomor P-IRT").fill("2063374010123-25")
    page.get_by_label("P-IRT berlaku sampai").fill("2028-06-30")
    page.set_input_files("input[name='new_photos']", [
        photo_file(tmp_path, "depan.jpg", (200, 120, 40)),
        photo_file(tmp_path, "kemasan.jpg", (40, 120, 200)),
    ])  # fmt: skip
    page.get_by_role("button", name="Simpan dan kirim untuk ditinjau").click()
    expect(page.get_by_role("status")).to_contain_text("tidak dijual sampai pengurus")
    assert page.locator(".editor-photos img").count() == 2
    assert_fits_and_is_accessible(page, axe_violations)

    # The admin approves it from the review queue.
    page.context.clear_cookies()
    sign_in(page, live_server, seller_coop["admin"])
    page.goto(f"{live_server}/koperasi/{seller_coop['slug']}/kelola/produk")
    page.get_by_role("link", name=re.compile(r"Antrean tinjauan \(1\)")).click()
    assert_fits_and_is_accessible(page, axe_violations)
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_role("status")).to_contain_text("Tersimpan")

    # A shopper finds it, sees both photos and each price, and buys the 1 kg bag.
    page.context.clear_cookies()
    page.goto(f"{live_server}/cari?q=rengginang")
    page.get_by_role("link", name=re.compile("Rengginang Lorjuk")).first.click()
    expect(page.locator("main")).to_contain_text("Rp 20.000")
    expect(page.locator("main")).to_contain_text("Rp 70.000")
    assert page.locator("main picture img, main img").count() >= 2
    page.get_by_label(re.compile("1 kg")).check()
    page.locator("form[action$='/keranjang/tambah'] button[type=submit]").click()
    page.goto(f"{live_server}/checkout")
    fill_checkout_address(page, "siti.katalog@example.test")
    page.check(f"input[name=shipping-{seller_coop['coop_id']}][value^=courier]")
    page.locator("button[name=update]").click()
    # 1 kg ships at the first kilo's fee: Rp 70.000 + Rp 20.000.
    expect(page.locator("main")).to_contain_text("Rp 90.000")
    page.locator("button[name=place]").click()
    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    expect(page.locator("main")).to_contain_text("90.000")


def test_a_member_imports_a_file_on_a_phone(
    page, live_server, seller_coop, axe_violations, tmp_path
):
    from shop.products.catalog_file import write_csv
    from tests.products.test_import import catalog_rows

    csv_path = tmp_path / "produk.csv"
    rows = [row | {"sku": f"{row['sku']}-{seller_coop['slug']}"} for row in catalog_rows(2)]
    csv_path.write_bytes(write_csv(rows))
    sign_in(page, live_server, seller_coop["member"])
    page.goto(f"{live_server}/koperasi/{seller_coop['slug']}/anggota/produk")
    page.get_by_role("link", name="Impor atau ekspor").click()
    assert_fits_and_is_accessible(page, axe_violations)
    page.set_input_files("input[name='catalog_file']", str(csv_path))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.locator("main")).to_contain_text("Baru")
    assert_fits_and_is_accessible(page, axe_violations)
    page.get_by_role("button", name="Impor 4 baris").click()
    expect(page.get_by_role("link", name="Lihat hasilnya")).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)
