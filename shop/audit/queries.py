"""Reading the audit log: a cooperative's rows, filtered and paged, and one member's trail.

Each row comes with its actor, action and target put into words; the names are loaded for a
whole page at once (one query per kind of target on it), never one per row.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select

from shop.accounts.models import User
from shop.audit.labels import ROLE_LABELS, action_label, detail_label
from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.checkout.models import Order, OrderShipment
from shop.coops.models import Cooperative, Invitation, Membership
from shop.extensions import db
from shop.ledger.models import Payout, Refund
from shop.money import format_bp_as_percent, format_rupiah
from shop.pagination import Page, paginate
from shop.products.models import ProductImport
from shop.reports.period import Period

PER_PAGE = 50
TRAIL_LENGTH = 50  # the latest rows of a member's trail on their page


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str = ""
    first_day: date | None = None  # Jakarta days, both included
    last_day: date | None = None


@dataclass(frozen=True)
class Detail:
    key: str
    value: str = ""  # a plain value
    before: str = ""  # a change: details stored as [before, after]
    after: str = ""
    is_change: bool = False


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str  # "" when no person acted (onboarding, a background task)
    action_label: str
    target_label: str
    member_id: int | None  # the target is a membership: for a link to its page
    product_id: int | None  # the target is a product: for a link to its editor
    details: list[Detail]


def log_of(coop: Cooperative, filters: AuditFilters, page_number: int) -> Page:
    """A page of the cooperative's audit rows matching the filters, newest first."""
    statement = _filtered(select(AuditEntry).where(AuditEntry.cooperative_id == coop.id), filters)
    page = paginate(
        statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        page_number,
        PER_PAGE,
    )
    return Page(_rows(page.items), page.number, page.per_page, page.total)


def trail_of(membership: Membership) -> list[AuditRow]:
    """The latest rows of the member's cooperative about this membership, or by its person."""
    about_them = and_(AuditEntry.target_type == "Membership", AuditEntry.target_id == membership.id)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.cooperative_id == membership.cooperative_id,
            or_(about_them, AuditEntry.actor_id == membership.user_id),
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(TRAIL_LENGTH)
    ).all()
    return _rows(entries)


def people_in_log(coop: Cooperative) -> list[tuple[int, str]]:
    """(user id, name) of everyone who acted in the cooperative's log, by name."""
    actors = select(AuditEntry.actor_id).where(AuditEntry.cooperative_id == coop.id)
    return [
        (user_id, name)
        for user_id, name in db.session.execute(
            select(User.id, User.name).where(User.id.in_(actors)).order_by(User.name, User.id)
        )
    ]


def actions_in_log(coop: Cooperative) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.cooperative_id == coop.id)
            .distinct()
            .order_by(AuditEntry.action)
        )
    )


def _filtered(statement: Select, filters: AuditFilters) -> Select:
    if filters.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.first_day is not None:
        day = filters.first_day
        statement = statement.where(AuditEntry.created_at >= Period(day, day).starts_at)
    if filters.last_day is not None:
        day = filters.last_day
        statement = statement.where(AuditEntry.created_at < Period(day, day).ends_at)
    return statement


def _rows(entries: list[AuditEntry]) -> list[AuditRow]:
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    actors = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all()
        if actor_ids
        else []
    )
    targets = _target_labels(entries)
    return [
        AuditRow(
            entry=entry,
            actor_name=actors.get(entry.actor_id, ""),
            action_label=action_label(entry.action),
            target_label=targets.get((entry.target_type, entry.target_id))
            or _unknown_target(entry),
            member_id=entry.target_id if entry.target_type == "Membership" else None,
            product_id=entry.target_id if entry.target_type == "Product" else None,
            details=details_of(entry.details or {}),
        )
        for entry in entries
    ]


def _unknown_target(entry: AuditEntry) -> str:
    if entry.target_id is None:
        return entry.target_type
    return f"{entry.target_type} #{entry.target_id}"


