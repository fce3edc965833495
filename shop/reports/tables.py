"""Each report as a Table: translated column headings, rows of plain values, a totals row.

The page, the CSV and the XLSX all render the same Table, so they cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.coops.models import Cooperative
from shop.i18n import current_language
from shop.ledger.models import EntryKind
from shop.money import format_rupiah
from shop.orders.labels import payment_method_label
from shop.reports.period import Period
from shop.reports.queries import (
    CategoryReport,
    FeeReport,
    MemberReport,
    category_report,
    fee_report,
    member_report,
)
from shop.reports.reconciliation import Discrepancy, reconciliation_report
from shop.reports.statement import StatementLine

CellKind = Literal["text", "money", "datetime"]

REPORT_TITLES = {
    "members": _l("Sales per member"),
    "categories": _l("Sales per category"),
    "fees": _l("Fees earned"),
    "reconciliation": _l("Reconciliation with Midtrans"),
}
Cell = str | int | datetime | None


@dataclass(frozen=True)
class Column:
    label: str
    kind: CellKind = "money"
    width: int = 14  # characters, for the spreadsheet


@dataclass(frozen=True)
class Table:
    name: str  # for file names: "members"
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]
    totals: tuple[Cell, ...] | None = None
    summary: str = ""  # one sentence under the title


def members_table(coop: Cooperative, period: Period, report: MemberReport | None = None) -> Table:
    """report: the figures when the caller has them already (the RAT pack checks them)."""
    report = report if report is not None else member_report(coop.id, period)

    def money(row) -> tuple[int, ...]:
        return (
            row.gross,
            row.fees,
            row.refunds,
            row.refunded_fees,
            row.net,
            row.pending,
            row.available,
            row.paid_out,
        )

    return Table(
        name="members",
        title=str(REPORT_TITLES["members"]),
        columns=(
            Column(_("Member number"), "text", 10),
            Column(_("Member"), "text", 28),
            Column(_("Gross sales")),
            Column(_("Fees")),
            Column(_("Refunds")),
            Column(_("Fees returned with refunds")),
            Column(_("Net for the member")),
            Column(_("Pending at period end")),
            Column(_("Available at period end")),
            Column(_("Paid out")),
        ),
        rows=[(row.member_number, row.name, *money(row)) for row in report.rows],
        totals=("", _("Total"), *money(report.totals)),
        summary=_(
            "Net = gross sales - fees - refunds + fees returned with refunds. Members with "
            "no sales, refunds, balance or payout are left out."
        ),
    )


def categories_table(
    coop: Cooperative, period: Period, report: CategoryReport | None = None
) -> Table:
    report = report if report is not None else category_report(coop.id, period, current_language())
    return Table(
        name="categories",
        title=str(REPORT_TITLES["categories"]),
        columns=(
            Column(_("Category"), "text", 28),
            Column(_("Gross sales")),
            Column(_("Fees")),
            Column(_("Refunds")),
        ),
        rows=[
            (row.name or _("Uncategorised"), row.gross, row.fees, row.refunds)
            for row in report.rows
        ],
        totals=(_("Total"), report.totals.gross, report.totals.fees, report.totals.refunds),
    )


def fees_table(coop: Cooperative, period: Period, report: FeeReport | None = None) -> Table:
    report = report if report is not None else fee_report(coop.id, period)
    return Table(
        name="fees",
        title=str(REPORT_TITLES["fees"]),
        columns=(Column(_("Item"), "text", 36), Column(_("Amount"))),
        rows=[
            (_("Fees on sales"), report.fees_on_sales),
            (_("Fees returned with refunds"), -report.fees_returned),
            (_("Shipping"), report.shipping),
            (_("Midtrans fees"), -report.gateway_fees),
        ],
        totals=(_("Net for the cooperative"), report.net),
    )


def reconciliation_table(coop: Cooperative, period: Period) -> Table:
    report = reconciliation_report(coop.id, period)
    return Table(
        name="reconciliation",
        title=str(REPORT_TITLES["reconciliation"]),
        columns=(
            Column(_("Order"), "text", 22),
            Column(_("Paid at"), "datetime", 17),
            Column(_("Payment method"), "text", 18),
            Column(_("Order total")),
            Column(_("Settled according to Midtrans")),
            Column(_("This cooperative's part")),
            Column(_("Cleared in the ledger")),
            Column(_("Midtrans fee")),
            Column(_("Check"), "text", 40),
        ),
        rows=[
            (
                row.order_number,
                row.paid_at,
                payment_method_label(row.payment_method),
                row.order_total,
                row.gateway_amount,
                row.part,
                row.cleared,
                row.gateway_fee,
                " ".join(str(DISCREPANCY_TEXT[found]) for found in row.discrepancies) or _("OK"),
            )
            for row in report.rows
        ],
        totals=(
            _("Total"),
            None,
            "",
            None,
            None,
            report.part,
            report.cleared,
            report.gateway_fee,
            "",
        ),
        summary=_(
            "%(count)d of %(total)d orders need checking.",
            count=report.flagged_count,
            total=len(report.rows),
        ),
    )


DISCREPANCY_TEXT = {
    Discrepancy.NO_NOTIFICATION: _l("No settlement notification from Midtrans on record."),
    Discrepancy.GATEWAY_AMOUNT: _l("Midtrans settled another amount than the order total."),
    Discrepancy.NOT_SETTLED: _l("Paid, but not settled in the ledger."),
    Discrepancy.CLEARED_AMOUNT: _l("The ledger cleared another amount than this part."),
    Discrepancy.NOT_PAID: _l("Settled in the ledger, but the order is not paid."),
    Discrepancy.REFUND_TO_ALLOCATE: _l(
        "Midtrans refunded part of it outside this app: allocate the refund on the order's page."
    ),
}

TABLES: dict[str, Callable[[Cooperative, Period], Table]] = {
    "members": members_table,
    "categories": categories_table,
    "fees": fees_table,
    "reconciliation": reconciliation_table,
}


def period_label(period: Period) -> str:
    return _(
        "%(first)s to %(last)s",
        first=format_date(period.first_day, "long"),
        last=format_date(period.last_day, "long"),
    )


def statement_table(lines: list[StatementLine]) -> Table:
    return Table(
        name="statement",
        title=_("My statement"),
        columns=(
            Column(_("Date"), "datetime", 17),
            Column(_("What"), "text", 40),
            Column(_("Pending: change")),
            Column(_("Pending: balance")),
            Column(_("Available: change")),
            Column(_("Available: balance")),
        ),
        rows=[
            (
                line.created_at,
                line_description(line),
                line.pending_change,
                line.pending_balance,
                line.available_change,
                line.available_balance,
            )
            for line in lines
        ],
    )


# An entry in a member's words; each text may use the order number and the payout's id.
ENTRY_WORDS = {
    EntryKind.SETTLEMENT: _l("Sale, order %(number)s"),
    EntryKind.COMPLETION: _l("Order %(number)s completed: earnings available"),
    EntryKind.REFUND: _l("Refund, order %(number)s"),
    EntryKind.PAYOUT_APPROVED: _l("Payout #%(payout)s approved"),
    EntryKind.PAYOUT_PAID: _l("Payout #%(payout)s transferred"),
    EntryKind.PAYOUT_REJECTED: _l("Payout #%(payout)s rejected: money back"),
    EntryKind.PAYOUT_RETURNED: _l("Payout #%(payout)s returned by the bank: money back"),
    EntryKind.GATEWAY_FEE: _l("Midtrans fee, order %(number)s"),
    EntryKind.SHU_DISTRIBUTION: _l("Your share of the SHU"),
}


def entry_description(kind: EntryKind, order_number: str | None, payout_id: int | None) -> str:
    return str(ENTRY_WORDS[kind]) % {"number": order_number or "", "payout": payout_id or ""}


def line_description(line: StatementLine) -> str:
    """The entry in words, then its products: "Sale, order PK-1: Keripik 200 g ×2, Sambal ×1"."""
    what = entry_description(line.kind, line.order_number, line.payout_id)
    if line.wajib_change:
        what = _(
            "%(what)s, simpanan wajib %(amount)s deducted",
            what=what,
            amount=format_rupiah(line.wajib_change),
        )
    if not line.products:
        return what
    products = ", ".join(f"{name} ×{quantity}" for name, quantity in line.products)
    return _("%(what)s: %(products)s", what=what, products=products)
