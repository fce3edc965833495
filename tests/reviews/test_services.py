"""The rules of reviews, through the services: who may review what and when, the one edit,
the one reply, hiding with a reason, and the product's rating kept in step."""

import time

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.media.cleanup import remove_orphaned_photo_folders
from shop.notifications.models import Notification
from shop.reviews import services
from shop.reviews.aggregates import recount_all
from shop.reviews.models import Review, ReviewPhoto
from shop.reviews.services import ReviewInput, ReviewRefused
from tests.catalog.test_images import photo
from tests.fulfilment.test_refunds import FakeGateway


def given(rating=5, text="Renyah sekali!", photos=()):
    return ReviewInput(rating, text, list(photos))


def product_of(line) -> Product:
    db.session.expire_all()
    return db.session.get(Product, line.product_id)


def rating_of(line) -> tuple[int, int, int]:
    product = product_of(line)
    return product.rating_count, product.rating_sum, product.rating_average_centi


def test_a_review_of_a_completed_line_counts_in_the_products_rating(completed, in_english):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, given(4, "  Enak  "))
    assert (review.rating, review.text, review.product_id) == (4, "Enak", line.product_id)
    assert review.item_name == line.name and review.member_id == completed.siti.id
    assert rating_of(line) == (1, 4, 400)


def test_the_maker_is_told_of_a_new_review(completed):
    line = completed.line(completed.siti)
    services.write_review(completed.order, line.id, given(5))
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == completed.siti.user_id)
    ).all()
    assert "review_received" in kinds


def test_a_line_of_a_part_not_completed_cannot_be_reviewed(completed, in_english):
    line = completed.line(completed.rina)  # Batik's part is paid, not completed
    with pytest.raises(ReviewRefused, match="once its part of the order is completed"):
        services.write_review(completed.order, line.id, given())
    assert db.session.scalar(select(Review.id)) is None


def test_a_line_of_another_order_is_not_found(completed, in_english):
    from tests.fulfilment.conftest import make_shop

    other = make_shop(prefix="Lain ")
    with pytest.raises(NotFound):
        services.write_review(completed.order, other.line(other.siti).id, given())


def test_one_review_per_line(completed, in_english):
    line = completed.line(completed.siti)
    services.write_review(completed.order, line.id, given(5))
    with pytest.raises(ReviewRefused, match="already reviewed"):
        services.write_review(completed.order, line.id, given(1))
    assert rating_of(line) == (1, 5, 500)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_stars_outside_one_to_five_are_refused(completed, rating, in_english):
    line = completed.line(completed.siti)
    with pytest.raises(ReviewRefused, match="1 to 5"):
        services.write_review(completed.order, line.id, given(rating))
    assert rating_of(line) == (0, 0, 0)


def test_text_over_the_limit_is_refused(completed, in_english):
    line = completed.line(completed.siti)
    with pytest.raises(ReviewRefused, match="At most 2000"):
        services.write_review(completed.order, line.id, given(text="x" * 2001))


def test_a_review_is_edited_once_and_the_rating_follows(completed, in_english):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, given(2))
    services.edit_review(review, given(5, "Ternyata enak"))
    assert (review.rating, review.text, review.edited_at is not None) == (5, "Ternyata enak", True)
    assert rating_of(line) == (1, 5, 500)
    with pytest.raises(ReviewRefused, match="only once"):
        services.edit_review(review, given(1, "Lagi"))
    db.session.expire_all()
    assert db.session.get(Review, review.id).rating == 5


def test_up_to_three_photos_are_kept_with_renditions(completed, media_dir):
    line = completed.line(completed.siti)
    uploads = [(f"{n}.jpg", photo((400 + n, 300))) for n in range(3)]
    review = services.write_review(completed.order, line.id, given(photos=uploads))
    photos = db.session.scalars(select(ReviewPhoto).where(ReviewPhoto.review_id == review.id)).all()
    assert len(photos) == 3
    for stored in photos:
        assert stored.file_path.startswith(f"reviews/{review.id}/")
        assert (media_dir / stored.file_path).is_file()
        assert stored.rendition_key  # the task ran after the commit (immediate queue)
        assert (media_dir / stored.file_path).parent.joinpath("320.webp").is_file()


