"""The import and export pages, as a member and an admin use them in a browser without
JavaScript: upload, preview, confirm, the progress page, and the downloads."""

import io
import re

from sqlalchemy import select

from shop.catalog.models import Product
from shop.extensions import db
from shop.products.catalog_file import read_rows, write_csv
from tests.factories import make_product
from tests.products.test_import import catalog_rows, variant_row


def upload(client, url: str, content: bytes, name: str = "produk.csv"):
    return client.post(url, data={"catalog_file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")  # fmt: skip


def test_a_member_previews_confirms_and_watches_the_import(client, login, tani):
    login(tani.siti.user)
    url = f"/koperasi/{tani.coop.slug}/anggota/produk/impor"
    page = upload(client, url, write_csv(catalog_rows(3))).get_data(as_text=True)

    assert db.session.scalars(select(Product)).all() == []  # a preview writes no product
    assert "Impor 6 baris" in page
    start = re.search(r'action="([^"]+/impor/\d+)"', page).group(1)
    response = client.post(start)
    assert response.status_code == 302 and "/tugas/" in response.headers["Location"]
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in progress and "/anggota/produk" in progress
    assert len(db.session.scalars(select(Product)).all()) == 3


def test_a_bad_row_is_named_and_nothing_can_be_confirmed(client, login, tani):
    login(tani.siti.user)
    rows = catalog_rows(2) + [variant_row(9, harga=0)]
    page = upload(client, f"/koperasi/{tani.coop.slug}/anggota/produk/impor", write_csv(rows))
    text = page.get_data(as_text=True)
    assert "Baris 6" in text and "/impor/" not in text.split("Periksa berkas")[-1]
    assert db.session.scalars(select(Product)).all() == []


def test_an_unreadable_file_is_refused_on_the_field(client, login, tani):
    login(tani.siti.user)
    page = upload(client, f"/koperasi/{tani.coop.slug}/anggota/produk/impor", b"\x00\x01", "a.pdf")
    assert 'id="catalog_file-error"' in page.get_data(as_text=True)


def test_another_person_cannot_confirm_an_import(client, login, tani):
    login(tani.siti.user)
    text = upload(client, f"/koperasi/{tani.coop.slug}/anggota/produk/impor",
                  write_csv(catalog_rows(1))).get_data(as_text=True)  # fmt: skip
    start = re.search(r'action="([^"]+/impor/\d+)"', text).group(1)
    login(tani.budi.user)
    assert client.post(start).status_code == 404
    assert db.session.scalars(select(Product)).all() == []


def test_the_downloads_are_the_template_and_the_members_own_catalog(client, login, tani):
    make_product(tani.siti, name="Keripik Siti")
    make_product(tani.budi, name="Madu Budi")
    db.session.commit()
    login(tani.siti.user)
    base = f"/koperasi/{tani.coop.slug}/anggota/produk/berkas"
    exported = client.get(f"{base}/ekspor.csv")
    assert exported.headers["Content-Disposition"].endswith('.csv"')
    names = {row.values["nama_produk"] for row in read_rows("a.csv", exported.data)}
    assert names == {"Keripik Siti"}
    assert client.get(f"{base}/templat.xlsx").status_code == 200
    assert client.get(f"{base}/lainnya.csv").status_code == 404
    login(tani.admin.user)
    everything = client.get(f"/koperasi/{tani.coop.slug}/kelola/produk/berkas/ekspor.xlsx")
    names = {row.values["nama_produk"] for row in read_rows("a.xlsx", everything.data)}
    assert names == {"Keripik Siti", "Madu Budi"}
    console = client.get(f"/koperasi/{tani.coop.slug}/kelola/produk?anggota={tani.budi.id}")
    link = re.search(r'href="([^"]+ekspor\.csv[^"]*)"', console.get_data(as_text=True)).group(1)
    budis = client.get(link.replace("&amp;", "&"))
    assert {row.values["nama_produk"] for row in read_rows("a.csv", budis.data)} == {"Madu Budi"}


def test_import_files_are_forgotten_after_a_week(client, login, tani):
    from datetime import timedelta

    from shop.products.importing import forget_old_imports
    from shop.products.models import ProductImport
    from shop.timeutil import utcnow

    login(tani.siti.user)
    upload(client, f"/koperasi/{tani.coop.slug}/anggota/produk/impor", write_csv(catalog_rows(1)))
    stored = db.session.scalars(select(ProductImport)).one()
    assert forget_old_imports() == 0
    stored.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert forget_old_imports() == 1
    assert db.session.scalars(select(ProductImport)).all() == []


def test_the_upload_page_takes_a_photo_zip_with_the_file(client, login, tani):
    from shop.catalog.models import ProductImage
    from tests.products.test_import import PHOTOS, photo_zip

    login(tani.siti.user)
    url = f"/koperasi/{tani.coop.slug}/anggota/produk/impor"
    rows = write_csv([variant_row(1, foto="depan.jpg|belakang.jpg")])
    page = client.post(url, data={"catalog_file": (io.BytesIO(rows), "produk.csv"),
                                  "photos_zip": (io.BytesIO(photo_zip(PHOTOS)), "foto.zip")},
                       content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip

    start = re.search(r'action="([^"]+/impor/\d+)"', page).group(1)
    response = client.post(start)
    assert "Selesai" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(db.session.scalars(select(ProductImage)).all()) == 2
