"""What a cooperative's and a member's storefront page say about them (the page's header).

Plain data read by a statement built once a process: loading the Cooperative, Membership and
User objects (every column, with joined eager loading) and building the statement each time
cost more than the rest of the header together.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, and_, bindparam, select

from shop.accounts.models import User
from shop.coops.models import Cooperative, Membership
from shop.extensions import db


@dataclass(frozen=True, slots=True)
class CooperativeProfile:
    """The attributes of Cooperative that its page and its members' pages show."""

    id: int
    slug: str
    name: str
    city: str
    province: str
    description: str
    registration_number: str
    address: str
    fee_bp: int
    whatsapp: str


@dataclass(frozen=True, slots=True)
class MemberEntry:
    """A member as a cooperative's page lists them."""

    member_number: str
    display_name: str  # as Membership.display_name


@dataclass(frozen=True, slots=True)
class MakerProfile:
    """An active member as their page shows them."""

    id: int
    member_number: str
    display_name: str  # as Membership.display_name
    user_name: str
    story: str
    whatsapp: str
    cooperative: CooperativeProfile


# The tables, not the mapped classes: a statement of mapped attributes configures every
# mapper of the app when compiled (~2 MB a worker), which an anonymous shopper's pages never
# need otherwise.
_cooperatives = Cooperative.__table__
_memberships = Membership.__table__
_users = User.__table__

_COOPERATIVE = tuple(
    _cooperatives.c[name]
    for name in (
        "id", "slug", "name", "city", "province", "description", "registration_number",
        "address", "fee_bp", "whatsapp",
    )
)  # fmt: skip
_COOPERATIVE_WIDTH = len(_COOPERATIVE)


@cache
def _cooperative_statement() -> Select:
    cooperative, membership, user = _cooperatives.c, _memberships.c, _users.c
    active = and_(membership.cooperative_id == cooperative.id, membership.is_active.is_(True))
    return (
        select(*_COOPERATIVE, membership.member_number, membership.business_name, user.name)
        .outerjoin(_memberships, active)
        .outerjoin(_users, user.id == membership.user_id)
        .where(cooperative.slug == bindparam("slug"), cooperative.is_active.is_(True))
        .order_by(membership.business_name, membership.member_number)
    )


@cache
def _maker_statement() -> Select:
    cooperative, membership, user = _cooperatives.c, _memberships.c, _users.c
    return (
        select(
            *_COOPERATIVE,
            membership.id,
            membership.member_number,
            membership.business_name,
            membership.story,
            membership.whatsapp,
            user.name,
        )
        .select_from(_memberships)
        .join(_cooperatives, cooperative.id == membership.cooperative_id)
        .join(_users, user.id == membership.user_id)
        .where(
            cooperative.slug == bindparam("slug"),
            cooperative.is_active.is_(True),
            membership.member_number == bindparam("member_number"),
            membership.is_active.is_(True),
        )
    )


def cooperative_with_members(slug: str) -> tuple[CooperativeProfile, list[MemberEntry]] | None:
    """An active cooperative and its active members, by name, in one query; None for an
    unknown or closed cooperative."""
    rows = db.session.connection().execute(_cooperative_statement(), {"slug": slug}).all()
    if not rows:
        return None
    members = [
        MemberEntry(number, business_name or user_name)
        for *_coop, number, business_name, user_name in rows
        if number is not None
    ]
    return CooperativeProfile(*rows[0][:_COOPERATIVE_WIDTH]), members


def find_member(coop_slug: str, member_number: str) -> MakerProfile | None:
    """An active member of an active cooperative, with both names, in one query."""
    row = (
        db.session.connection()
        .execute(_maker_statement(), {"slug": coop_slug, "member_number": member_number})
        .first()
    )
    if row is None:
        return None
    coop = CooperativeProfile(*row[:_COOPERATIVE_WIDTH])
    id_, number, business_name, story, whatsapp, user_name = row[_COOPERATIVE_WIDTH:]
    return MakerProfile(id_, number, business_name or user_name, user_name, story, whatsapp, coop)
