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
from sqlalchemy import func, select

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.ledger.models import Payout, RefundMethod
from shop.money import format_bp_as_percent, format_rupiah
from shop.payouts.maker_checker import maker_checker_on
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.rat.check import LedgerCheck, check_against_ledger
from shop.rat.figures import YearFigures, year_figures
from shop.rat.labels import PAID_SHU_TO_LABELS, SHU_PART_LABELS
from shop.rat.models import FULL_BP, SHU_PARTS, PaidShuTo, RatMeeting
from shop.rat.services import financial_year, meeting_of
from shop.reports.period import in_jakarta
from shop.reports.tables import Column, Table, categories_table, fees_table, members_table
from shop.shu.models import ShuDistribution
from shop.shu.services import distribution_of
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
        distribution = distribution_of(coop, year)
        shares = sum(share.total for share in distribution.shares) if distribution else 0
        check = check_against_ledger(coop.id, figures, shares)
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
            shu_part(distribution, meeting),
            shu_shares_part(distribution),
            ods_part(figures, meeting, distribution),
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
    rows += [
        (_("Maker–checker payouts"), maker_checker_sentence(maker_checker_payouts(coop, year))),
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


@dataclass(frozen=True)
class MakerChecker:
    """How the year's payouts were approved, and the setting as it is today."""

    approved: int  # payouts approved during the year
    by_second_admin: int  # of those, approved in a batch by an admin who did not prepare it
    setting_on: bool  # today: payouts need two admins (and the cooperative has two)


def maker_checker_payouts(coop: Cooperative, year: int) -> MakerChecker:
    """Counted from the payouts themselves, not from the setting: the setting may have been
    turned on or off during the year, the approvals say what happened."""
    period = financial_year(year)
    in_year = (
        Payout.cooperative_id == coop.id,
        Payout.approved_at >= period.starts_at,
        Payout.approved_at < period.ends_at,
    )
    approved = db.session.scalar(select(func.count()).where(*in_year))
    by_second_admin = db.session.scalar(
        select(func.count())
        .select_from(Payout)
        .join(PayoutBatch, Payout.batch_id == PayoutBatch.id)
        .where(
            *in_year,
            PayoutBatch.status == BatchStatus.APPROVED,
            PayoutBatch.approved_by_id != PayoutBatch.prepared_by_id,
        )
    )
    return MakerChecker(approved, by_second_admin, maker_checker_on(coop))


def maker_checker_sentence(checker: MakerChecker) -> str:
    setting = _("on") if checker.setting_on else _("off")
    return _(
        "%(second)d of %(approved)d payouts approved in the year were approved by a second "
        "admin in a batch; the two-admin setting is %(setting)s today.",
        second=checker.by_second_admin,
        approved=checker.approved,
        setting=setting,
    )


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


def shu_part(distribution: ShuDistribution | None, meeting: RatMeeting | None) -> Table:
    """The year's SHU as confirmed: the amount, each part's percentage and allocation, jasa
    anggota's two halves and where the members' shares went; or that it is not distributed."""
    if distribution is None:
        return _item_table(
            "shu", _("SHU"), [(_("SHU of the year"), _("not yet distributed"))],
            summary=_("The SHU basis and shares appear here once the year's SHU is "
                      "distributed."),
        )  # fmt: skip
    parts, parts_bp = distribution.parts, distribution.parts_bp
    usaha_bp = distribution.jasa_usaha_bp
    rows = [(str(SHU_PART_LABELS[part]), _percent(parts_bp[part]), parts[part])
            for part in SHU_PARTS]  # fmt: skip
    rows += [
        (_("of jasa anggota: jasa usaha"), _percent(usaha_bp), distribution.jasa_usaha),
        (_("of jasa anggota: jasa modal"), _percent(FULL_BP - usaha_bp), distribution.jasa_modal),
        (_("Paid to the members, to: %(where)s",
           where=PAID_SHU_TO_LABELS[PaidShuTo(distribution.destination.value)]),
         "", distribution.paid_to_members),
    ]  # fmt: skip
    summary = [_("Confirmed on %(date)s by %(who)s.", date=_date(distribution.confirmed_at),
                 who=distribution.confirmed_by.name)]  # fmt: skip
    summary += ratified_differences(distribution, meeting)
    return Table(
        "shu",
        _("SHU"),
        (Column(_("Part"), "text", 36), Column(_("Percentage"), "text", 12),
         Column(_("Amount"))),
        rows,
        totals=(_("SHU of the year"), _percent(FULL_BP), distribution.amount),
        summary=" ".join(summary),
    )  # fmt: skip


def _percent(bp: int) -> str:
    return f"{format_bp_as_percent(bp)} %"


def ratified_differences(distribution: ShuDistribution, meeting: RatMeeting | None) -> list[str]:
    """What the SHU was confirmed with that the RAT recorded otherwise: the percentages, and
    where the members' shares go. Nothing when no RAT is recorded."""
    if meeting is None:
        return []
    said = []
    used, ratified = distribution.parts_bp, meeting.parts_bp
    differing = [
        _("%(part)s %(used)s instead of %(ratified)s", part=SHU_PART_LABELS[part],
          used=_percent(used.get(part, 0)), ratified=_percent(ratified[part]))
        for part in SHU_PARTS if used.get(part, 0) != ratified[part]
    ]  # fmt: skip
    if differing:
        said.append(_("The percentages the SHU was confirmed with differ from those the RAT "
                      "ratified: %(parts)s.", parts=", ".join(differing)))  # fmt: skip
    if meeting.paid_shu_to.value != distribution.destination.value:
        said.append(_("The members' shares went to %(went)s; the RAT decided: %(decided)s.",
                      went=PAID_SHU_TO_LABELS[PaidShuTo(distribution.destination.value)],
                      decided=PAID_SHU_TO_LABELS[meeting.paid_shu_to]))  # fmt: skip
    return said


def shu_shares_part(distribution: ShuDistribution | None) -> Table:
    """Each member's basis and share of the year's SHU, as confirmed."""
    shares = distribution.shares if distribution else []
    purchases = bool(distribution and distribution.counts_purchases)
    rows = [(share.member.member_number, share.member.display_name,
             share.sales + (share.purchases if purchases else 0), share.capital,
             share.usaha_share, share.modal_share, share.total) for share in shares]  # fmt: skip
    return Table(
        "shu_shares",
        _("SHU per member"),
        (Column(_("Member number"), "text", 12), Column(_("Member"), "text", 32),
         Column(_("Jasa usaha basis")), Column(_("Jasa modal basis")),
         Column(_("Jasa usaha share")), Column(_("Jasa modal share")), Column(_("Total"))),
        rows,
        totals=("", _("Total"), *(sum(row[index] for row in rows) for index in range(2, 7)))
        if distribution else None,
        summary=(_("Jasa usaha basis: earnings from sales in the year, net of refunds%(plus)s; "
                   "jasa modal basis: simpanan pokok and wajib at the year end.",
                   plus=_(", plus purchases from the cooperative") if purchases else "")
                 if distribution else _("not yet distributed")),
    )  # fmt: skip


def ods_part(figures: YearFigures, meeting: RatMeeting | None,
             distribution: ShuDistribution | None) -> Table:  # fmt: skip
    """What the Kemenkop's annual data collection (ODS) asks of the year."""
    return _item_table(
        "ods",
        _("Kemenkop ODS figures"),
        [
            (_("Members at year end"), str(figures.active_members)),
            (_("Volume of business"), format_rupiah(figures.sales.totals.gross)),
            (
                _("SHU"),
                format_rupiah(distribution.amount) if distribution else _("not yet distributed"),
            ),  # fmt: skip
            (_("RAT date"), _date(meeting.held_on) if meeting else str(NOT_RECORDED)),
        ],
    )
