"""Product photos: checked and stored once when saved, their renditions made by a task once
the save commits (the suite runs tasks at once, so at db.session.commit()), served with a
year-long cache, and drawn by the macros in templates/macros/images.html.

Files are not rolled back with the database, so every test gets its own media storage: a
folder, or a bucket with MEDIA_STORAGE_UNDER_TEST=s3 (tests/media/fixtures.py); the tests
marked so run on both.
"""

import io
import struct
import zlib
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from PIL import Image, ImageCms
from sqlalchemy import select

from shop.catalog.images import (
    MAX_PHOTO_BYTES,
    InvalidImage,
    PictureSources,
    picture_sources,
    rendition_path,
    rendition_widths,
    save_product_image,
)
from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.media.storage import MediaStorage
from tests.factories import make_product
from tests.media.fixtures import stored_keys

pytestmark = pytest.mark.usefixtures("media")  # photos in a storage of this test

ORIENTATION = 0x0112
ROTATED_90_CLOCKWISE = 6  # what a phone held upright writes for its sideways sensor
CAMERA_MAKE = 0x010F
RED, BLUE, WHITE = (220, 30, 30), (30, 30, 220), (255, 255, 255)


def photo(size=(1600, 1200), image_format="JPEG", **options) -> bytes:
    """A blue picture with a red top-left quarter, so turning it shows."""
    picture = Image.new("RGB", size, BLUE)
    picture.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its few bytes could never hold: a decompression bomb."""
    data = bytearray(photo((1, 1), "PNG"))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def opened(storage: MediaStorage, key: str) -> Image.Image:
    return Image.open(io.BytesIO(storage.read(key)))


def expected_files(image: ProductImage) -> set[str]:
    renditions = {
        rendition_path(image, width, fmt)
        for width in rendition_widths(image)
        for fmt in ("webp", "jpg")
    }
    return {image.file_path} | renditions


def saved(data: bytes, **options) -> ProductImage:
    """A photo saved and committed, so its renditions are made."""
    image = save_product_image(make_product(), data, **options)
    db.session.commit()
    return image


def test_request_stores_only_the_original_and_pages_show_it_until_the_renditions_exist(app, media):
    product = make_product()

    image = save_product_image(product, photo((1600, 1200)))

    key = image.file_path.split("/")[2]
    assert image.file_path == f"products/{product.id}/{key}/original.jpg"
    assert image.rendition_key == ""
    assert stored_keys(media) == {image.file_path}
    with app.test_request_context():
        sources = picture_sources(image)
    assert sources == PictureSources("", "", f"/media/{image.file_path}", 1600, 1200)
    with pytest.raises(ValueError, match="no renditions yet"):
        rendition_path(image, 640, "webp")

    db.session.commit()  # the task runs

    assert image.rendition_key == key
    assert stored_keys(media) == expected_files(image)


def test_photo_is_stored_once_with_webp_and_jpeg_renditions_at_every_width(media):
    product = make_product()

    image = save_product_image(product, photo((1600, 1200)), alt_text="Keripik di piring")
    db.session.commit()

    assert db.session.scalars(select(ProductImage)).all() == [image]
    assert (image.product_id, image.position, image.alt_text) == (
        product.id,
        0,
        "Keripik di piring",
    )
    assert len(image.rendition_key) == 28 and int(image.rendition_key, 16) >= 0
    assert image.file_path == f"products/{product.id}/{image.rendition_key}/original.jpg"
    assert (image.width, image.height) == (1600, 1200)
    assert stored_keys(media) == expected_files(image)
    with opened(media, image.file_path) as original:
        assert (original.format, original.size) == ("JPEG", (1600, 1200))
    for width in (160, 320, 640, 1280):
        for fmt, pillow_format in (("webp", "WEBP"), ("jpg", "JPEG")):
            with opened(media, rendition_path(image, width, fmt)) as rendition:
                assert rendition.format == pillow_format
                assert rendition.size == (width, width * 3 // 4)


@pytest.mark.parametrize(
    ("width", "widths"),
    [(100, [100]), (500, [160, 320]), (1280, [160, 320, 640, 1280]),
     (2400, [160, 320, 640, 1280])],
)  # fmt: skip
def test_renditions_go_up_to_the_original_width_and_never_beyond(media, width, widths):
    image = saved(photo((width, width), "PNG"))

    assert rendition_widths(image) == widths
    assert stored_keys(media) == expected_files(image)
    for rendition_width in widths:
        with opened(media, rendition_path(image, rendition_width, "webp")) as rendition:
            assert rendition.size == (rendition_width, rendition_width)


def test_exif_orientation_is_applied_and_metadata_stripped(media):
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATED_90_CLOCKWISE
    exif[CAMERA_MAKE] = "Kamera Uji"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    image = saved(photo((400, 300), exif=exif, icc_profile=srgb, quality=95))

    assert (image.width, image.height) == (300, 400)  # stored upright
    for path in (image.file_path, rendition_path(image, 160, "webp")):
        with opened(media, path) as stored:
            assert stored.size[0] < stored.size[1]
            assert len(stored.getexif()) == 0
            assert "icc_profile" not in stored.info and "exif" not in stored.info
    with opened(media, image.file_path) as original:
        # The red quarter was top left; turned a quarter clockwise, it is top right.
        assert _near(original.getpixel((250, 50)), RED)
        assert _near(original.getpixel((50, 50)), BLUE)


def test_transparent_parts_become_white(media):
    picture = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")

    image = saved(buffer.getvalue())

    with opened(media, rendition_path(image, 160, "jpg")) as rendition:
        assert _near(rendition.getpixel((80, 80)), WHITE)


def _near(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, expected, strict=True))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 this is a document, not a photo", "not a photo we can read"),
        (photo()[:2000], "not a photo we can read"),  # a truncated JPEG
        (photo((300, 300), "PNG")[:-40], "not a photo we can read"),  # a truncated PNG
        (b"", "not a photo we can read"),
        (photo((300, 300), "GIF"), "Only JPEG, PNG and WebP"),
        (photo((300, 300), "BMP"), "Only JPEG, PNG and WebP"),
        (png_claiming(8000, 6000), "too large"),  # 48 megapixels: over our limit
        (png_claiming(100_000, 100_000), "too large"),  # over Pillow's own limit too
        (photo((1200, 200)), "too long and narrow"),
    ],
    ids=["not-an-image", "truncated-jpeg", "truncated-png", "empty", "gif", "bmp",
         "48-megapixels", "decompression-bomb", "6-to-1"],
)  # fmt: skip
def test_unacceptable_upload_is_refused_and_leaves_no_row_and_no_file(
    media, in_english, data, message
):
    product = make_product()

    with pytest.raises(InvalidImage) as refused:
        save_product_image(product, data)

    assert message in refused.value.message
    assert db.session.scalars(select(ProductImage)).all() == []
    assert stored_keys(media) == set()


def test_refusal_is_in_indonesian_by_default():
    with pytest.raises(InvalidImage) as refused:
        save_product_image(make_product(), photo((300, 300), "GIF"))

    assert refused.value.message.startswith("Hanya foto JPEG, PNG")


def test_same_photo_twice_is_refused_and_the_first_is_kept(media, in_english):
    product = make_product()
    first = save_product_image(product, photo())

    # Before the first one's renditions exist, too.
    with pytest.raises(InvalidImage, match="already has this photo"):
        save_product_image(product, io.BytesIO(photo()))
    db.session.commit()

    assert db.session.scalars(select(ProductImage)).all() == [first]
    assert stored_keys(media) == expected_files(first)


@pytest.mark.parametrize(
    ("request_limit", "megabytes"), [(None, 15), (8 * 1024 * 1024, 8), (40 * 1024 * 1024, 15)]
)
def test_file_over_the_photo_or_request_limit_is_refused_before_it_is_read(
    app, media, monkeypatch, in_english, request_limit, megabytes
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", request_limit)
    limit = min(MAX_PHOTO_BYTES, request_limit or MAX_PHOTO_BYTES)
    jpeg = photo((300, 300))
    padded = jpeg + bytes(limit - len(jpeg))  # what follows the JPEG's end is ignored
    product = make_product()

    with pytest.raises(InvalidImage) as refused:
        save_product_image(product, io.BytesIO(padded + b"\0"))
    image = save_product_image(product, padded)  # exactly at the limit

    assert f"too big: at most {megabytes} MB" in refused.value.message
    assert db.session.scalars(select(ProductImage)).all() == [image]


def test_next_photo_takes_the_next_position_in_its_own_folder(media):
    product = make_product()
    first = save_product_image(product, photo((800, 800)))

    second = save_product_image(product, io.BytesIO(photo((800, 600), "WEBP")))
    db.session.commit()

    assert (first.position, second.position) == (0, 1)
    assert first.rendition_key != second.rendition_key
    assert product.images == [first, second]
    assert stored_keys(media) == expected_files(first) | expected_files(second)


def test_failure_after_the_files_are_written_removes_them(media, monkeypatch):
    product = make_product()

    def failing_flush(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "flush", failing_flush)
    with pytest.raises(RuntimeError):
        save_product_image(product, photo())
    monkeypatch.undo()
    db.session.rollback()

    assert stored_keys(media) == set()


def test_rendition_is_served_with_a_year_long_immutable_cache(client, media_storage):
    media = media_storage  # on both backends
    image = saved(photo())

    for fmt, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        url = f"/media/{rendition_path(image, 640, fmt)}"
        response = client.get(url)
        head = client.head(url)

        assert response.status_code == 200 and head.status_code == 200
        assert response.content_type == head.content_type == content_type
        assert response.headers["Cache-Control"] == head.headers["Cache-Control"]
        assert set(response.headers["Cache-Control"].split(", ")) == {
            "public",
            "max-age=31536000",
            "immutable",
        }
        assert "Set-Cookie" not in response.headers
        assert response.data == media.read(rendition_path(image, 640, fmt))
        assert head.data == b""


def test_file_without_a_content_hash_is_cached_only_briefly(client, media):
    media.save("products/7/1.jpg", photo((200, 200)), "image/jpeg")

    response = client.get("/media/products/7/1.jpg")

    assert response.status_code == 200
    assert set(response.headers["Cache-Control"].split(", ")) == {"public", "max-age=3600"}


@pytest.mark.parametrize(
    "path",
    [
        "/media/products/1/0123456789abcdef0123/640.webp",  # no such file
        "/media/../config.py",
        "/media/..%2F..%2Fconfig.py",
        "/media/%2e%2e/%2e%2e/config.py",
        "/media/..%2Foutside.jpg",  # a real image, but outside MEDIA_DIR
        "/media/products/../../outside.jpg",
        "/media/products/1/.incoming-0a1b/640.jpg",  # a photo still being written
        "/media/notes.txt",
    ],
)
def test_unknown_hidden_or_outside_file_is_not_found(client, media_dir, path):
    (media_dir.parent / "outside.jpg").write_bytes(photo((200, 200)))
    hidden = media_dir / "products" / "1" / ".incoming-0a1b" / "640.jpg"
    hidden.parent.mkdir(parents=True)
    hidden.write_bytes(photo((200, 200)))
    (media_dir / "notes.txt").write_text("private")

    assert client.get(path).status_code == 404


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found[tag] = dict(attrs)


def render_picture(app, image: ProductImage, call: str) -> dict[str, dict[str, str | None]]:
    template = '{% from "macros/images.html" import product_picture %}{{ ' + call + " }}"
    with app.test_request_context():
        return _Tags(render_template_string(template, image=image)).found


def test_picture_offers_every_width_in_both_formats_with_size_and_lazy_loading(app, client):
    image = saved(photo((1600, 1200)))

    tags = render_picture(app, image, 'product_picture(image, sizes="50vw")')

    source, img = tags["source"], tags["img"]
    assert source["type"] == "image/webp" and source["sizes"] == img["sizes"] == "50vw"
    for width in (160, 320, 640, 1280):
        assert f"/media/{rendition_path(image, width, 'webp')} {width}w" in source["srcset"]
        assert f"/media/{rendition_path(image, width, 'jpg')} {width}w" in img["srcset"]
    assert img["src"] == f"/media/{rendition_path(image, 320, 'jpg')}"
    assert (img["width"], img["height"]) == ("320", "240")
    assert (img["loading"], img["decoding"]) == ("lazy", "async")
    assert "fetchpriority" not in img
    assert img["alt"] == image.product.name
    urls = [entry.split()[0] for entry in source["srcset"].split(", ") + img["srcset"].split(", ")]
    assert all(client.get(url).status_code == 200 for url in [*urls, img["src"]])


def test_first_photo_of_a_product_page_loads_eagerly_with_high_priority(app):
    image = saved(photo((500, 1000)), alt_text="Keripik dalam toples")

    img = render_picture(app, image, 'product_picture(image, sizes="100vw", eager=True)')["img"]

    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")
    assert img["alt"] == "Keripik dalam toples"
    assert img["src"].endswith("/320.jpg") and (img["width"], img["height"]) == ("320", "640")


def test_alt_text_can_be_left_empty_next_to_the_product_name(app):
    image = saved(photo((200, 200)), alt_text="Keripik")

    img = render_picture(app, image, 'product_picture(image, sizes="50vw", alt="")')["img"]

    assert img["alt"] == ""


def test_small_photo_falls_back_to_its_largest_rendition(app):
    image = saved(photo((120, 90)))

    tags = render_picture(app, image, 'product_picture(image, sizes="50vw")')

    assert tags["img"]["src"].endswith("/120.jpg")
    assert tags["source"]["srcset"].endswith("/120.webp 120w")


def test_image_saved_before_renditions_existed_shows_its_original(app):
    product = make_product()
    image = ProductImage(
        product=product, file_path=f"products/{product.id}/1.jpg", width=800, height=600
    )
    db.session.add(image)
    db.session.flush()

    tags = render_picture(app, image, 'product_picture(image, sizes="50vw")')

    assert "source" not in tags and "srcset" not in tags["img"]
    assert tags["img"]["src"] == f"/media/products/{product.id}/1.jpg"
    assert (tags["img"]["width"], tags["img"]["height"]) == ("800", "600")


def test_missing_photo_is_a_box_that_costs_no_request(app):
    template = (
        '{% from "macros/images.html" import no_picture %}'
        "{{ no_picture() }}|{{ no_picture(decorative=False) }}"
    )
    with app.test_request_context():
        decorative, labelled = render_template_string(template).split("|")

    assert "src=" not in decorative + labelled and "<img" not in decorative + labelled
    assert 'aria-hidden="true"' in decorative
    assert 'role="img"' in labelled and "aria-label=" in labelled
