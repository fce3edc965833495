"""Removing photo folders that no product image or review photo row points to any more.

A photo's original is written before its row commits (the file must exist when the row
does); a transaction that then rolls back, or a rendition task that finished after its photo
was deleted, leaves files behind. The nightly job removes such folders once their newest file
is a day old, so an upload in progress is safe. It works the same on every storage backend.
"""

import logging
import time
from collections import defaultdict
from posixpath import dirname

from sqlalchemy import select

from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.media.storage import media_storage
from shop.reviews.models import ReviewPhoto

logger = logging.getLogger(__name__)

MIN_AGE_SECONDS = 24 * 60 * 60
PHOTO_FOLDER_DEPTH = 3  # products/<product_id>/<key>, reviews/<review_id>/<key>
# Each root of photo folders, with the column naming the originals kept under it.
PHOTO_ROOTS = (("products/", ProductImage.file_path), ("reviews/", ReviewPhoto.file_path))


def remove_orphaned_photo_folders(now: float | None = None) -> list[str]:
    """Delete products/<id>/<key>/ and reviews/<id>/<key>/ folders whose newest file is over
    a day old and that no ProductImage or ReviewPhoto names; returns the folders' keys."""
    now = now or time.time()
    storage = media_storage()
    folders = defaultdict(list)
    known = set()
    for root, file_path in PHOTO_ROOTS:
        for stored in storage.list(root):
            folder = dirname(stored.key)
            if folder.count("/") + 1 == PHOTO_FOLDER_DEPTH:
                folders[folder].append(stored)
        known.update(dirname(path) for path in db.session.scalars(select(file_path)))
    removed = []
    for folder, files in sorted(folders.items()):
        newest = max(stored.modified.timestamp() for stored in files)
        if folder in known or now - newest < MIN_AGE_SECONDS:
            continue
        storage.delete_many(stored.key for stored in files)
        removed.append(folder)
    if removed:
        logger.info("removed %d orphaned photo folder(s)", len(removed))
    return removed
