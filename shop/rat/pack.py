"""The RAT pack: the year's books as parts (one sheet each in the XLSX, one section each on
the printable page), in the cooperative's language for its RAT, Indonesian.

Every part is a reports Table (shop/reports/tables.py), so the page and the workbook render
the same rows. The first part says what the pack is and whether its totals equal the ledger,
which check_against_ledger() decides; nothing here asserts it.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.coops.models import Cooperative
from shop.ledger.models import RefundMethod
from shop.money import format_bp_as_percent, format_rupiah
from shop.rat.check import LedgerCheck, check_against_ledger
from shop.rat.figures import YearFigures, year_figures
from shop.rat.labels import PAID_SHU_TO_LABELS, SHU_PART_LABELS
from shop.rat.models import RatMeeting
from shop.rat.services import financial_year, meeting_of
from shop.reports.period import in_jakarta
from shop.reports.tables import Column, Table, categories_table, fees_table, members_table
from shop.timeutil import utcnow


@dataclass(frozen=True)
class RatPack:
    coop: Cooperative
    year: int
    parts: list[Table]
    check: LedgerCheck
    made_at: datetime
    language: str  # what its words are in


def build_pack(coop: Cooperative, year: int) -> RatPack:
    """The pack for financial year `year` (1 January to 31 December, Jakarta time), in the
    platform's default language (Indonesian) whatever the reader's."""
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    period = financial_year(year)
    with force_locale(language):
        figures = year_figures(coop, period, language)
        check = check_against_ledger(coop.id, figures)
        meeting = meeting_of(coop, year)
        parts = [
            summary_part(coop, year, meeting, check),
            members_part(figures),
            # The reports' own tables, of the very figures the check compared with the ledger.
            _titled(members_table(coop, period, figures.sales), "sales",
                    _("Volume of business per member")),
            _titled(categories_table(coop, period, figures.categories), "categories",
                    _("Volume of business per category")),
            _titled(fees_table(coop, period, figures.fees), "income",
                    _("Fees, shipping and Midtrans fees")),
            refunds_part(figures),
            payouts_part(figures),
            balances_part(figures),
            savings_part(figures),
            shu_part(coop, year),
            ods_part(figures, meeting),
        ]  # fmt: skip
    return RatPack(coop, year, parts, check, utcnow(), language)


def _titled(table: Table, name: str, title: str) -> Table:
    return Table(name, title, table.columns, table.rows, table.totals, table.summary)


def _item_table(name: str, title: str, rows: list[tuple], summary: str = "") -> Table:
    return Table(name, title, (Column(_("Item"), "text", 44), Column(_("Value"), "text", 40)),
                 rows, summary=summary)  # fmt: skip


def _date(moment) -> str:
    return format_date(in_jakarta(moment).date() if isinstance(moment, datetime) else moment,
                       "long")  # fmt: skip


NOT_RECORDED = _l("not recorded")


def summary_part(coop: Cooperative, year: int, meeting: RatMeeting | None,
                 check: LedgerCheck) -> Table:  # fmt: skip
    period = financial_year(year)
    rows = [
        (_("Cooperative"), coop.name),
        (_("Financial year"), _("%(first)s to %(last)s (Jakarta time)",
                                first=_date(period.first_day), last=_date(period.last_day))),
        (_("Made on"), _date(utcnow())),
        (_("RAT held on"), _date(meeting.held_on) if meeting else str(NOT_RECORDED)),
    ]  # fmt: skip
    if meeting:
        rows += [
            (_("Members present"), _("%(present)d of %(total)d", present=meeting.members_present,
                                     total=meeting.members_total)),
            (_("SHU decision"), meeting.shu_decision or "–"),
            (_("Paid SHU goes to"), str(PAID_SHU_TO_LABELS[meeting.paid_shu_to])),
            *((str(SHU_PART_LABELS[part]), f"{format_bp_as_percent(bp)} %")
              for part, bp in meeting.parts_bp.items()),
            (_("Notes"), meeting.notes or "–"),
        ]  # fmt: skip
    checker = maker_checker_payouts(coop, year)
    rows += [
        (_("Maker–checker payouts"), str(NOT_RECORDED) if checker is None else (
            _("on") if checker else _("off"))),
        (_("Totals and the ledger"), ledger_sentence(check)),
    ]  # fmt: skip
    rows += [
        (_("Differs from the ledger: %(what)s", what=comparison.what),
         _("pack %(pack)s, ledger %(ledger)s", pack=format_rupiah(comparison.in_pack),
           ledger=format_rupiah(comparison.in_ledger)))
        for comparison in check.differences
    ]  # fmt: skip
    return _item_table("summary", _("Summary"), rows)


def ledger_sentence(check: LedgerCheck) -> str:
    if check.matches:
        return _("Every total in this pack equals the ledger, to the Rupiah (%(count)d totals "
                 "checked).", count=len(check.comparisons))  # fmt: skip
    return _("%(count)d totals in this pack differ from the ledger: see below.",
             count=len(check.differences))  # fmt: skip


def maker_checker_payouts(coop: Cooperative, year: int) -> bool | None:
    """Whether payouts needed a second admin's approval during the year: None, not recorded,
    until the maker–checker setting exists (another change adds it; connect it here)."""
    return None


def members_part(figures: YearFigures) -> Table:
    active = figures.active_members
    return Table(
        "members",
        _("Members"),
        (Column(_("Member number"), "text", 12), Column(_("Member"), "text", 32),
         Column(_("Joined"), "text", 20), Column(_("Active at year end"), "text", 18)),
        [(member.member_number, member.name, _date(member.joined_at),
          _("yes") if member.is_active else _("no")) for member in figures.members],
        totals=("", _("Active members at year end"), "", str(active)),
        summary=_("Active members at year end: %(count)d. Men and women: %(gender)s.",
                  count=active, gender=NOT_RECORDED),
    )  # fmt: skip


REFUND_METHOD_LABELS = {
    RefundMethod.GATEWAY: _l("Through Midtrans"),
    RefundMethod.BANK_TRANSFER: _l("Bank transfer"),
    RefundMethod.GATEWAY_DIRECT: _l("At Midtrans, allocated here"),
}


def refunds_part(figures: YearFigures) -> Table:
    return Table(
        "refunds",
        _("Refunds"),
        (Column(_("Date"), "datetime", 17), Column(_("Order"), "text", 24),
         Column(_("How"), "text", 28), Column(_("Amount"))),
        [(row.created_at, row.order_number,
          str(REFUND_METHOD_LABELS.get(row.method, row.method)), row.amount)
         for row in figures.refunds],
        totals=(None, _("Total"), "", sum(row.amount for row in figures.refunds)),
    )  # fmt: skip


def payouts_part(figures: YearFigures) -> Table:
    return Table(
        "payouts",
        _("Payouts"),
        (Column(_("Transferred"), "datetime", 17), Column(_("Member number"), "text", 12),
         Column(_("Member"), "text", 32), Column(_("Transfer reference"), "text", 24),
         Column(_("Amount"))),
        [(row.paid_at, row.member_number, row.name, row.reference, row.amount)
         for row in figures.payouts],
        totals=(None, "", _("Total"), "", sum(row.amount for row in figures.payouts)),
    )  # fmt: skip


def balances_part(figures: YearFigures) -> Table:
    rows = [(row.member_number, row.name, row.pending, row.available, row.pending + row.available)
            for row in figures.sales.rows if row.pending or row.available]  # fmt: skip
    totals = figures.sales.totals
    if figures.in_transit:
        rows.append(("", _("Payouts approved, not yet transferred"), None, None,
                     figures.in_transit))  # fmt: skip
    return Table(
        "balances",
        _("Balances owed to members at year end"),
        (Column(_("Member number"), "text", 12), Column(_("Member"), "text", 32),
         Column(_("Pending")), Column(_("Available")), Column(_("Owed"))),
        rows,
        totals=("", _("Total"), totals.pending, totals.available,
                totals.pending + totals.available + figures.in_transit),
    )  # fmt: skip


def savings_part(figures: YearFigures) -> Table:
    totals = figures.savings_totals
    return Table(
        "savings",
        _("Simpanan at year end"),
        (Column(_("Member number"), "text", 12), Column(_("Member"), "text", 32),
         Column(_("Pokok")), Column(_("Wajib")), Column(_("Sukarela")), Column(_("Total"))),
        [(row.member_number, row.name, row.pokok, row.wajib, row.sukarela, row.total)
         for row in figures.savings],
        totals=("", _("Total"), totals.pokok, totals.wajib, totals.sukarela, totals.total),
    )  # fmt: skip


def shu_part(coop: Cooperative, year: int) -> Table:
    """The SHU basis and each member's share for the year. Not connected yet: the SHU
    distribution (shop/shu/) is being built beside this; until then the part says the SHU
    has not been distributed."""
    return _item_table(
        "shu", _("SHU"), [(_("SHU of the year"), _("not yet distributed"))],
        summary=_("The SHU basis and shares appear here once the year's SHU is distributed."),
    )  # fmt: skip


def ods_part(figures: YearFigures, meeting: RatMeeting | None) -> Table:
    """What the Kemenkop's annual data collection (ODS) asks of the year."""
    return _item_table(
        "ods",
        _("Kemenkop ODS figures"),
        [
            (_("Members at year end"), str(figures.active_members)),
            (_("Volume of business"), format_rupiah(figures.sales.totals.gross)),
            (_("SHU"), _("not yet distributed")),
            (_("RAT date"), _date(meeting.held_on) if meeting else str(NOT_RECORDED)),
        ],
    )
