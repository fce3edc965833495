"""What a cooperative's and a member's storefront page say about them (the page's header).

Plain data read by plain SQL (shop/plain_sql.py): loading the Cooperative, Membership and
User objects (every column, with joined eager loading), and later building and compiling
the statements each time, cost more than the rest of the header together.
"""

from dataclasses import dataclass

from shop.plain_sql import rows

# Nothing writes to these; they are not frozen because a frozen dataclass's __init__ sets
# each field through object.__setattr__ (a cooperative's page makes one per member).


@dataclass(slots=True)
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


@dataclass(slots=True)
class MemberEntry:
    """A member as a cooperative's page lists them."""

    member_number: str
    display_name: str  # as Membership.display_name


@dataclass(slots=True)
class MakerProfile:
    """An active member as their page shows them."""

    id: int
    member_number: str
    display_name: str  # as Membership.display_name
    user_name: str
    story: str
    whatsapp: str
    cooperative: CooperativeProfile


# Both statements start with the cooperative's ten columns, in CooperativeProfile's order.
_COOPERATIVE_WIDTH = 10

# The cooperative's row, then one short row per active member (its number, business name
# and user's name in the columns after the kind), by business name and number: the
# cooperative's columns (its description...) are read once, not once per member.
_COOPERATIVE_SQL = (
    "SELECT 0, cooperatives.id, cooperatives.slug, cooperatives.name, cooperatives.city,"
    " cooperatives.province, cooperatives.description, cooperatives.registration_number,"
    " cooperatives.address, cooperatives.fee_bp, cooperatives.whatsapp FROM cooperatives"
    " WHERE cooperatives.slug = :slug AND cooperatives.is_active = true"
    " UNION ALL SELECT 1, NULL, memberships.member_number, memberships.business_name,"
    " users.name, NULL, NULL, NULL, NULL, NULL, NULL FROM memberships"
    " JOIN cooperatives ON cooperatives.id = memberships.cooperative_id"
    " JOIN users ON users.id = memberships.user_id"
    " WHERE cooperatives.slug = :slug AND cooperatives.is_active = true"
    " AND memberships.is_active = true"
    " ORDER BY 1, 4, 3"
)

_MAKER_SQL = (
    "SELECT cooperatives.id, cooperatives.slug, cooperatives.name, cooperatives.city,"
    " cooperatives.province, cooperatives.description, cooperatives.registration_number,"
    " cooperatives.address, cooperatives.fee_bp, cooperatives.whatsapp,"
    " memberships.id, memberships.member_number, memberships.business_name,"
    " memberships.story, memberships.whatsapp, users.name"
    " FROM memberships JOIN cooperatives ON cooperatives.id = memberships.cooperative_id"
    " JOIN users ON users.id = memberships.user_id"
    " WHERE cooperatives.slug = :slug AND cooperatives.is_active = true"
    " AND memberships.member_number = :member_number AND memberships.is_active = true"
)


def cooperative_with_members(slug: str) -> tuple[CooperativeProfile, list[MemberEntry]] | None:
    """An active cooperative and its active members, by name, in one query; None for an
    unknown or closed cooperative."""
    found = rows(_COOPERATIVE_SQL, {"slug": slug})
    if not found or found[0][0] != 0:
        return None
    # A member's row: kind, NULL, number, business name, user's name, NULLs.
    members = [MemberEntry(row[2], row[3] or row[4]) for row in found[1:]]
    return CooperativeProfile(*found[0][1:]), members


def find_member(coop_slug: str, member_number: str) -> MakerProfile | None:
    """An active member of an active cooperative, with both names, in one query."""
    found = rows(_MAKER_SQL, {"slug": coop_slug, "member_number": member_number})
    if not found:
        return None
    row = found[0]
    coop = CooperativeProfile(*row[:_COOPERATIVE_WIDTH])
    id_, number, business_name, story, whatsapp, user_name = row[_COOPERATIVE_WIDTH:]
    return MakerProfile(id_, number, business_name or user_name, user_name, story, whatsapp, coop)
