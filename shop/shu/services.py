"""The year's SHU: the statutes' percentages, a preview of the split, and its confirmation,
which posts one journal entry per cooperative and year.

The API other features use (the RAT pack reads confirmed years):
  shu_basis(coop, year)                    each member's sales, purchases and capital
  preview_shu(coop, year, amount)          the split, computed, nothing written
  confirm_shu(coop, year, amount, ...)     the split posted and recorded, once
  distribution_of(coop, year)              the confirmed ShuDistribution (shares in .shares)
"""

import hashlib
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.locks import lock_cooperative
from shop.coops.models import Cooperative, Membership
from shop.errors import ShopError
from shop.extensions import db
from shop.ledger.journal import add_entry, credit, debit
from shop.ledger.models import Account, EntryKind
from shop.money import MAX_TYPED_AMOUNT, format_bp_as_percent
from shop.notifications import events
from shop.reports.period import today_in_jakarta
from shop.shu.basis import MemberBasis, shu_basis
from shop.shu.calculator import FULL_BP, ShuSplit, split_shu
from shop.shu.models import PARTS, ShuDestination, ShuDistribution, ShuSettings, ShuShare

__all__ = ["confirm_shu", "distribution_of", "preview_shu", "shu_basis"]

FIRST_YEAR = 2000  # before any cooperative kept its books here


class ShuError(ShopError):
    pass


class ShuAlreadyConfirmed(ShuError):
    """The year's SHU was posted already: nothing was done again."""


@dataclass(frozen=True)
class ShuPercentages:
    """The statutes' percentages as an admin typed them, in basis points."""

    parts_bp: dict[str, int]
    jasa_usaha_bp: int
    counts_purchases: bool


def settings_of(coop: Cooperative) -> ShuSettings | None:
    """The cooperative's SHU percentages; None until an admin set them."""
    return db.session.get(ShuSettings, coop.id)


def save_settings(coop: Cooperative, percentages: ShuPercentages, actor: User) -> ShuSettings:
    """Set the statutes' percentages. Raises ShuError when the parts do not sum to 100 % or
    a figure is outside 0-100 %."""
    parts = percentages.parts_bp
    if set(parts) != set(PARTS) or any(not 0 <= bp <= FULL_BP for bp in parts.values()):
        raise ShuError(_("Each part must be between 0 and 100 %."))
    if sum(parts.values()) != FULL_BP:
        raise ShuError(
            _("The parts add up to %(total)s %%; they must add up to 100 %%.",
              total=format_bp_as_percent(sum(parts.values()))),
            field="reserve",
        )  # fmt: skip
    if not 0 <= percentages.jasa_usaha_bp <= FULL_BP:
        raise ShuError(_("Jasa usaha must be between 0 and 100 %."), field="jasa_usaha")
    lock_cooperative(coop.id)
    settings = settings_of(coop) or ShuSettings(cooperative_id=coop.id)
    before = _settings_dict(settings) if settings.reserve_bp is not None else None
    for part, bp in parts.items():
        setattr(settings, f"{part}_bp", bp)
    settings.jasa_usaha_bp = percentages.jasa_usaha_bp
    settings.counts_purchases = percentages.counts_purchases
    settings.updated_by_id = actor.id
    db.session.add(settings)
    db.session.flush()
    record_audit(actor, coop, "shu.settings", coop,
                 {"before": before, "after": _settings_dict(settings)})  # fmt: skip
    db.session.commit()
    return settings


def _settings_dict(settings: ShuSettings) -> dict:
    return settings.parts_bp | {
        "jasa_usaha": settings.jasa_usaha_bp, "counts_purchases": settings.counts_purchases,
    }  # fmt: skip


@dataclass(frozen=True)
class ShareRow:
    basis: MemberBasis
    usaha_weight: int
    usaha_share: int
    modal_share: int

    @property
    def member(self) -> Membership:
        return self.basis.member

    @property
    def sales(self) -> int:
        return self.basis.sales

    @property
    def purchases(self) -> int:
        return self.basis.purchases

    @property
    def capital(self) -> int:
        return self.basis.capital

    @property
    def total(self) -> int:
        return self.usaha_share + self.modal_share