# For each kind of target: the query naming its rows (id first), and how a row reads.
_TARGETS: dict[str, tuple[Callable[[Iterable[int]], Select], Callable[..., str]]] = {
    "Membership": (
        lambda ids: (
            select(Membership.id, User.name, Membership.member_number)
            .join(User, User.id == Membership.user_id)
            .where(Membership.id.in_(ids))
        ),
        lambda name, number: _("%(name)s (no. %(number)s)", name=name, number=number),
    ),
    "Product": (
        lambda ids: select(Product.id, Product.name).where(Product.id.in_(ids)),
        lambda name: name,
    ),
    "Invitation": (
        lambda ids: select(Invitation.id, Invitation.email).where(Invitation.id.in_(ids)),
        lambda email: _("Invitation for %(email)s", email=email),
    ),
    "Cooperative": (
        lambda ids: select(Cooperative.id, Cooperative.name).where(Cooperative.id.in_(ids)),
        lambda name: name,
    ),
    "Payout": (
        lambda ids: select(Payout.id, Payout.amount).where(Payout.id.in_(ids)),
        lambda amount: _("Payout of %(amount)s", amount=format_rupiah(amount)),
    ),
    "OrderShipment": (
        lambda ids: (
            select(OrderShipment.id, Order.number)
            .join(Order, Order.id == OrderShipment.order_id)
            .where(OrderShipment.id.in_(ids))
        ),
        lambda number: _("Order %(number)s", number=number),
    ),
    "Refund": (
        lambda ids: (
            select(Refund.id, Order.number)
            .join(Order, Order.id == Refund.order_id)
            .where(Refund.id.in_(ids))
        ),
        lambda number: _("Refund on order %(number)s", number=number),
    ),
    "ProductImport": (
        lambda ids: select(ProductImport.id, ProductImport.filename).where(
            ProductImport.id.in_(ids)
        ),
        lambda filename: _("Import of %(file)s", file=filename),
    ),
}


def _target_labels(entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.target_id is not None and entry.target_type in _TARGETS:
            wanted[entry.target_type].add(entry.target_id)
    labels = {}
    for target_type, ids in wanted.items():
        query, label = _TARGETS[target_type]
        for target_id, *values in db.session.execute(query(sorted(ids))):
            labels[(target_type, target_id)] = label(*values)
    return labels


# Details that hold a bank account number (a payout account change, a payout request).
ACCOUNT_NUMBER_KEYS = frozenset({"bank_account_number", "account"})


def details_of(details: dict) -> list[Detail]:
    """The details as lines. A nested dict gives a line per key: the product editor stores
    {"changes": {field: [before, after]}}, a refund {"lines": {line id: quantity}}."""
    lines = []
    for key, value in details.items():
        if isinstance(value, dict):
            prefix = "" if key == "changes" else f"{key} "
            lines += [_detail(f"{prefix}{name}", inner) for name, inner in value.items()]
        else:
            lines.append(_detail(key, value))
    return lines


# Details whose values read better formatted than as stored.
_FORMATS = {
    "amount": format_rupiah, "min_payout": format_rupiah, "price": format_rupiah,
    "fee_bp": format_bp_as_percent, "role": lambda role: str(ROLE_LABELS.get(role, role)),
}  # fmt: skip


def _detail(key: str, value) -> Detail:
    if key in ACCOUNT_NUMBER_KEYS:
        text = masked_account_number
    elif key in _FORMATS:
        text = _formatted(_FORMATS[key])
    else:
        text = _text
    label = detail_label(key)
    if isinstance(value, list) and len(value) == 2:
        return Detail(label, before=text(value[0]), after=text(value[1]), is_change=True)
    return Detail(label, value=text(value))


def _formatted(format_value):
    def text(value) -> str:
        if isinstance(value, int | str) and not isinstance(value, bool):
            try:
                return format_value(value)
            except (TypeError, ValueError):
                pass
        return _text(value)

    return text


def masked_account_number(number) -> str:
    """All but the last 4 digits hidden: enough to recognise a bank account, not to use it.
    The log and the member's page show no whole account number."""
    number = str(number or "")
    if not number:
        return "—"
    if len(number) <= 4:  # too short to show any of it
        return "••••"
    return "•" * (len(number) - 4) + number[-4:]


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
