"""The rules of reviews: who may write, edit, reply to and hide one, and when.

A shopper reviews each line of a cooperative's part once that part is completed, and may
edit the review once; the member who made the product replies once; the cooperative's admin
hides an abusive review with a reason (audited), and may show it again, but never changes
its words. Every change keeps the product's rating columns (aggregates.py) in step, in the
same transaction: hidden reviews do not count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.checkout.models import Order, OrderLine, OrderShipment, ShipmentStatus
from shop.coops.models import Cooperative, Membership
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.notifications import events
from shop.pagecache import bump_catalog_version
from shop.reviews.aggregates import add_to_rating
from shop.reviews.models import MAX_HIDDEN_REASON, MAX_TEXT, Review
from shop.reviews.photos import (
    add_review_photos,
    check_photo_count,
    remove_folders,
    remove_review_photos,
)
from shop.timeutil import utcnow

T = TypeVar("T")


class ReviewRefused(ShopError):
    """A review, edit, reply or hiding that the rules do not allow. Nothing changed."""


@dataclass(frozen=True)
class ReviewInput:
    """What the shopper sent: stars, words and photos as (filename, data); in an edit, the
    ids of the review's photos to remove too."""

    rating: int
    text: str
    photos: list[tuple[str, bytes]]
    remove_photo_ids: tuple[int, ...] = ()


def reviewable_line(order: Order, line_id: int) -> OrderLine:
    """The order's line with this id, if its cooperative's part is completed. Raises NotFound
    for a line of another order, ReviewRefused before the part is completed."""
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_("This order has no such item."))
    status = db.session.scalar(
        select(OrderShipment.status).where(
            OrderShipment.order_id == order.id,
            OrderShipment.cooperative_id == line.cooperative_id,
        )
    )
    if status != ShipmentStatus.COMPLETED:
        raise ReviewRefused(_("You can review this item once its part of the order is completed."))
    return line


def write_review(order: Order, line_id: int, given: ReviewInput) -> Review:
    """The shopper's review of one line of their order (the caller checked that they may see
    the order). Raises NotFound, ReviewRefused (not completed, reviewed already, bad stars
    or text) or ShopError (a photo refused, too many photos); then nothing is kept."""
    line = reviewable_line(order, line_id)
    rating, text = _checked(given)
    check_photo_count(0, given.photos)
    if db.session.scalar(select(Review.id).where(Review.order_line_id == line.id)):
        raise ReviewRefused(_("You have already reviewed this item."))

    def write() -> Review:
        review = Review(
            order_line_id=line.id,
            order_id=order.id,
            product_id=line.product_id,
            cooperative_id=line.cooperative_id,
            member_id=line.member_id,
            item_name=line.name[:220],
            author_name=public_name(order.contact_name),
            rating=rating,
            text=text,
        )
        db.session.add(review)
        try:
            db.session.flush()
        except IntegrityError as error:  # the same line reviewed at the same moment
            raise ReviewRefused(_("You have already reviewed this item.")) from error
        written.extend(add_review_photos(review, given.photos))
        add_to_rating(review.product_id, 1, rating)
        events.review_received(review)
        return review

    written: list = []
    return _commit_or_clean(write, written)


def edit_review(review: Review, given: ReviewInput) -> Review:
    """The shopper's one edit: new stars and words, photos removed and photos added up to the
    limit. Raises ReviewRefused for a second edit or bad input, ShopError for a refused photo
    or one that is not the review's."""
    rating, text = _checked(given)
    if not review.can_be_edited:
        raise ReviewRefused(_("A review can be edited only once."))
    kept = len(review.photos) - len(set(given.remove_photo_ids))
    check_photo_count(kept, given.photos)
    old_rating, is_visible = review.rating, not review.is_hidden

    def edit() -> Review:
        values = {"rating": rating, "text": text, "edited_at": utcnow()}
        _update_once(review, Review.edited_at, values, _("A review can be edited only once."))
        remove_review_photos(review, list(given.remove_photo_ids))
        written.extend(add_review_photos(review, given.photos))
        if is_visible and rating != old_rating:
            add_to_rating(review.product_id, 0, rating - old_rating)
        return review

    written: list = []
    return _commit_or_clean(edit, written)


