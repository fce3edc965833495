"""The RAT pack as one workbook: a sheet per part, as the reports' XLSX writes a table, with
the part's note (if any) two rows under it."""

from shop.rat.pack import RatPack
from shop.reports.exports import workbook_bytes, write_sheet


def pack_xlsx(pack: RatPack) -> bytes:
    from openpyxl import Workbook  # on first use: see tests/test_worker_imports.py

    workbook = Workbook()
    workbook.remove(workbook.active)
    for part in pack.parts:
        sheet = workbook.create_sheet()
        write_sheet(sheet, part)
        if part.summary:
            sheet.append([])
            sheet.append([part.summary])
            sheet.cell(sheet.max_row, 1).data_type = "s"
    return workbook_bytes(workbook)


def file_name(pack: RatPack) -> str:
    """ "koperasi-tani-rat-2026.xlsx": ASCII only (slugs are)."""
    return f"{pack.coop.slug}-rat-{pack.year}.xlsx"
