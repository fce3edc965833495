"""Tasks on product photos: renditions are made here, not in the request, and a deleted
photo's files are removed once its deletion has committed."""

from shop.catalog import images
from shop.jobs.runner import task


@task(retries=3, retry_delay=30)
def make_photo_renditions(image_id: int) -> None:
    images.make_renditions(image_id)


@task(retries=3, retry_delay=30)
def remove_photo_files(file_path: str) -> None:
    images.remove_photo_files(file_path)
