"""A Table as CSV (UTF-8 with a BOM, so Excel reads the accents) or as XLSX (openpyxl).

Money is written as plain whole Rupiah, so the file adds up in any spreadsheet. Text that a
spreadsheet would run as a formula (a member may name their business "=HYPERLINK(...)") is
written as text.
"""

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Response

from shop.reports.period import in_jakarta
from shop.reports.tables import Cell, Table
from shop.security import private_page

if TYPE_CHECKING:
    from openpyxl import Workbook

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
THOUSANDS = "#,##0"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 40  # characters; longer headings wrap
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_safe_text(column.label) for column in table.columns])
    for row in _all_rows(table):
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(cell: Cell) -> str | int:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return in_jakarta(cell).strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, int):
        return cell
    return _safe_text(cell)


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_xlsx(table: Table) -> bytes:
    # Imported here: a web worker that never exports does not load openpyxl (~8 MB).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    write_sheet(workbook.active, table)
    return workbook_bytes(workbook)


def write_sheet(sheet, table: Table) -> None:
    """The table on an openpyxl worksheet: titled, headings bold, totals last and bold."""
    sheet.title = table.title.translate(SHEET_TITLE_FORBIDDEN)[:31]
    sheet.append([column.label for column in table.columns])
    for row in _all_rows(table):
        sheet.append([_xlsx_value(cell) for cell in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even if it starts with "="
            elif isinstance(cell.value, int):
                cell.number_format = THOUSANDS
            elif isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    if table.totals is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    for index, column in enumerate(table.columns, start=1):
        fitting = min(max(column.width, len(column.label) + 2), MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = fitting
    sheet.freeze_panes = "A2"


def workbook_bytes(workbook: "Workbook") -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(cell: Cell):
    if isinstance(cell, datetime):
        # Spreadsheets have no time zones: the wall-clock time in Jakarta.
        return in_jakarta(cell).replace(tzinfo=None)
    return cell


def _all_rows(table: Table) -> list[tuple[Cell, ...]]:
    return table.rows + ([table.totals] if table.totals is not None else [])


def file_name(coop_slug: str, table: Table, period_slug: str, extension: str) -> str:
    """ "koperasi-tani-members-2026-11-01_2026-11-30.csv": ASCII only (slugs are), so the
    Content-Disposition header needs no encoding."""
    parts = [coop_slug, table.name] + ([period_slug] if period_slug else [])
    return "-".join(parts) + "." + extension


def download(table: Table, export: str, coop_slug: str, period_slug: str) -> Response:
    """The table as an attachment: export is "csv" or "xlsx" (see EXPORTS)."""
    render, mimetype = EXPORTS[export]
    response = Response(render(table), mimetype=mimetype)
    name = file_name(coop_slug, table, period_slug, export)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private_page(response)


EXPORTS = {"csv": (to_csv, CSV_MIMETYPE), "xlsx": (to_xlsx, XLSX_MIMETYPE)}
