"""The catalog file: one row per variant, the same columns for the template, the export and
the import, so a file exported, edited in Excel and imported again round-trips.

Rows with the same `kode_produk` are one product (an export writes the first variant's SKU
there); the product's own columns repeat on each of its rows. Headers are Indonesian
whatever the site's language: the file is a format, not a page. CSV is written as Excel set
to Indonesian writes and opens it directly: UTF-8 with a BOM, ';' between cells. It is read
as Excel writes it: UTF-8 with or without a BOM or Windows-1252 ("CSV (Comma delimited)" on
an Indonesian Windows), ';' or ','. Photos travel beside the file, in a ZIP whose file names
the `foto` column lists; an export leaves that column empty, which changes no photo.
"""

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.catalog.models import PRODUCT_STATUS_LABELS, Product, ProductStatus
from shop.coops.models import Cooperative, Membership
from shop.errors import ShopError
from shop.extensions import db
from shop.money import parse_rupiah
from shop.products.queries import leaf_categories
from shop.reports.exports import FORMULA_STARTS, THOUSANDS


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 14  # characters, in the XLSX


COLUMNS = (
    Column("kode_produk", "Kode produk"),
    Column("nomor_anggota", "Nomor anggota"),
    Column("nama_produk", "Nama produk", 32),
    Column("kategori", "Kategori", 30),
    Column("deskripsi", "Deskripsi", 40),
    Column("pilihan", "Pilihan"),
    Column("harga", "Harga (Rp)"),
    Column("stok", "Stok", 8),
    Column("berat_gram", "Berat (gram)"),
    Column("sku", "SKU"),
    Column("pre_order_hari", "Pre-order (hari)"),
    Column("panjang_cm", "Panjang (cm)"),
    Column("lebar_cm", "Lebar (cm)"),
    Column("tinggi_cm", "Tinggi (cm)"),
    Column("nomor_pirt", "Nomor P-IRT", 20),
    Column("pirt_berlaku_sampai", "P-IRT berlaku sampai", 20),
    Column("nomor_halal", "Nomor halal", 20),
    Column("nomor_bpom", "Nomor BPOM", 20),
    Column("alasan_tanpa_izin", "Alasan tanpa izin", 30),
    Column("status", "Status"),
    Column("foto", "Foto (nama file dalam ZIP, pisahkan dengan |)", 30),
)
HEADERS = {column.key: column.header for column in COLUMNS}
REQUIRED = ("nama_produk", "kategori", "harga", "stok", "berat_gram", "sku")
# Shared by every row of a product; a file may leave them empty after its first row.
PRODUCT_KEYS = ("nomor_anggota", "nama_produk", "kategori", "deskripsi", "pre_order_hari",
                "panjang_cm", "lebar_cm", "tinggi_cm", "nomor_pirt", "pirt_berlaku_sampai",
                "nomor_halal", "nomor_bpom", "alasan_tanpa_izin", "foto")  # fmt: skip
WHOLE_NUMBERS = ("stok", "berat_gram", "pre_order_hari", "panjang_cm", "lebar_cm", "tinggi_cm")
# Numbers that are text: Excel shows a long one as 2,06337E+14 and saves it so in a CSV.
CODES = ("kode_produk", "nomor_anggota", "sku", "nomor_pirt", "nomor_halal", "nomor_bpom")
MAX_ROWS = 10_000
# A photo ZIP is unpacked only as far as these allow: a small ZIP can hold gigabytes.
MEGABYTE = 1024 * 1024
MAX_ZIP_FILES = 500
MAX_ZIP_FILE_BYTES = 15 * MEGABYTE  # images.MAX_PHOTO_BYTES
MAX_ZIP_BYTES = 200 * MEGABYTE
PATH_SEPARATOR = " › "

_WHOLE = re.compile(r"(?P<digits>\d{1,3}(?:\.\d{3})+|\d+)(?:[.,]0+)?")
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?E\+?\d+", re.IGNORECASE)
# What openpyxl raises for a file that is not a workbook, or a broken one (with its own
# InvalidFileException, added where openpyxl is imported: see _unreadable_xlsx).
UNREADABLE_XLSX = (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, IndexError)
_DAY_FIRST = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")


class ImportFileError(ShopError):
    """The file as a whole cannot be read: nothing in it is looked at further."""


class InvalidCell(ShopError):
    pass


@dataclass(frozen=True)
class FileRow:
    line: int  # as Excel numbers it: the header is line 1
    values: dict[str, str]  # column key -> cell text, stripped; only the file's own columns


