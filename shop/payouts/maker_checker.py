"""Maker-checker for payouts: whether a cooperative's payouts need two admins, and the check
that a payout's bank account belongs to its member.

The setting (Cooperative.payouts_need_two_admins) is on unless the cooperative turned it
off, but it only takes effect with two or more active admins: a cooperative with one admin
has nobody to check, so its admin keeps approving payouts alone (and the RAT pack, which
reports maker_checker_on, says so).
"""

import re
import unicodedata

from sqlalchemy import func, select

from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db

# Forms of address and academic or religious titles that a bank's account holder name may
# carry or leave out: "Bpk. H. Ahmad Yani, S.E." is Ahmad Yani.
TITLES = frozenset(
    """
    bapak bpk bp pak ibu ib bu sdr sdri saudara saudari tuan tn nyonya ny nona nn
    h hj haji hajah hajjah dr drs dra ir prof mba mbak mas
    """.split()
)


def maker_checker_on(coop: Cooperative) -> bool:
    """True when the cooperative's payouts are prepared in batches by one admin and
    approved by another: the setting is on and it has two or more active admins."""
    return coop.payouts_need_two_admins and active_admin_count(coop) >= 2


def active_admin_count(coop: Cooperative) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Membership.cooperative_id == coop.id,
            Membership.role == Role.ADMIN,
            Membership.is_active.is_(True),
        )
    )


def normalised_name(name: str) -> str:
    """The name without case, accents, punctuation, extra spaces and titles. Degrees follow
    a comma ("Siti Aminah, S.E., M.M."), so what follows the first comma goes too."""
    name = (name or "").split(",")[0]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_name.lower()).split()
    return " ".join(word for word in words if word not in TITLES)


def holder_matches(holder: str, member: Membership) -> bool:
    """Whether a bank account holder's name is the member's own name or their business's
    (a UMKM may hold its account in the business's name), once normalised."""
    wanted = normalised_name(holder)
    names = (member.user.name, member.business_name)
    return bool(wanted) and any(wanted == normalised_name(name) for name in names if name)