@dataclass(frozen=True)
class ShuPreview:
    year: int
    amount: int
    settings: ShuSettings
    split: ShuSplit
    rows: list[ShareRow]
    problems: list[str]  # why it cannot be confirmed (yet); [] when it can
    token: str  # names these inputs: a confirmation of other inputs is refused

    @property
    def total_sales(self) -> int:
        return sum(row.basis.sales for row in self.rows)

    @property
    def total_purchases(self) -> int:
        return sum(row.basis.purchases for row in self.rows)

    @property
    def total_usaha_weight(self) -> int:
        return sum(row.usaha_weight for row in self.rows)

    @property
    def total_capital(self) -> int:
        return sum(row.basis.capital for row in self.rows)

    @property
    def paid_to_members(self) -> int:
        return sum(row.total for row in self.rows)


def check_year(year: int) -> None:
    """Raises ShuError for a year before FIRST_YEAR or after this one."""
    this_year = today_in_jakarta().year
    if not FIRST_YEAR <= year <= this_year:
        raise ShuError(_("Choose a year from %(first)s to %(last)s.",
                         first=FIRST_YEAR, last=this_year), field="year")  # fmt: skip


def preview_shu(coop: Cooperative, year: int, amount: int) -> ShuPreview:
    """The year's SHU `amount` split by the cooperative's percentages over its members'
    basis, in whole Rupiah by the largest remainder. Writes nothing. Raises ShuError for a
    year out of range, an amount not above 0, or percentages not set yet."""
    check_year(year)
    if not 0 < amount <= MAX_TYPED_AMOUNT:
        raise ShuError(_("Enter the SHU to share: an amount above Rp 0."), field="amount")
    settings = settings_of(coop)
    if settings is None:
        raise ShuError(_("Set your cooperative's SHU percentages first."))
    basis = shu_basis(coop, year)
    usaha = {row.member.id: row.usaha(settings.counts_purchases) for row in basis}
    capital = {row.member.id: row.capital for row in basis}
    split = split_shu(amount, settings.parts_bp, settings.jasa_usaha_bp, usaha, capital)
    rows = [
        ShareRow(row, usaha[row.member.id], split.usaha_shares[row.member.id],
                 split.modal_shares[row.member.id])
        for row in basis
    ]  # fmt: skip
    return ShuPreview(
        year=year,
        amount=amount,
        settings=settings,
        split=split,
        rows=rows,
        problems=_problems(year, split, usaha, capital),
        token=_token(coop, year, amount, settings, usaha, capital),
    )


def _problems(year: int, split: ShuSplit, usaha: dict, capital: dict) -> list[str]:
    problems = []
    if year >= today_in_jakarta().year:
        problems.append(_("The year %(year)s is not over: its SHU can be shared from 1 January "
                          "%(next)s.", year=year, next=year + 1))  # fmt: skip
    if not split.jasa_usaha + split.jasa_modal:
        # Nothing for the members: there would be no journal entry to post.
        problems.append(_("The members' part (jasa anggota) of this SHU is Rp 0, so there is "
                          "nothing to share with them."))  # fmt: skip
    if split.jasa_usaha and not sum(usaha.values()):
        problems.append(_("No member has jasa usaha in %(year)s, so its part cannot be shared: "
                          "set jasa usaha to 0 %% in the SHU settings.", year=year))  # fmt: skip
    if split.jasa_modal and not sum(capital.values()):
        problems.append(_("No member had simpanan pokok or wajib at the end of %(year)s, so "
                          "jasa modal cannot be shared: set jasa usaha to 100 %% in the SHU "
                          "settings.", year=year))  # fmt: skip
    return problems


def _token(coop, year, amount, settings: ShuSettings, usaha: dict, capital: dict) -> str:
    inputs = [coop.id, year, amount, _settings_dict(settings), sorted(usaha.items()),
              sorted(capital.items())]  # fmt: skip
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


def entry_key(cooperative_id: int, year: int) -> str:
    """The idempotency key of the journal entry that posts a cooperative's SHU of `year`."""
    return f"shu:{cooperative_id}:{year}"