def test_the_nightly_clean_up_removes_review_photo_folders_no_row_names(completed, media_dir):
    """A crash between writing a review's photo and committing leaves its folder behind."""
    line = completed.line(completed.siti)
    review = services.write_review(
        completed.order, line.id, given(photos=[("a.jpg", photo((400, 300)))])
    )
    [kept] = review.photos
    orphan = media_dir / f"reviews/{review.id}/{'b' * 28}"
    orphan.mkdir(parents=True)
    (orphan / "original.jpg").write_bytes(b"x")

    removed = remove_orphaned_photo_folders(now=time.time() + 2 * 24 * 3600)

    assert removed == [f"reviews/{review.id}/{'b' * 28}"]
    assert not orphan.exists()
    assert (media_dir / kept.file_path).is_file()


def test_an_edit_removes_photos_closes_up_the_rest_and_their_files_go(completed, media_dir):
    line = completed.line(completed.siti)
    uploads = [(f"{n}.jpg", photo((400 + n, 300))) for n in range(3)]
    review = services.write_review(completed.order, line.id, given(photos=uploads))
    first, second, third = review.photos
    gone = media_dir / first.file_path

    services.edit_review(
        review,
        ReviewInput(4, "", [("d.jpg", photo((600, 300)))], (first.id, third.id)),
    )

    db.session.expire_all()
    photos = db.session.scalars(
        select(ReviewPhoto).where(ReviewPhoto.review_id == review.id).order_by(ReviewPhoto.position)
    ).all()
    assert [(p.id == second.id, p.position) for p in photos] == [(True, 0), (False, 1)]
    assert photos[1].width == 600
    assert not gone.parent.exists()  # the removal task ran after the commit
    assert (media_dir / second.file_path).is_file()


def test_an_edit_cannot_remove_another_reviews_photo_and_changes_nothing(
    completed, media_dir, in_english
):
    siti, budi = completed.line(completed.siti), completed.line(completed.budi)
    mine = services.write_review(
        completed.order, siti.id, given(photos=[("a.jpg", photo((400, 300)))])
    )
    other = services.write_review(
        completed.order, budi.id, given(photos=[("b.jpg", photo((401, 300)))])
    )
    [theirs] = other.photos

    with pytest.raises(ShopError, match="not in your review"):
        services.edit_review(mine, ReviewInput(1, "", [], (theirs.id,)))

    db.session.expire_all()
    assert len(db.session.get(Review, other.id).photos) == 1
    assert db.session.get(Review, mine.id).can_be_edited  # the edit did not happen
    assert (media_dir / theirs.file_path).is_file()


def test_a_fourth_photo_is_refused_and_nothing_is_kept(completed, media_dir, in_english):
    line = completed.line(completed.siti)
    uploads = [(f"{n}.jpg", photo((400 + n, 300))) for n in range(4)]
    with pytest.raises(ShopError, match="at most 3 photos"):
        services.write_review(completed.order, line.id, given(photos=uploads))
    assert db.session.scalar(select(Review.id)) is None
    assert not (media_dir / "reviews").exists() or not any((media_dir / "reviews").rglob("*.jpg"))


def test_an_edit_cannot_pass_three_photos_in_all(completed, media_dir, in_english):
    line = completed.line(completed.siti)
    first = [(f"{n}.jpg", photo((400 + n, 300))) for n in range(2)]
    review = services.write_review(completed.order, line.id, given(photos=first))
    more = [(f"{n}.jpg", photo((500 + n, 300))) for n in range(2)]
    with pytest.raises(ShopError, match="at most 3 photos"):
        services.edit_review(review, given(1, photos=more))
    db.session.expire_all()
    assert db.session.get(Review, review.id).edited_at is None


def test_a_file_that_is_not_a_photo_refuses_the_review_and_leaves_no_file(
    completed, media_dir, in_english
):
    line = completed.line(completed.siti)
    uploads = [("ok.jpg", photo((400, 300))), ("virus.exe", b"MZ not a photo")]
    with pytest.raises(ShopError, match="virus.exe"):
        services.write_review(completed.order, line.id, given(photos=uploads))
    assert db.session.scalar(select(Review.id)) is None
    assert not any(media_dir.rglob("*.jpg"))
    assert rating_of(line) == (0, 0, 0)