def reply_to_review(review: Review, member: Membership, text: str) -> Review:
    """The maker's one public reply. Raises NotFound for another member's product's review,
    ReviewRefused for a second reply or an empty or too long one."""
    if review.member_id != member.id:
        raise NotFound(_("This review is not of one of your products."))
    text = text.strip()
    if not text:
        raise ReviewRefused(_("Write your reply."), field="text")
    if len(text) > MAX_TEXT:
        raise ReviewRefused(_too_long(), field="text")
    if not review.can_be_replied:
        raise ReviewRefused(_("You have already replied to this review."))
    values = {"reply_text": text, "replied_at": utcnow(), "replied_by_id": member.user_id}
    refusal = _("You have already replied to this review.")
    return _commit_or_clean(lambda: _update_once(review, Review.replied_at, values, refusal), [])


def hide_review(review: Review, cooperative: Cooperative, admin: User, reason: str) -> Review:
    """An admin hides an abusive review from the public, with the reason; it leaves the
    product's rating. Audited. Raises NotFound (another cooperative's) or ReviewRefused (no
    reason, hidden already)."""
    _check_cooperative(review, cooperative)
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Say why the review is hidden."), field="reason")
    if len(reason) > MAX_HIDDEN_REASON:
        message = _("At most %(count)d characters.", count=MAX_HIDDEN_REASON)
        raise ReviewRefused(message, field="reason")
    values = {"hidden_at": utcnow(), "hidden_reason": reason, "hidden_by_id": admin.id}

    def hide() -> Review:
        _update_once(review, Review.hidden_at, values, _("This review is hidden already."))
        add_to_rating(review.product_id, -1, -review.rating)
        details = {"reason": reason, "product": review.item_name, "rating": review.rating}
        record_audit(admin, cooperative, "review.hidden", review, details)
        return review

    return _commit_or_clean(hide, [])


def show_review(review: Review, cooperative: Cooperative, admin: User) -> Review:
    """An admin shows a hidden review again; it counts in the rating again. Audited.
    Raises NotFound (another cooperative's) or ReviewRefused (not hidden)."""
    _check_cooperative(review, cooperative)

    def show() -> Review:
        reason = review.hidden_reason
        moved = db.session.execute(
            update(Review)
            .where(Review.id == review.id, Review.hidden_at.is_not(None))
            .values(hidden_at=None, hidden_reason="", hidden_by_id=None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise ReviewRefused(_("This review is not hidden."))
        db.session.refresh(review)
        add_to_rating(review.product_id, 1, review.rating)
        details = {"product": review.item_name, "rating": review.rating, "reason": reason}
        record_audit(admin, cooperative, "review.shown", review, details)
        return review

    return _commit_or_clean(show, [])


def public_name(full_name: str) -> str:
    """ "Siti Rahayu" -> "Siti R.": enough to be a person, not enough to find them."""
    words = full_name.split()
    if not words:
        return _("A shopper")
    first = words[0][:30]
    return f"{first} {words[-1][0].upper()}." if len(words) > 1 else first


def _checked(given: ReviewInput) -> tuple[int, str]:
    if given.rating not in range(1, 6):
        raise ReviewRefused(_("Choose from 1 to 5 stars."), field="rating")
    text = given.text.strip()
    if len(text) > MAX_TEXT:
        raise ReviewRefused(_too_long(), field="text")
    return given.rating, text


def _too_long() -> str:
    return _("At most %(count)d characters.", count=MAX_TEXT)


def _check_cooperative(review: Review, cooperative: Cooperative) -> None:
    if review.cooperative_id != cooperative.id:
        raise NotFound(_("Your cooperative has no such review."))


def _update_once(review: Review, stamp, values: dict, refusal: str) -> Review:
    """One conditional UPDATE while `stamp` is still empty: two clicks at once change it once."""
    moved = db.session.execute(
        update(Review)
        .where(Review.id == review.id, stamp.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise ReviewRefused(refusal)
    db.session.refresh(review)
    return review


def _commit_or_clean(work: Callable[[], T], written: list) -> T:
    """Run work and commit; on any failure roll back and remove the photo folders it wrote."""
    try:
        result = work()
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_folders(written)
        raise
    bump_catalog_version()  # cards and product pages show the rating
    return result