def confirm_shu(
    coop: Cooperative,
    year: int,
    amount: int,
    destination: ShuDestination,
    token: str,
    actor: User,
) -> ShuDistribution:
    """Post the year's SHU as previewed (`token` names the preview the admin saw): debit
    the cooperative's SHU shared account, credit each member's share to `destination`, in one
    journal entry keyed "shu:<coop>:<year>"; record the distribution with every member's
    basis and share, audit it and tell the members.

    Raises ShuAlreadyConfirmed when the year was confirmed already (also by a concurrent
    request): nothing is done again; ShuError when the preview is out of date or cannot be
    confirmed, or preview_shu's errors. Nothing is written when it raises."""
    try:
        if distribution_of(coop, year) is not None:
            raise _already(year)
        preview = preview_shu(coop, year, amount)
        if token != preview.token:
            raise ShuError(_("The settings or figures changed since you looked: check them "
                             "again, then confirm."))  # fmt: skip
        if preview.problems:
            raise ShuError(preview.problems[0])
        distribution = _record(coop, preview, destination, actor)
        entry = add_entry(
            entry_key(coop.id, year),
            EntryKind.SHU_DISTRIBUTION,
            coop.id,
            _legs(preview, destination),
            actor_id=actor.id,
            memo=f"SHU {year} to {destination}",
        )
        if entry is None:
            raise _already(year)
        distribution.journal_entry_id = entry.id
        record_audit(
            actor, coop, "shu.confirmed", distribution, _audit_details(preview, destination)
        )
        events.shu_shared(distribution)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return distribution


def _already(year: int) -> ShuAlreadyConfirmed:
    return ShuAlreadyConfirmed(
        _("The SHU of %(year)s was confirmed already; nothing was posted again.", year=year)
    )


def _record(coop, preview: ShuPreview, destination, actor) -> ShuDistribution:
    settings, split = preview.settings, preview.split
    distribution = ShuDistribution(
        cooperative_id=coop.id,
        year=preview.year,
        amount=preview.amount,
        parts=split.parts,
        parts_bp=settings.parts_bp,
        jasa_usaha_bp=settings.jasa_usaha_bp,
        counts_purchases=settings.counts_purchases,
        jasa_usaha=split.jasa_usaha,
        jasa_modal=split.jasa_modal,
        destination=destination,
        confirmed_by_id=actor.id,
        shares=[
            ShuShare(member_id=row.member.id, sales=row.basis.sales,
                     purchases=row.basis.purchases, capital=row.basis.capital,
                     usaha_share=row.usaha_share, modal_share=row.modal_share)
            for row in preview.rows
        ],
    )  # fmt: skip
    try:
        # The unique (cooperative, year) row is the gate: a concurrent confirmation waits
        # here for the first one's commit, then fails alone.
        with db.session.begin_nested():
            db.session.add(distribution)
            db.session.flush()
    except IntegrityError:
        raise _already(preview.year) from None
    return distribution


def _legs(preview: ShuPreview, destination: ShuDestination) -> list:
    account = destination.account
    legs = [debit(Account.SHU_SHARED, preview.paid_to_members)]
    legs += [credit(account, row.total, row.member.id) for row in preview.rows if row.total]
    return legs


def _audit_details(preview: ShuPreview, destination: ShuDestination) -> dict:
    return {
        "year": preview.year, "amount": preview.amount, "destination": str(destination),
        "parts": preview.split.parts, "parts_bp": preview.settings.parts_bp,
        "jasa_usaha_bp": preview.settings.jasa_usaha_bp,
        "counts_purchases": preview.settings.counts_purchases,
        "paid_to_members": preview.paid_to_members,
    }  # fmt: skip


def distribution_of(coop: Cooperative, year: int) -> ShuDistribution | None:
    """The year's confirmed SHU, with every member's share in .shares; None if not yet."""
    return db.session.scalar(
        select(ShuDistribution)
        .options(selectinload(ShuDistribution.shares).joinedload(ShuShare.member))
        .where(ShuDistribution.cooperative_id == coop.id, ShuDistribution.year == year)
    )


def distributions_of(coop: Cooperative) -> list[ShuDistribution]:
    """Every confirmed year, the latest first."""
    return db.session.scalars(
        select(ShuDistribution)
        .where(ShuDistribution.cooperative_id == coop.id)
        .order_by(ShuDistribution.year.desc())
    ).all()


def shares_of_member(member: Membership) -> list[ShuShare]:
    """The member's share of each confirmed year, the latest first."""
    return db.session.scalars(
        select(ShuShare)
        .join(ShuDistribution, ShuDistribution.id == ShuShare.distribution_id)
        .options(contains_eager(ShuShare.distribution))
        .where(ShuShare.member_id == member.id)
        .order_by(ShuDistribution.year.desc())
    ).all()
