"""A review's photos: checked, cleaned and stored like a product's (shop/catalog/images.py),
under reviews/<review id>/<key>/, their renditions made by a task after the commit.

All or nothing: one refused file refuses the review (the shopper sends it again without it),
so a review never keeps half of what was sent.
"""

import shutil
from pathlib import Path

from flask_babel import gettext as _

from shop.catalog.images import ORIGINAL_NAME, InvalidImage, clean_photo, write_original
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


def add_review_photos(review: Review, uploads: list[tuple[str, bytes]]) -> list[Path]:
    """Store each upload, given as (filename, data), after the review's photos. Returns the
    folders written, for the caller to remove if its transaction fails. Raises ShopError
    (field "photos", naming the file) for the first file that is not a photo we accept,
    having removed what it wrote. Flushes."""
    from shop.reviews.tasks import make_review_photo_renditions  # the tasks import models

    check_photo_count(len(review.photos), uploads)
    folders: list[Path] = []
    known = {photo.file_path for photo in review.photos}
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
    review: Review, filename: str, data: bytes, known: set[str], folders: list[Path]
) -> ReviewPhoto | None:
    try:
        clean = clean_photo(data)
    except InvalidImage as error:
        raise ShopError(f"{filename}: {error.message}", field="photos") from error
    file_path = f"reviews/{review.id}/{clean.key}/{ORIGINAL_NAME}"
    if file_path in known:  # the same photo twice: kept once
        return None
    known.add(file_path)
    folders.append(write_original(file_path, clean.original))
    photo = ReviewPhoto(
        file_path=file_path,
        width=clean.picture.width,
        height=clean.picture.height,
        position=len(review.photos),
    )
    review.photos.append(photo)
    db.session.flush()
    return photo


def remove_folders(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
