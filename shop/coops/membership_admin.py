"""What a cooperative's admin changes on a membership: its role and seat on the board,
deactivating it and reactivating it.

The cooperative always keeps an active admin, so nobody can lock everyone out of its console.
A deactivated member's products on sale are suspended with them: the product rows change, so
search rewrites their rows and the page cache is invalidated on commit, and they leave every
storefront page at the next request. Their balance and history stay, and they can still ask
for what they are owed. Every change is audited with its before and after.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Product, ProductStatus
from shop.coops.locks import lock_cooperative
from shop.coops.models import SINGLE_SEATS, Membership, Position, Role
from shop.errors import ShopError
from shop.extensions import db
from shop.notifications import events

logger = logging.getLogger(__name__)


class LastAdmin(ShopError):
    pass


class NothingToChange(ShopError):
    pass


class SeatTaken(ShopError):
    pass


def change_role(
    membership: Membership, role: Role, actor: User, position: Position | None = None
) -> None:
    """Set a member's role (member, admin or pengawas) and, for an admin, their seat on the
    board. Raises NothingToChange; LastAdmin when it would leave the cooperative without an
    active admin; SeatTaken when another active admin holds the ketua's or bendahara's seat;
    ShopError for a seat given to someone who is not an admin."""
    try:
        _lock_cooperative(membership)
        before = (membership.role, membership.position)
        if role != Role.ADMIN and position is not None:
            raise ShopError(_("Only an admin holds a seat on the board."), field="position")
        if before == (role, position):
            raise NothingToChange(_("%(name)s has this role already.", name=_name(membership)))
        if before[0] == Role.ADMIN and role != Role.ADMIN and membership.is_active:
            _keep_an_admin(membership)
        if position in SINGLE_SEATS and position != before[1]:
            _check_seat_free(membership, position)
        membership.role, membership.position = role, position
        db.session.flush()
        record_audit(actor, membership.cooperative, "member.role_changed", membership,
                     _role_changes(before, (role, position)))  # fmt: skip
        if role != before[0]:
            events.membership_changed(membership, role.value, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("membership %s: role %s/%s -> %s/%s by user %s", membership.id, *before, role,
                position, actor.id)  # fmt: skip


def _role_changes(before: tuple, after: tuple) -> dict:
    changes = {}
    for name, old, new in zip(("role", "position"), before, after, strict=True):
        if old != new:
            changes[name] = [old.value if old else None, new.value if new else None]
    return changes


def _check_seat_free(membership: Membership, position: Position) -> None:
    holder = db.session.scalar(
        select(Membership).where(
            Membership.cooperative_id == membership.cooperative_id,
            Membership.position == position,
            Membership.id != membership.id,
        )
    )
    if holder is not None:
        raise SeatTaken(
            _(
                "%(name)s holds this seat already: give them another one first.",
                name=_name(holder),
            ),
            field="position",
        )


def deactivate_member(membership: Membership, actor: User) -> int:
    """The member leaves: no console or product pages, their products on sale suspended;
    their balance, statement and payouts stay. Returns how many products were suspended.
    Raises NothingToChange, LastAdmin."""
    try:
        _lock_cooperative(membership)
        if not membership.is_active:
            raise NothingToChange(_("%(name)s is inactive already.", name=_name(membership)))
        if membership.is_admin:
            _keep_an_admin(membership)
        # A former admin's seat on the board is free for someone else.
        seat, membership.position = membership.position, None
        membership.is_active = False
        suspended = _move_products(membership, ProductStatus.ACTIVE, ProductStatus.SUSPENDED)
        details = {"is_active": [True, False], "products_suspended": suspended}
        if seat is not None:
            details["position"] = [seat.value, None]
        record_audit(actor, membership.cooperative, "member.deactivated", membership, details)
        events.membership_changed(membership, "deactivated", actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("membership %s deactivated by user %s", membership.id, actor.id)
    return suspended


def reactivate_member(membership: Membership, actor: User) -> int:
    """The member is back, with the products suspended when they left on sale again.
    Returns how many. Raises NothingToChange."""
    try:
        _lock_cooperative(membership)
        if membership.is_active:
            raise NothingToChange(_("%(name)s is active already.", name=_name(membership)))
        membership.is_active = True
        restored = restore_suspended_products(membership)
        record_audit(actor, membership.cooperative, "member.reactivated", membership,
                     {"is_active": [False, True], "products_restored": restored})  # fmt: skip
        events.membership_changed(membership, "reactivated", actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("membership %s reactivated by user %s", membership.id, actor.id)
    return restored


def restore_suspended_products(membership: Membership) -> int:
    """Put the member's suspended products on sale again; part of the caller's unit of work
    (reactivation, or a former member accepting a new invitation): flushes only."""
    return _move_products(membership, ProductStatus.SUSPENDED, ProductStatus.ACTIVE)


def _move_products(membership: Membership, source: ProductStatus, target: ProductStatus) -> int:
    # Locked rows: a product moved meanwhile by another request (a member's edit sending it
    # back to review) is waited for and then no longer matches, instead of being overwritten.
    # Through the ORM, so the search index and the page cache hear of each move.
    products = db.session.scalars(
        select(Product)
        .where(Product.member_id == membership.id, Product.status == source)
        .with_for_update()
    ).all()
    for product in products:
        product.move_to(target)
    db.session.flush()
    return len(products)


def _lock_cooperative(membership: Membership) -> None:
    # Two admins demoting each other at once must not both pass the last-admin check: every
    # change of a cooperative's memberships waits for this row lock. (SQLite ignores it; its
    # single writer makes the loser fail with "database is locked" instead.)
    lock_cooperative(membership.cooperative_id)
    db.session.refresh(membership)


def _keep_an_admin(leaving: Membership) -> None:
    others = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.cooperative_id == leaving.cooperative_id,
            Membership.id != leaving.id,
            Membership.role == Role.ADMIN,
            Membership.is_active.is_(True),
        )
    )
    if not others:
        raise LastAdmin(
            _(
                "%(name)s is the cooperative's only active admin. Make another member an admin "
                "first.",
                name=_name(leaving),
            )
        )


def _name(membership: Membership) -> str:
    return membership.user.name
