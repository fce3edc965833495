"""The moves of a product after it is saved: the admin's review (approve, or reject with a
reason the member reads), archiving and restoring, featuring on the home page.

Every move goes through ALLOWED_PRODUCT_MOVES (Product.move_to); each is audited, and the
member hears of an approval or a rejection.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import ALLOWED_PRODUCT_MOVES, Product, ProductStatus
from shop.coops.models import Membership
from shop.coops.services import find_membership
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.products.editor import NotAllowed, ProductRefused, may_manage

REASON_MAX = 500


def _require_admin(actor: User, product: Product) -> None:
    membership = find_membership(actor, product.cooperative)
    if membership is None or not membership.is_admin:
        raise NotAllowed(_("Only the cooperative's admins can do this."))


def _move(product: Product, target: ProductStatus, message: str) -> ProductStatus:
    before = product.status
    if target not in ALLOWED_PRODUCT_MOVES[before]:
        raise InvalidTransition(message)
    product.move_to(target)
    return before


def _commit(actor: User, product: Product, action: str, details: dict) -> None:
    try:
        record_audit(actor, product.cooperative, action, product, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def approve_product(product: Product, actor: User) -> None:
    """pending -> active: on sale. Raises NotAllowed (also when its maker was deactivated),
    InvalidTransition."""
    from shop.notifications import events

    _require_admin(actor, product)
    # Locked, so a deactivation running now either finishes first (and we refuse) or waits
    # for this approval and then suspends the product with the maker's others.
    maker_is_active = db.session.scalar(
        select(Membership.is_active).where(Membership.id == product.member_id).with_for_update()
    )
    if not maker_is_active:
        raise NotAllowed(_("Its maker is no longer an active member: it cannot go on sale."))
    _move(product, ProductStatus.ACTIVE, _("Only a product waiting for review can be approved."))
    product.review_note = ""
    events.product_reviewed(product, approved=True)
    _commit(actor, product, "product.approved", {})


def reject_product(product: Product, actor: User, reason: str) -> None:
    """pending -> rejected, with the reason the member reads. Raises NotAllowed,
    ProductRefused without a reason, InvalidTransition."""
    from shop.notifications import events

    _require_admin(actor, product)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > REASON_MAX:
        raise ProductRefused(
            _("Say why, in at most %(max)d characters: the member reads it.", max=REASON_MAX),
            field="reason",
        )
    _move(product, ProductStatus.REJECTED, _("Only a product waiting for review can be rejected."))
    product.review_note = reason
    events.product_reviewed(product, approved=False)
    _commit(actor, product, "product.rejected", {"reason": reason})


def archive_product(product: Product, actor: User) -> None:
    """Off sale and out of the lists, kept for past orders. A product waiting for review
    goes back to draft first. Raises NotAllowed, InvalidTransition."""
    if not may_manage(actor, product.member):
        raise NotAllowed(_("You cannot manage this member's products."))
    if product.status == ProductStatus.PENDING:
        product.move_to(ProductStatus.DRAFT)
    from shop.notifications import events

    before = _move(product, ProductStatus.ARCHIVED, _("This product is archived already."))
    product.is_featured = False
    db.session.flush()
    events.product_changed_by_admin(product, actor, "archived")
    _commit(actor, product, "product.archived", {"was": before.value})


def restore_product(product: Product, actor: User) -> None:
    """archived -> draft: the seller checks it and publishes it again."""
    if not may_manage(actor, product.member):
        raise NotAllowed(_("You cannot manage this member's products."))
    _move(product, ProductStatus.DRAFT, _("Only an archived product can be restored."))
    _commit(actor, product, "product.restored", {})


def set_featured(product: Product, actor: User, is_featured: bool) -> None:
    """Show on (or take off) the home page; only a product on sale can be featured."""
    _require_admin(actor, product)
    if is_featured and product.status != ProductStatus.ACTIVE:
        raise InvalidTransition(_("Only a product on sale can be featured."))
    product.is_featured = is_featured
    _commit(actor, product, "product.featured" if is_featured else "product.unfeatured", {})
