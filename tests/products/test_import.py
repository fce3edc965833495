"""Bulk import and export of the catalog: the preview, the import task, the file formats,
and the round trip export -> Excel -> import."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from shop.audit.models import AuditEntry
from shop.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from shop.extensions import db
from shop.jobs.models import JobProgress, JobState
from shop.notifications.models import Notification
from shop.products import catalog_file, importing
from shop.products.catalog_file import (
    COLUMNS,
    ImportFileError,
    export_rows,
    read_rows,
    template,
    write_csv,
    write_xlsx,
)
from shop.products.editor import NotAllowed, ProductDraft, VariantDraft, save_product
from shop.products.importing import (
    ImportRefused,
    import_of,
    preview_import,
    start_import,
    store_import,
)
from shop.products.permits import Permits
from tests.factories import make_product

PIRT_EXPIRY = (date.today() + timedelta(days=365)).isoformat()


def variant_row(n: int, option: str = "250 g", **over) -> dict:
    """A valid row: the snack of product n, one of its options."""
    values = {
        "kode_produk": f"KRP-{n}",
        "nama_produk": f"Keripik Tempe {n}",
        "kategori": "Kuliner › Camilan & Keripik",
        "deskripsi": "Renyah.\nTanpa pengawet.",
        "pilihan": option,
        "harga": 15000,
        "stok": 10,
        "berat_gram": 250,
        "sku": f"KRP-{n}-{option.replace(' ', '')}",
        "nomor_pirt": "2063374010123-25",
        "pirt_berlaku_sampai": PIRT_EXPIRY,
    }
    return values | over


def catalog_rows(products: int, options=("250 g", "1 kg")) -> list[dict]:
    return [variant_row(n, option) for n in range(1, products + 1) for option in options]


def run_import(tani, data: bytes, member="siti", filename: str = "produk.csv", photos_zip=None):
    """Preview, store and confirm as the member (or the admin: member=None); the task runs
    at once. Returns the plan and the job."""
    maker = getattr(tani, member) if member else None
    actor = (maker or tani.admin).user
    plan = preview_import(actor, tani.coop, maker, filename, data, photos_zip=photos_zip)
    product_import = store_import(
        actor, tani.coop, maker, filename, data, plan, photos_zip=photos_zip
    )
    job = start_import(product_import.id)
    db.session.expire_all()
    return plan, db.session.get(JobProgress, job.id)


def counts(plan) -> tuple:
    return (plan.created, plan.updated, plan.unchanged, plan.invalid)


def variants_of(member) -> dict[str, tuple]:
    db.session.expire_all()
    variants = db.session.scalars(
        select(ProductVariant).join(Product).where(Product.member_id == member.id)
    )
    return {v.sku: (v.product.name, v.option_label, v.price, v.stock) for v in variants}


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


# --- importing ------------------------------------------------------------------------------


def test_a_members_file_creates_products_that_wait_for_review(tani):
    plan, job = run_import(tani, write_csv(catalog_rows(3)))

    assert counts(plan) == (6, 0, 0, 0) and plan.problems == []
    assert (job.state, job.done, job.total) == (JobState.DONE, 6, 6)
    assert job.result_url.endswith(f"/koperasi/{tani.coop.slug}/anggota/produk?tab=semua")
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    assert [(p.name, p.member_id, p.status) for p in products] == [
        (f"Keripik Tempe {n}", tani.siti.id, ProductStatus.PENDING) for n in (1, 2, 3)]  # fmt: skip
    assert [(v.sku, v.option_label, v.price, v.stock, v.weight_grams)
            for v in products[0].variants] == [("KRP-1-250g", "250 g", 15000, 10, 250),
                                               ("KRP-1-1kg", "1 kg", 15000, 10, 250)]  # fmt: skip
    assert products[0].pirt_number == "206337401012325"
    assert products[0].description == "Renyah.\nTanpa pengawet."
    # One notice for the file, not one per product.
    notes = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == tani.admin.user_id)
    ).all()
    assert notes == ["admin_product_to_review"]


def test_the_same_file_again_changes_nothing(tani):
    data = write_csv(catalog_rows(3))
    run_import(tani, data)
    before = (variants_of(tani.siti), audit_count())
    stamps = db.session.scalars(select(Product.updated_at).order_by(Product.id)).all()

    plan, job = run_import(tani, data)

    assert counts(plan) == (0, 0, 6, 0) and job.state == JobState.DONE
    assert (variants_of(tani.siti), audit_count()) == (before[0], before[1] + 1)  # the import's
    assert db.session.scalars(select(Product.updated_at).order_by(Product.id)).all() == stamps


def test_a_valid_file_of_5000_rows_imports_whole_and_again_changes_nothing(tani):
    data = write_csv(catalog_rows(2500))

    plan, job = run_import(tani, data)

    assert counts(plan) == (5000, 0, 0, 0) and job.state == JobState.DONE
    assert db.session.scalar(select(func.count(Product.id))) == 2500
    assert db.session.scalar(select(func.count(ProductVariant.id))) == 5000
    again = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data)
    assert counts(again) == (0, 0, 5000, 0)


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(tani):
    rows = catalog_rows(10)
    rows[10]["harga"] = 0  # line 12: the header is line 1

    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows))

    assert counts(plan) == (18, 0, 0, 2)  # both rows of the product are refused
    [problem] = plan.problems
    assert (problem.line, problem.column) == (12, "harga")
    assert "12" in problem.message and "Harga (Rp)" in problem.message
    assert "Masukkan harga di atas Rp 0." in problem.message  # the editor's own rule
    with pytest.raises(ImportRefused):
        store_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows), plan)
    assert db.session.scalar(select(func.count(Product.id))) == 0


@pytest.mark.parametrize(
    "over, column",
    [
        ({"harga": "lima ribu"}, "harga"),
        ({"stok": "-3"}, "stok"),
        ({"stok": ""}, "stok"),
        ({"berat_gram": "0"}, "berat_gram"),
        ({"nama_produk": "Ab"}, "nama_produk"),
        ({"kategori": "Elektronik"}, "kategori"),
        ({"kategori": "kuliner"}, "kategori"),  # not a leaf
        ({"nomor_pirt": "2.06337E+14"}, "nomor_pirt"),  # what Excel makes of a long number
        ({"nomor_pirt": "", "nomor_bpom": ""}, "nomor_pirt"),  # food needs a permit
        ({"pirt_berlaku_sampai": "31 Januari"}, "pirt_berlaku_sampai"),
        ({"sku": "KRP 1"}, "sku"),
        ({"sku": ""}, "sku"),
        ({"pilihan": "x" * 61}, "pilihan"),
    ],
)
def test_each_rule_names_its_line_and_column(tani, over, column):
    rows = [variant_row(1), variant_row(2, **over)]

    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows))

    assert counts(plan) == (1, 0, 0, 1)
    assert [(problem.line, problem.column) for problem in plan.problems] == [(3, column)]


def test_rows_of_one_product_must_agree_and_not_repeat_an_sku_or_option(tani):
    rows = [
        variant_row(1, "250 g"),
        variant_row(1, "1 kg", nama_produk="Keripik Lain"),
        variant_row(2, "250 g"),
        variant_row(2, "250 g", sku="KRP-2-lain"),
        variant_row(3, "250 g", sku="KRP-2-250g"),
    ]

    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows))

    assert [(problem.line, problem.column) for problem in plan.problems] == [
        (3, "nama_produk"), (5, "pilihan"), (6, "sku")]  # fmt: skip
    assert counts(plan) == (0, 0, 0, 5)


def test_an_update_matches_by_sku_sets_the_stock_and_adds_a_variant(tani):
    run_import(tani, write_csv(catalog_rows(2)))
    rows = catalog_rows(2)
    rows[0] |= {"harga": "Rp 17.500", "stok": "7"}
    rows.append(variant_row(2, "500 g", harga=30000))
    audits = audit_count()

    plan, job = run_import(tani, write_csv(rows))

    assert counts(plan) == (1, 1, 3, 0)
    variants = variants_of(tani.siti)
    assert variants["KRP-1-250g"] == ("Keripik Tempe 1", "250 g", 17500, 7)
    assert variants["KRP-1-1kg"] == ("Keripik Tempe 1", "1 kg", 15000, 10)
    assert variants["KRP-2-500g"] == ("Keripik Tempe 2", "500 g", 30000, 10)
    assert audit_count() == audits + 3  # two products, and the import itself


def test_a_member_cannot_touch_another_members_product(tani):
    budis = make_product(tani.budi)
    row = variant_row(1, sku=budis.variants[0].sku)

    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv([row]))

    [problem] = plan.problems
    assert (problem.line, problem.column) == (2, "sku")
    assert "SKU" in problem.message
    with pytest.raises(NotAllowed):  # nor import for another member
        preview_import(tani.siti.user, tani.coop, tani.budi, "produk.csv", write_csv([row]))
    with pytest.raises(NotAllowed):  # nor as the admin
        preview_import(tani.siti.user, tani.coop, None, "produk.csv", write_csv([row]))


def test_an_admins_file_names_the_member_of_each_row_and_needs_no_review(tani):
    rows = [
        variant_row(1, nomor_anggota=tani.siti.member_number),
        variant_row(2, nomor_anggota=tani.budi.member_number.lstrip("0")),  # as Excel left it
        variant_row(3, nomor_anggota="9999"),
        variant_row(4),
    ]

    plan = preview_import(tani.admin.user, tani.coop, None, "produk.csv", write_csv(rows))

    assert [(problem.line, problem.column) for problem in plan.problems] == [
        (4, "nomor_anggota"), (5, "nomor_anggota")]  # fmt: skip
    plan, job = run_import(tani, write_csv(rows[:2]), member=None)
    assert job.result_url.endswith(f"/koperasi/{tani.coop.slug}/kelola/produk")
    assert variants_of(tani.siti).keys() == {"KRP-1-250g"}
    assert variants_of(tani.budi).keys() == {"KRP-2-250g"}
    statuses = db.session.scalars(select(Product.status)).all()
    assert statuses == [ProductStatus.ACTIVE, ProductStatus.ACTIVE]


def test_a_row_that_became_invalid_after_the_preview_fails_the_task_writing_nothing(tani):
    data = write_csv(catalog_rows(3))
    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data)
    product_import = store_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data, plan)
    make_product(tani.budi, name="Keripik Budi").variants[0].sku = "KRP-3-1kg"
    db.session.commit()

    job = start_import(product_import.id)

    db.session.expire_all()
    job = db.session.get(JobProgress, job.id)
    assert job.state == JobState.FAILED and "KRP" not in job.message and "7" in job.message
    assert variants_of(tani.siti) == {}


def plan_then_sell(monkeypatch, units: int) -> None:
    """Make the task sell `units` of every variant (a checkout that commits) right after it
    has read the catalog, before it writes."""
    real_plan = importing.plan_rows

    def plan_rows(*args):
        planned = real_plan(*args)
        db.session.execute(update(ProductVariant).values(stock=ProductVariant.stock - units))
        db.session.commit()
        return planned

    monkeypatch.setattr(importing, "plan_rows", plan_rows)


def confirm_later(tani, data: bytes):
    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data)
    return store_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data, plan)


def test_stock_moves_by_the_change_so_units_sold_meanwhile_stay_sold(tani, monkeypatch):
    run_import(tani, write_csv([variant_row(1)]))  # 10 in stock
    product_import = confirm_later(tani, write_csv([variant_row(1, stok=5)]))
    plan_then_sell(monkeypatch, 2)

    job = start_import(product_import.id)

    assert db.session.get(JobProgress, job.id).state == JobState.DONE
    assert variants_of(tani.siti)["KRP-1-250g"][3] == 3  # 10, 2 sold, then 5 taken off


def test_a_file_stock_below_what_was_sold_meanwhile_fails_the_task_naming_the_row(
    tani, monkeypatch
):
    run_import(tani, write_csv([variant_row(1), variant_row(2)]))
    rows = [variant_row(1, harga=20000), variant_row(2, stok=0)]  # 10 taken off each
    product_import = confirm_later(tani, write_csv(rows))
    plan_then_sell(monkeypatch, 2)

    job = start_import(product_import.id)

    db.session.expire_all()
    job = db.session.get(JobProgress, job.id)
    assert job.state == JobState.FAILED
    assert "3" in job.message and "8" in job.message  # line 3; 8 left
    assert variants_of(tani.siti) == {  # the batch is not written; the sale stays
        "KRP-1-250g": ("Keripik Tempe 1", "250 g", 15000, 8),
        "KRP-2-250g": ("Keripik Tempe 2", "250 g", 15000, 8),
    }


def test_an_edit_of_a_product_on_sale_goes_back_to_review_and_a_draft_stays_a_draft(tani):
    tani.coop.reviews_edits = True
    db.session.commit()
    rows = [variant_row(1, nomor_anggota=tani.siti.member_number)]
    run_import(tani, write_csv(rows), member=None)  # the admin's: on sale at once
    draft = ProductDraft(name="Sambal Bawang", category_id=15, description="", pre_order_days=0,
                         length_cm=0, width_cm=0, height_cm=0,
                         permits=Permits(bpom_number="MD123456789012"),
                         variants=[VariantDraft(None, "", 20000, 5, 200, sku="SMB-1")])  # fmt: skip
    save_product(tani.siti.user, tani.siti, None, draft, as_draft=True)
    exported = export_rows(tani.coop, tani.siti.id)
    for row in exported:
        row["harga"] += 1000

    plan, job = run_import(tani, write_csv(exported))

    assert counts(plan) == (0, 2, 0, 0) and job.state == JobState.DONE
    statuses = dict(db.session.execute(select(Product.name, Product.status)).all())
    assert statuses == {"Keripik Tempe 1": ProductStatus.PENDING,
                        "Sambal Bawang": ProductStatus.DRAFT}  # fmt: skip


def test_only_the_uploader_confirms_an_import_and_twice_starts_it_once(tani):
    product_import = confirm_later(tani, write_csv([variant_row(1)]))

    assert import_of(tani.siti.user, tani.coop, product_import.id) == product_import
    assert import_of(tani.budi.user, tani.coop, product_import.id) is None
    assert import_of(tani.admin.user, tani.coop, product_import.id) is None
    first = start_import(product_import.id)
    assert start_import(product_import.id).id == first.id
    assert db.session.scalar(select(func.count(JobProgress.id))) == 1


# --- the file -------------------------------------------------------------------------------

HEADER = ";".join(column.header for column in COLUMNS[:12])


def test_a_semicolon_file_with_a_bom_as_indonesian_excel_writes_it(tani):
    line = ";".join(["KRP-1", "", "Keripik Tempe", "camilan", "Gurih", "250 g", "Rp 15.000",
                     "10", "250", "KRP-1", "0", ""])  # fmt: skip
    header = HEADER + ";Nomor P-IRT;P-IRT berlaku sampai"
    data = "\ufeff" + header + "\r\n" + line + ";2063374010123-25;" + PIRT_EXPIRY + "\r\n"

    plan, job = run_import(tani, data.encode("utf-8"))

    assert counts(plan) == (1, 0, 0, 0) and job.state == JobState.DONE
    assert variants_of(tani.siti) == {"KRP-1": ("Keripik Tempe", "250 g", 15000, 10)}


def test_a_comma_file_in_windows_1252_with_other_header_spellings(tani):
    day, month, year = PIRT_EXPIRY[8:], PIRT_EXPIRY[5:7], PIRT_EXPIRY[:4]
    text = (
        "SKU,nama produk,KATEGORI,harga,stok,Berat gram,Catatan,nomor_pirt,pirt_berlaku_sampai\r\n"
        f'KRP-1,Kue Lapis Legit,Kuliner > Kue & Roti,"15.000",3,500,abaikan,2063374010123-25,'
        f"{day}/{month}/{year}\r\n"
        f"KRP-2,Kue Bolu Pandan Café,kue-roti,20000,4,500,,2063374010123-25,{PIRT_EXPIRY}\r\n"
    )

    plan, _job = run_import(tani, text.encode("cp1252"))

    assert counts(plan) == (2, 0, 0, 0)
    assert variants_of(tani.siti)["KRP-2"] == ("Kue Bolu Pandan Café", "", 20000, 4)


@pytest.mark.parametrize(
    "filename, data",
    [
        ("produk.csv", b""),
        ("produk.csv", b"Nama produk;Harga\nKeripik;15000\n"),  # columns missing
        ("produk.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),  # old Excel
        ("produk.xlsx", b"PK\x03\x04 not really a workbook"),
        ("produk.csv", write_csv([])),  # a header and nothing under it
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(tani, filename, data):
    with pytest.raises(ImportFileError):
        preview_import(tani.siti.user, tani.coop, tani.siti, filename, data)


def test_an_admins_file_without_member_numbers_is_refused_whole(tani):
    rows = [variant_row(1)]
    data = write_csv(rows).replace(b"Nomor anggota", b"Catatan")
    with pytest.raises(ImportFileError, match="Nomor anggota"):
        preview_import(tani.admin.user, tani.coop, None, "produk.csv", data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_indonesian_header_and_an_example_row(fmt):
    [example] = read_rows(f"template.{fmt}", template(fmt))

    assert example.line == 2
    assert example.values["nama_produk"] == "Keripik Tempe Sagu"
    assert example.values["harga"] == "15000"
    assert set(example.values) == {column.key for column in COLUMNS}


# --- exporting ------------------------------------------------------------------------------


def _edited_product(tani) -> Product:
    """One made in the editor, with what a spreadsheet likes to mangle."""
    draft = ProductDraft(
        name="=Keripik \"Pedas\"; Level 5", category_id=15, description="- Pedas\r\n- Gurih",
        pre_order_days=2, length_cm=10, width_cm=5, height_cm=3,
        permits=Permits(bpom_number="MD 123456789012", halal_number="ID3110000123"),
        variants=[VariantDraft(None, "Level 5", 1_250_000, 0, 300, sku="007"),
                  VariantDraft(None, "Level 1", 12_500, 3, 300)],
    )  # fmt: skip
    return save_product(tani.siti.user, tani.siti, None, draft, as_draft=False).product


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_again_is_unchanged_on_every_row(tani, fmt):
    run_import(tani, write_csv(catalog_rows(3)))
    _edited_product(tani)
    run_import(tani, write_csv([variant_row(9, nomor_anggota="x")]), member="budi")
    rows = export_rows(tani.coop, None)
    data = write_xlsx(rows) if fmt == "xlsx" else write_csv(rows)

    assert len(rows) == 9
    plan = preview_import(tani.admin.user, tani.coop, None, f"katalog.{fmt}", data)
    assert counts(plan) == (0, 0, 9, 0), plan.problems
    own = export_rows(tani.coop, tani.siti.id)
    assert len(own) == 8 and {row["nomor_anggota"] for row in own} == {tani.siti.member_number}
    plan = preview_import(tani.siti.user, tani.coop, tani.siti, f"katalog.{fmt}", data)
    assert (plan.unchanged, plan.invalid) == (8, 1)  # budi's row is not siti's to change


def test_the_export_leaves_out_archived_products_and_writes_plain_numbers(tani):
    run_import(tani, write_csv(catalog_rows(2)))
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    products[1].status = ProductStatus.ARCHIVED
    db.session.commit()

    rows = export_rows(tani.coop, None)

    assert [row["sku"] for row in rows] == ["KRP-1-250g", "KRP-1-1kg"]
    assert (rows[0]["harga"], rows[0]["kode_produk"], rows[1]["kode_produk"]) == (
        15000, "KRP-1-250g", "KRP-1-250g")  # fmt: skip
    assert b";15000;" in write_csv(rows)


# --- photos from a ZIP ----------------------------------------------------------------------


def jpeg(width: int, height: int, color: str = "orange") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PHOTOS = {"depan.jpg": jpeg(120, 90), "foto/belakang.JPG": jpeg(90, 120, "brown")}


def photos_of(product_id: int) -> list[tuple[int, int]]:
    db.session.expire_all()
    images = db.session.scalars(
        select(ProductImage).where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position)
    )  # fmt: skip
    return [(image.width, image.height) for image in images]


def test_photos_named_in_the_file_come_from_the_zip_in_order_and_once(tani):
    # A file name matches the ZIP's path or only its last part, in any case.
    rows = [variant_row(1, foto="depan.jpg | belakang.jpg"), variant_row(1, "1 kg")]
    data, archive = write_csv(rows), photo_zip(PHOTOS)

    plan, job = run_import(tani, data, photos_zip=archive)

    assert counts(plan) == (2, 0, 0, 0) and job.state == JobState.DONE
    product = db.session.scalars(select(Product)).one()
    assert photos_of(product.id) == [(120, 90), (90, 120)]
    # Again: the photos it has are not added twice; the preview cannot tell without
    # decoding them, so the product's rows count as updated.
    before = audit_count()
    plan, job = run_import(tani, data, photos_zip=archive)
    assert counts(plan) == (0, 2, 0, 0) and job.state == JobState.DONE
    assert photos_of(product.id) == [(120, 90), (90, 120)]
    assert audit_count() == before + 1  # the import's own, no product or photo change
    # Exported (the Foto column empty) and imported again: nothing changes.
    exported = write_csv(export_rows(tani.coop, tani.siti.id))
    plan, job = run_import(tani, exported)
    assert counts(plan) == (0, 0, 2, 0) and photos_of(product.id) == [(120, 90), (90, 120)]


def test_a_photo_of_an_existing_product_is_added_after_its_own(tani):
    run_import(tani, write_csv([variant_row(1)]))
    product = db.session.scalars(select(Product)).one()
    status = product.status

    plan, job = run_import(tani, write_csv([variant_row(1, foto="depan.jpg")]),
                           photos_zip=photo_zip(PHOTOS))  # fmt: skip

    assert counts(plan) == (0, 1, 0, 0) and job.state == JobState.DONE
    assert photos_of(product.id) == [(120, 90)]
    assert db.session.get(Product, product.id).status == status  # photos alone: no review


def test_a_photo_missing_from_the_zip_is_named_and_nothing_is_written(tani):
    rows = [variant_row(1, foto="depan.jpg|samping.jpg|atas.jpg"), variant_row(2)]
    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows),
                          photos_zip=photo_zip(PHOTOS))  # fmt: skip

    assert counts(plan) == (1, 0, 0, 1)
    assert [problem.line for problem in plan.problems] == [2]
    assert "samping.jpg, atas.jpg" in plan.problems[0].message
    assert "depan.jpg" not in plan.problems[0].message
    with pytest.raises(ImportRefused):
        store_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows), plan)
    assert db.session.scalars(select(Product)).all() == []


def test_photos_named_without_a_zip_or_too_many_are_a_problem(tani):
    rows = [variant_row(1), variant_row(2, foto="a.jpg"),
            variant_row(3, foto="|".join(f"{n}.jpg" for n in range(10)))]  # fmt: skip

    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows))

    assert counts(plan) == (1, 0, 0, 2)
    assert [(problem.line, problem.column) for problem in plan.problems] == [
        (3, "foto"), (4, "foto")]  # fmt: skip
    assert "ZIP" in plan.problems[0].message


def test_rows_of_one_product_agree_on_its_photos(tani):
    rows = [variant_row(1, foto="depan.jpg"), variant_row(1, "1 kg", foto="belakang.jpg")]
    plan = preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", write_csv(rows),
                          photos_zip=photo_zip(PHOTOS))  # fmt: skip
    assert [(problem.line, problem.column) for problem in plan.problems] == [(3, "foto")]


def test_a_zip_that_is_not_one_or_unpacks_too_large_is_refused_whole(tani, monkeypatch):
    data = write_csv([variant_row(1, foto="depan.jpg")])
    with pytest.raises(ImportFileError):
        preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data,
                       photos_zip=b"not a zip")  # fmt: skip
    monkeypatch.setattr(catalog_file, "MAX_ZIP_FILE_BYTES", 1000)
    with pytest.raises(ImportFileError, match="depan.jpg"):
        preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data,
                       photos_zip=photo_zip({"depan.jpg": b"0" * 5000}))  # fmt: skip
    monkeypatch.setattr(catalog_file, "MAX_ZIP_FILES", 1)
    with pytest.raises(ImportFileError):
        preview_import(tani.siti.user, tani.coop, tani.siti, "produk.csv", data,
                       photos_zip=photo_zip(PHOTOS))  # fmt: skip


def test_a_file_in_the_zip_that_is_no_photo_fails_the_task_naming_line_and_file(tani):
    rows = [variant_row(1), variant_row(2, foto="depan.jpg")]
    archive = photo_zip({"depan.jpg": b"not a photo"})

    plan, job = run_import(tani, write_csv(rows), photos_zip=archive)

    assert counts(plan) == (2, 0, 0, 0)  # the preview reads no image
    assert job.state == JobState.FAILED
    assert "3" in job.message and "depan.jpg" in job.message
    assert db.session.scalars(select(Product)).all() == []
