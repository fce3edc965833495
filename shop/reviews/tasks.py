"""Renditions of review photos, made after the review commits, never in the request; and
the files of a photo the shopper removed, once that removal commits."""

from sqlalchemy import select

from shop.catalog import images
from shop.extensions import db
from shop.jobs.runner import task
from shop.reviews.models import ReviewPhoto


@task(retries=3, retry_delay=30)
def make_review_photo_renditions(photo_id: int) -> None:
    images.make_renditions(photo_id, ReviewPhoto)


@task(retries=3, retry_delay=30)
def remove_review_photo_files(file_path: str) -> bool:
    """Remove a removed photo's folder; kept while a row still names it (a removal that did
    not happen after all). Returns whether files went."""
    if db.session.scalar(select(ReviewPhoto.id).where(ReviewPhoto.file_path == file_path)):
        return False
    return images.remove_photo_folder(file_path)
