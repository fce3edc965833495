"""Renditions of review photos, made after the review commits, never in the request."""

from shop.catalog import images
from shop.jobs.runner import task
from shop.reviews.models import ReviewPhoto


@task(retries=3, retry_delay=30)
def make_review_photo_renditions(photo_id: int) -> None:
    images.make_renditions(photo_id, ReviewPhoto)
