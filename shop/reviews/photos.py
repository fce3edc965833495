"""A review's photos: checked, cleaned and stored like a product's (shop/catalog/images.py),
under reviews/<review id>/<key>/, their renditions made by a task after the commit.

All or nothing: one refused file refuses the review (the shopper sends it again without it),
so a review never keeps half of what was sent.
"""

from flask_babel import gettext as _

from shop.catalog.images import (
    HASH_LENGTH,
    InvalidImage,
    clean_photo,
    remove_photo_folder,
    store_original,
)
from shop.errors import ShopError
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.reviews.models import MAX_PHOTOS, Review, ReviewPhoto


def check_photo_count(review_photos: int, uploads: list[tuple[str, bytes]]) -> None:
    """Raise ShopError (field "photos") when the review would have more than MAX_PHOTOS."""
    if review_photos + len(uploads) > MAX_PHOTOS:
        raise ShopError(
            _("A review can have at most %(count)d photos.", count=MAX_PHOTOS), field="photos"
        )


def add_review_photos(review: Review, uploads: list[tuple[str, bytes]]) -> list[str]:
    """Store each upload, given as (filename, data), after the review's photos. Returns the
    originals written (file paths), for the caller to remove if its transaction fails.
    Raises ShopError (field "photos", naming the file) for the first file that is not a
    photo we accept, having removed what it wrote. Flushes."""
    from shop.reviews.tasks import make_review_photo_renditions  # the tasks import models

    check_photo_count(len(review.photos), uploads)
    folders: list[str] = []
    known = {_content_hash(photo.file_path) for photo in review.photos}
    try:
        for filename, data in uploads:
            photo = _store(review, filename, data, known, folders)
            if photo is not None:
                enqueue_after_commit(make_review_photo_renditions, photo.id)
    except Exception:
        remove_folders(folders)
        raise
    return folders


def _store(
    review: Review, filename: str, data: bytes, known: set[str], folders: list[str]
) -> ReviewPhoto | None:
    try:
        clean = clean_photo(data)
    except InvalidImage as error:
        raise ShopError(f"{filename}: {error.message}", field="photos") from error
    if clean.content_hash in known:  # the same photo twice: kept once
        return None
    known.add(clean.content_hash)
    file_path = store_original(f"reviews/{review.id}", clean)
    folders.append(file_path)
    photo = ReviewPhoto(
        file_path=file_path,
        width=clean.picture.width,
        height=clean.picture.height,
        position=len(review.photos),
    )
    review.photos.append(photo)
    db.session.flush()
    return photo


def remove_review_photos(review: Review, photo_ids: list[int]) -> None:
    """Take these photos out of the review (the shopper's edit): their rows go now, the rest
    close up in order, and their folders go once the caller commits (a task, so that a
    rollback keeps the files). Raises ShopError (field "photos") for an id that is not one of
    the review's photos, before changing anything. Flushes."""
    from shop.reviews.tasks import remove_review_photo_files  # the tasks import models

    chosen = set(photo_ids)
    if not chosen <= {photo.id for photo in review.photos}:
        raise ShopError(_("That photo is not in your review."), field="photos")
    removed = [photo for photo in review.photos if photo.id in chosen]
    for photo in removed:
        review.photos.remove(photo)  # delete-orphan: the row goes at the flush
    db.session.flush()
    for position, photo in enumerate(review.photos):
        if photo.position != position:
            photo.position = position
            db.session.flush()  # one at a time: (review, position) is unique
    for photo in removed:
        enqueue_after_commit(remove_review_photo_files, photo.file_path)


def remove_folders(file_paths: list[str]) -> None:
    """The folders of these originals, with any renditions in them."""
    for file_path in file_paths:
        remove_photo_folder(file_path)


def _content_hash(file_path: str) -> str:
    """reviews/<id>/<hash><random>/original.jpg -> <hash>: the same picture has the same."""
    return file_path.split("/")[2][:HASH_LENGTH]
