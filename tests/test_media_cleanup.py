"""The nightly clean-up removes photo folders no image row names, once they are a day old,
on every storage backend."""

import time

from sqlalchemy import select

from shop.catalog.images import rendition_path, rendition_widths, save_product_image
from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.media.cleanup import remove_orphaned_photo_folders
from tests.catalog.test_images import photo
from tests.factories import make_product
from tests.media.fixtures import stored_keys

TWO_DAYS = 2 * 24 * 3600
ORPHAN = f"products/7/{'a' * 28}"


def files_of(image: ProductImage) -> set[str]:
    renditions = {
        rendition_path(image, width, fmt)
        for width in rendition_widths(image)
        for fmt in ("webp", "jpg")
    }
    return {image.file_path} | renditions


def test_the_clean_up_removes_only_old_folders_no_image_names(media_storage):
    image = save_product_image(make_product(), photo((400, 300)))
    db.session.commit()  # the renditions are made
    for name in ("original.jpg", "320.webp"):
        media_storage.save(f"{ORPHAN}/{name}", b"x", "image/jpeg")
    media_storage.save("products/8/notes.jpg", b"x", "image/jpeg")  # not a photo's folder

    assert remove_orphaned_photo_folders(now=time.time()) == []  # an upload may be under way
    removed = remove_orphaned_photo_folders(now=time.time() + TWO_DAYS)

    assert removed == [ORPHAN]
    assert stored_keys(media_storage) == files_of(image) | {"products/8/notes.jpg"}
    assert db.session.scalars(select(ProductImage)).all() == [image]


def test_the_clean_up_leaves_no_empty_folder_behind(media_dir):
    (media_dir / ORPHAN).mkdir(parents=True)
    (media_dir / ORPHAN / "original.jpg").write_bytes(b"x")

    assert remove_orphaned_photo_folders(now=time.time() + TWO_DAYS) == [ORPHAN]

    assert list(media_dir.iterdir()) == []
