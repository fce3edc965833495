"""Removing photo folders that no product image row points to any more.

A photo's folder is written before its row commits (the files must exist when the row
does); a transaction that then rolls back, or a deleted image, leaves the folder behind. The
nightly job removes such folders once they are a day old, so an upload in progress is safe.
"""

import logging
import shutil
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from shop.catalog.models import ProductImage
from shop.extensions import db

logger = logging.getLogger(__name__)

MIN_AGE_SECONDS = 24 * 60 * 60


def remove_orphaned_photo_folders(now: float | None = None) -> list[str]:
    """Delete products/<id>/<key>/ folders older than a day that no ProductImage names;
    returns their paths relative to MEDIA_DIR."""
    now = now or time.time()
    root = Path(current_app.config["MEDIA_DIR"]) / "products"
    if not root.is_dir():
        return []
    known = {str(Path(path).parent) for path in db.session.scalars(select(ProductImage.file_path))}
    removed = []
    for folder in sorted(root.glob("*/*")):
        relative = str(folder.relative_to(root.parent))
        if not folder.is_dir() or relative in known:
            continue
        if now - folder.stat().st_mtime < MIN_AGE_SECONDS:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(relative)
    for product_folder in root.iterdir():  # empty product folders left behind
        if product_folder.is_dir() and not any(product_folder.iterdir()):
            product_folder.rmdir()
    if removed:
        logger.info("removed %d orphaned photo folder(s)", len(removed))
    return removed
