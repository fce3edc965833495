"""The demo seed's drawn images go through the media storage, on both backends: kept when it
commits, removed when it fails, and an earlier demo's replaced by a reset. Small: only the
first few products get images (tests/demo/test_seed.py seeds the whole demo)."""

import pytest
from sqlalchemy import select

import shop.demo.seed
from shop.catalog.images import rendition_path, rendition_widths
from shop.catalog.models import ProductImage
from shop.demo.seed import seed_demo
from shop.extensions import db
from tests.media.fixtures import stored_keys

PICTURED_PRODUCTS = 4


@pytest.fixture(autouse=True)
def few_pictured_products(monkeypatch):
    real_add_images = shop.demo.seed._add_images

    def add_few_images(new_products, on_product):
        return real_add_images(new_products[:PICTURED_PRODUCTS], on_product)

    monkeypatch.setattr(shop.demo.seed, "_add_images", add_few_images)


def keys_of_every_image() -> set[str]:
    keys = set()
    for image in db.session.scalars(select(ProductImage)):
        keys.add(image.file_path)
        for width in rendition_widths(image):
            keys |= {rendition_path(image, width, fmt) for fmt in ("webp", "jpg")}
    return keys


def test_seed_stores_its_images_and_a_reset_replaces_them(media_storage):
    media_storage.save("products/999999/1.jpg", b"left over", "image/jpeg")

    first = seed_demo()
    first_keys = stored_keys(media_storage)
    second = seed_demo(reset=True)

    assert first.images == second.images >= PICTURED_PRODUCTS
    assert stored_keys(media_storage) == keys_of_every_image()
    assert len(keys_of_every_image()) == 3 * second.images  # original + webp + jpg at 160 px
    assert not first_keys & stored_keys(media_storage)  # the first demo's and the orphan gone


def test_failed_seed_removes_its_images_and_keeps_earlier_ones(media_storage, monkeypatch):
    media_storage.save("products/999998/1.jpg", b"earlier", "image/jpeg")

    real_write = shop.demo.seed.write_product_image
    written = []

    def write_then_fail(*args):
        if len(written) == 3:
            raise OSError("disk full")
        written.append(real_write(*args))
        return written[-1]

    monkeypatch.setattr(shop.demo.seed, "write_product_image", write_then_fail)

    with pytest.raises(OSError):
        seed_demo()

    assert stored_keys(media_storage) == {"products/999998/1.jpg"}