def read_rows(filename: str, data: bytes) -> list[FileRow]:
    """The rows of an uploaded CSV or XLSX that have anything in them. Raises ImportFileError
    for a file that is not one of those, has no rows, too many, or misses a column."""
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_table(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith((".xls", ".xlsx")):
        raise ImportFileError(_("Save the file from Excel as .xlsx or as CSV, then upload it."))
    else:
        table = _csv_table(data)
    header = next(table, None)
    if header is None:
        raise ImportFileError(_("The file is empty: download the template and fill it in."))
    keys = _column_keys(header)
    missing = [HEADERS[key] for key in REQUIRED if key not in keys.values()]
    if missing:
        raise ImportFileError(
            _("Columns missing: %(columns)s. The template has every column.",
              columns=", ".join(missing))
        )  # fmt: skip
    rows = []
    for line, cells in enumerate(table, start=2):
        values = {key: _text(cells[index]) if index < len(cells) else ""
                  for index, key in keys.items()}  # fmt: skip
        if any(values.values()):
            rows.append(FileRow(line, values))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("A file holds at most %(max)d rows: split it into several.", max=MAX_ROWS)
            )
    if not rows:
        raise ImportFileError(_("The file has no product rows below its header."))
    return rows


def _csv_table(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        # Read whole here: a malformed file fails now, as an ImportFileError.
        return iter(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as error:
        message = _("The CSV file cannot be read: %(error)s", error=str(error))
        raise ImportFileError(message) from error


def _xlsx_table(data: bytes):
    # openpyxl is imported where a file is read or written: a web worker that never does
    # does not load it (~8 MB).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable_xlsx = (*UNREADABLE_XLSX, InvalidFileException)
    unreadable = _("Save the file from Excel as .xlsx or as CSV, then upload it.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable_xlsx as error:
        raise ImportFileError(unreadable) from error
    try:
        # Read as it goes (a sheet can be large); a broken sheet fails as a broken file.
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except unreadable_xlsx as error:
        raise ImportFileError(unreadable) from error
    finally:
        workbook.close()


def _column_keys(header: list) -> dict[int, str]:
    """Cell index -> column key, for the cells that name a column ("Harga (Rp)", "harga")."""
    names = {}
    for column in COLUMNS:
        names[_squashed(column.key)] = names[_squashed(column.header)] = column.key
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = names.get(_squashed(_text(cell)))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell).strip()
    # What write_csv protects from running as a formula comes back as it was.
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def cell_value(key: str, text: str) -> int | date | str | None:
    """A cell as the editor takes it: Rupiah and whole numbers as int ("Rp 15.000" -> 15000,
    empty -> None), the P-IRT's expiry as a date, the rest as text. Raises InvalidCell."""
    if key in CODES and _SCIENTIFIC.fullmatch(text):
        raise InvalidCell(
            _("Excel turned this number into %(value)s: format the column as Text, or use "
              "the XLSX file.", value=text)
        )  # fmt: skip
    if key == "harga":
        amount = parse_rupiah(text) if text else None
        if text and amount is None:
            raise InvalidCell(_("Enter a whole number, such as 15000."))
        return amount
    if key in WHOLE_NUMBERS:
        match = _WHOLE.fullmatch(text)
        if text and match is None:
            raise InvalidCell(_("Enter a whole number, such as 15000."))
        return int(match["digits"].replace(".", "")) if text else None
    if key == "pirt_berlaku_sampai":
        return _day(text) if text else None
    if key == "foto":
        return "|".join(photo_names(text))  # "a.jpg | b.jpg" is "a.jpg|b.jpg"
    return text


def photo_names(text: str) -> list[str]:
    """The file names a `foto` cell lists, in its order, each once."""
    return list(dict.fromkeys(name.strip() for name in text.split("|") if name.strip()))


def _day(text: str) -> date:
    try:
        if match := _DAY_FIRST.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidCell(_("Enter the date as YYYY-MM-DD or DD/MM/YYYY.")) from error


class PhotoArchive:
    """An uploaded ZIP of photos, its files found by the names a `foto` cell gives: the path
    in the ZIP or only the file's name, in any case. Its directory is read at once, the
    photos only when asked for; raises ImportFileError for a ZIP that cannot be read or
    would unpack to too much."""

    def __init__(self, data: bytes):
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
            raise ImportFileError(_("The photo file is not a ZIP: make one of the photos and "
                                    "upload it.")) from error  # fmt: skip
        files = [info for info in infos if not info.is_dir()]
        if len(infos) > MAX_ZIP_FILES:
            raise ImportFileError(
                _("A photo ZIP holds at most %(max)d files: split the import.", max=MAX_ZIP_FILES)
            )
        for info in files:
            if info.file_size > MAX_ZIP_FILE_BYTES:
                raise ImportFileError(
                    _("%(file)s in the ZIP is larger than %(max)d MB.", file=info.filename,
                      max=MAX_ZIP_FILE_BYTES // MEGABYTE)
                )  # fmt: skip
        if sum(info.file_size for info in files) > MAX_ZIP_BYTES:
            raise ImportFileError(
                _("The photo ZIP unpacks to more than %(max)d MB: split the import.",
                  max=MAX_ZIP_BYTES // MEGABYTE)
            )  # fmt: skip
        self._files: dict[str, zipfile.ZipInfo] = {}
        for info in files:
            base = info.filename.rsplit("/", 1)[-1]
            if info.filename.startswith("__MACOSX/") or base.startswith("._"):
                continue  # what macOS adds beside each file
            self._files.setdefault(info.filename.casefold(), info)
            self._files.setdefault(base.casefold(), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self._files.get(name.replace("\\", "/").casefold())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The file's bytes, never more than MAX_ZIP_FILE_BYTES whatever its header says.
        Raises ImportFileError."""
        try:
            with self._zip.open(info) as member:
                data = member.read(MAX_ZIP_FILE_BYTES + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
                zlib.error) as error:  # fmt: skip
            raise ImportFileError(_("The file cannot be read from the ZIP.")) from error
        if len(data) > MAX_ZIP_FILE_BYTES:
            raise ImportFileError(
                _("The file is larger than %(max)d MB.", max=MAX_ZIP_FILE_BYTES // MEGABYTE)
            )
        return data


def write_csv(rows: list[dict]) -> bytes:
    """The rows (column key -> value) under the header, for Excel set to Indonesian."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column.key)) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook  # see _xlsx_table
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Produk"
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: an SKU "007", a name starting with "="
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(column.width, len(column.header) + 2)
        sheet[f"{letter}1"].font = Font(bold=True)
        if column.key == "harga":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = THOUSANDS
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(fmt: str) -> bytes:
    """The header and one example row, as "csv" or "xlsx"."""
    example = {
        "kode_produk": "KRP-01",
        "nomor_anggota": "",  # an admin's file names the member; left empty, it says so
        "nama_produk": "Keripik Tempe Sagu",
        "kategori": f"Kuliner{PATH_SEPARATOR}Camilan & Keripik",
        "deskripsi": "Renyah, tanpa pengawet.",
        "pilihan": "250 g",
        "harga": 15000,
        "stok": 10,
        "berat_gram": 250,
        "sku": "KRP-01",
        "pre_order_hari": 0,
        "nomor_pirt": "2063374010123-25",
        "pirt_berlaku_sampai": "2028-01-31",
    }
    return write_xlsx([example]) if fmt == "xlsx" else write_csv([example])


def export_rows(coop: Cooperative, member_id: int | None) -> list[dict]:
    """One row per live variant of every product of the cooperative (or of one member) that
    is not archived, in the file's columns: what write_csv and write_xlsx take."""
    query = (
        select(Product)
        .where(Product.cooperative_id == coop.id, Product.status != ProductStatus.ARCHIVED)
        .options(selectinload(Product.variants),
                 selectinload(Product.member).load_only(Membership.member_number))
        .order_by(Product.member_id, Product.id)
    )  # fmt: skip
    if member_id is not None:
        query = query.where(Product.member_id == member_id)
    paths = {category_id: path for category_id, path, _path_en in leaf_categories()}
    rows = []
    for product in db.session.scalars(query):
        if not product.variants:
            continue
        shared = {
            "kode_produk": product.variants[0].sku,
            "nomor_anggota": product.member.member_number,
            "nama_produk": product.name,
            "kategori": paths.get(product.category_id, ""),
            "deskripsi": product.description,
            "pre_order_hari": product.pre_order_days,
            "panjang_cm": product.length_cm,
            "lebar_cm": product.width_cm,
            "tinggi_cm": product.height_cm,
            "nomor_pirt": product.pirt_number,
            "pirt_berlaku_sampai": product.pirt_expires_on.isoformat()
            if product.pirt_expires_on
            else "",
            "nomor_halal": product.halal_number,
            "nomor_bpom": product.bpom_number,
            "alasan_tanpa_izin": product.permit_exemption,
            "status": str(PRODUCT_STATUS_LABELS[product.status]),
        }
        for variant in product.variants:
            rows.append(
                shared | {"pilihan": variant.option_label, "harga": variant.price,
                          "stok": variant.stock, "berat_gram": variant.weight_grams,
                          "sku": variant.sku}
            )  # fmt: skip
    return rows