def test_the_maker_replies_once(completed, in_english):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, given())
    services.reply_to_review(review, completed.siti, "Terima kasih!")
    assert (review.reply_text, review.replied_by_id) == ("Terima kasih!", completed.siti.user_id)
    with pytest.raises(ReviewRefused, match="already replied"):
        services.reply_to_review(review, completed.siti, "Sekali lagi")
    assert review.reply_text == "Terima kasih!"


def test_another_member_cannot_reply(completed, in_english):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, given())
    with pytest.raises(NotFound):
        services.reply_to_review(review, completed.budi, "Bukan produk saya")
    db.session.expire_all()
    assert db.session.get(Review, review.id).replied_at is None


def test_hiding_needs_a_reason_is_audited_and_takes_the_review_out_of_the_rating(
    completed, in_english
):
    siti_line, budi_line = completed.line(completed.siti), completed.line(completed.budi)
    review = services.write_review(completed.order, siti_line.id, given(1, "Kata kasar"))
    services.write_review(completed.order, budi_line.id, given(5))
    with pytest.raises(ReviewRefused, match="Say why"):
        services.hide_review(review, completed.tani, completed.tani_admin, "  ")
    services.hide_review(review, completed.tani, completed.tani_admin, "Kata-kata kasar")
    assert review.is_hidden and review.hidden_by_id == completed.tani_admin.id
    assert review.text == "Kata kasar"  # hidden, never changed
    assert rating_of(siti_line) == (0, 0, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.hidden"))
    assert entry.target_id == review.id and entry.details["reason"] == "Kata-kata kasar"
    assert entry.actor_id == completed.tani_admin.id


def test_a_hidden_review_shown_again_counts_again(completed, in_english):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, given(3))
    services.hide_review(review, completed.tani, completed.tani_admin, "Salah paham")
    with pytest.raises(ReviewRefused, match="hidden already"):
        services.hide_review(review, completed.tani, completed.tani_admin, "Lagi")
    services.show_review(review, completed.tani, completed.tani_admin)
    assert not review.is_hidden and rating_of(line) == (1, 3, 300)
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "review.shown"))


def test_another_cooperatives_admin_cannot_hide(completed, in_english):
    review = services.write_review(completed.order, completed.line(completed.siti).id, given())
    with pytest.raises(NotFound):
        services.hide_review(review, completed.batik, completed.batik_admin, "Tidak suka")
    assert not review.is_hidden


def test_average_is_rounded_half_up_in_hundredths(completed):
    siti_line = completed.line(completed.siti)
    services.write_review(completed.order, siti_line.id, given(5))
    # Two more completed orders of the same product, rated 4 and 4: 13 / 3 = 4.333...
    product = product_of(siti_line)
    product.rating_count, product.rating_sum = 1, 5
    from shop.reviews.aggregates import add_to_rating

    add_to_rating(product.id, 2, 8)
    assert rating_of(siti_line) == (3, 13, 433)
    assert product_of(siti_line).rating_average == 4.3


def test_recount_computes_ratings_and_sold_counts_from_the_rows(completed):
    line = completed.line(completed.siti)
    services.write_review(completed.order, line.id, given(4))
    product = product_of(line)
    product.rating_count, product.rating_sum, product.rating_average_centi = 9, 9, 100
    product.sold_count = 99
    db.session.commit()
    assert recount_all() >= 1
    product = product_of(line)
    assert (product.rating_count, product.rating_sum, product.rating_average_centi) == (1, 4, 400)
    assert product.sold_count == 3  # the paid order's units


def test_public_name_is_a_first_name_and_an_initial(app):
    assert services.public_name("Siti Rahayu Ningsih") == "Siti N."
    assert services.public_name("Budi") == "Budi"


def test_refunded_units_are_no_longer_sold(completed):
    line = completed.line(completed.siti)
    assert product_of(line).sold_count == 3
    refund_lines(
        completed.order, completed.tani, {line.id: 2}, "Rusak", completed.tani_admin, FakeGateway()
    )
    assert product_of(line).sold_count == 1
