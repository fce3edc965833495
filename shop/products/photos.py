"""A product's photos as its editor changes them: add several at once, reorder (the first is
the cover), describe, delete.

Each service takes the product and touches only its images; each flushes, and the caller
commits. Checking, cleaning and storing a photo is shop/catalog/images.py's job.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from shop.catalog.images import (
    DuplicateImage,
    InvalidImage,
    delete_product_image,
    save_product_image,
)
from shop.catalog.models import Product, ProductImage
from shop.extensions import db

MAX_PHOTOS = 9
MAX_ALT_TEXT = 200  # ProductImage.alt_text


@dataclass(frozen=True)
class PhotoError:
    """Why one uploaded file was refused, to show next to its name."""

    filename: str
    message: str  # translated
    is_duplicate: bool = False  # the product already has this very photo


def add_photos(product: Product, uploads: list[tuple[str, bytes]]) -> list[PhotoError]:
    """Add each acceptable upload, given as (filename, data), after the product's photos, up
    to MAX_PHOTOS in all. Returns one PhotoError per refused file, in upload order: not a
    photo we accept (see save_product_image), already there, or one too many. A refused file
    leaves no row and no file. Flushes."""
    errors = []
    count = len(product.images)
    for filename, data in uploads:
        if count >= MAX_PHOTOS:
            message = _("A product can have at most %(count)s photos.", count=MAX_PHOTOS)
            errors.append(PhotoError(filename, message))
            continue
        try:
            save_product_image(product, data)
        except InvalidImage as error:
            duplicate = isinstance(error, DuplicateImage)
            errors.append(PhotoError(filename, error.message, is_duplicate=duplicate))
            continue
        count += 1
    return errors


def reorder_photos(product: Product, image_ids_in_order: list[int]) -> None:
    """Put the product's photos in this order, the first being the cover. Ids of other
    products' images are ignored; photos not named keep their order after the named ones.
    Flushes."""
    current = _in_position_order(product)
    by_id = {image.id: image for image in current}
    named = [by_id[image_id] for image_id in dict.fromkeys(image_ids_in_order) if image_id in by_id]
    _number(product, named + [image for image in current if image not in named])


def set_alt_text(product: Product, alt_texts: dict[int, str]) -> None:
    """Describe photos for screen readers, by image id (other products' ids are ignored);
    stripped and cut to MAX_ALT_TEXT characters. Empty falls back to the product's name on
    the page. Flushes."""
    for image in product.images:
        if image.id in alt_texts:
            image.alt_text = alt_texts[image.id].strip()[:MAX_ALT_TEXT].rstrip()
    db.session.flush()


def delete_photos(product: Product, image_ids: list[int]) -> None:
    """Delete these photos of the product (other products' ids are ignored) and close the
    gaps, so the first one left is the cover. Their files are removed by a task once the
    caller commits (images.delete_product_image). Flushes."""
    doomed = set(image_ids)
    kept = []
    for image in _in_position_order(product):
        if image.id in doomed:
            delete_product_image(image)
        else:
            kept.append(image)
    db.session.expire(product, ["images"])  # still listing the deleted ones
    _number(product, kept)


def _in_position_order(product: Product) -> list[ProductImage]:
    return sorted(product.images, key=lambda image: image.position)


def _number(product: Product, images: list[ProductImage]) -> None:
    """Give the images positions 0, 1, 2... in this order. (product_id, position) is unique
    and a flush updates rows in primary-key order, not this one: so every image first moves
    past all the positions in use, then to its place."""
    if [image.position for image in images] == list(range(len(images))):
        return
    offset = max(image.position for image in images) + len(images) + 1
    for image in images:
        image.position += offset
    db.session.flush()
    for index, image in enumerate(images):
        image.position = index
    db.session.flush()
    db.session.expire(product, ["images"])  # reloaded in the new order when next read
