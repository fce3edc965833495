"""A product's photos in the editor: several uploaded at once from a phone, each checked and
cleaned in the request, its renditions made by a task; at most 9; reordered, described and
deleted without touching another product's photos.

The suite runs tasks at once, when the transaction that queued them commits; `held_tasks`
keeps them queued instead, to see what a page shows before a consumer has run them. Files
are not rolled back with the database, so every test gets its own media storage (a folder,
or a bucket with MEDIA_STORAGE_UNDER_TEST=s3; tests/media/fixtures.py).
"""

import io
import struct
import zlib
from datetime import datetime
from posixpath import dirname

import pytest
from PIL import ExifTags, Image, ImageCms
from sqlalchemy import select

from shop.catalog.images import (
    make_renditions,
    picture_sources,
    rendition_path,
    rendition_widths,
    save_product_image,
)
from shop.catalog.models import ProductImage
from shop.catalog.tasks import make_photo_renditions
from shop.extensions import db
from shop.jobs.queue import huey
from shop.media.storage import MediaStorage
from shop.products.photos import (
    MAX_PHOTOS,
    PhotoError,
    add_photos,
    delete_photos,
    reorder_photos,
    set_alt_text,
)
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("media")  # photos in a storage of this test

RED, BLUE = (220, 30, 30), (30, 30, 220)
CAMERA_MAKE = "Kamera Uji Sentosa"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


@pytest.fixture
def held_tasks():
    """The queue keeps tasks in memory, rather than running them at once, until
    run_held_tasks() (as tests/jobs/test_mail_queue.py's `queue` fixture does)."""
    saved = huey.storage, huey._immediate
    huey._immediate = False  # the property would swap the storage back to a fresh one
    huey.storage = huey.get_immediate_storage()
    try:
        yield
    finally:
        huey.storage, huey._immediate = saved


def run_held_tasks() -> int:
    # The test's transaction ends first: every session shares its connection, and a task's
    # savepoint must not nest inside the test's (no consumer shares a transaction).
    db.session.commit()
    runs = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        runs += 1
    return runs


def phone_photo(size=(1200, 900)) -> bytes:
    """What a phone held upright sends: the sensor's landscape pixels (a red top-left quarter
    on blue) with EXIF saying to turn them a quarter clockwise, the camera, where it was
    taken (GPS), a colour profile and XMP."""
    picture = Image.new("RGB", size, BLUE)
    picture.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 47.0, 50.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 22.0, 10.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, exif=exif, icc_profile=srgb, xmp=XMP)
    return buffer.getvalue()


def small_photo(shade: int) -> bytes:
    """A plain photo; shades up to 10 apart are different photos."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (shade * 25 % 256, 90, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header claims this size: a decompression bomb."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def stored_files(image: ProductImage) -> list[str]:
    renditions = [
        rendition_path(image, width, fmt)
        for width in rendition_widths(image)
        for fmt in ("webp", "jpg")
    ]
    return [image.file_path, *renditions]


def files_under(storage: MediaStorage) -> dict[str, datetime]:
    """Each file's key and modification time."""
    return {stored.key: stored.modified for stored in storage.list("")}


def images_of(product) -> list[tuple[int, int]]:
    """(id, position) of a product's images, in position order, from the database."""
    rows = db.session.execute(
        select(ProductImage.id, ProductImage.position)
        .where(ProductImage.product_id == product.id)
        .order_by(ProductImage.position)
    )
    return [tuple(row) for row in rows]


def with_photos(count: int, first_shade: int = 0):
    product = make_product()
    uploads = [(f"{n}.jpg", small_photo(first_shade + n)) for n in range(count)]
    assert add_photos(product, uploads) == []
    return product, [image.id for image in product.images]


def test_phone_photo_is_stored_upright_without_any_metadata(media):
    upload = phone_photo((1200, 900))
    with Image.open(io.BytesIO(upload)) as sent:  # the test photo has what a phone's has
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"icc_profile", "xmp"} <= sent.info.keys()
    product = make_product()

    assert add_photos(product, [("IMG_20261202_101500.jpg", upload)]) == []
    db.session.commit()

    [image] = product.images
    assert (image.width, image.height) == (900, 1200)
    assert rendition_widths(image) == [160, 320, 640]
    for path in stored_files(image):
        data = media.read(path)
        assert CAMERA_MAKE.encode() not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as stored:
            assert stored.size[0] < stored.size[1], path
            assert len(stored.getexif()) == 0, path
            assert not {"exif", "icc_profile", "xmp"} & stored.info.keys(), path
    with Image.open(io.BytesIO(media.read(image.file_path))) as original:
        # The red quarter was top left; turned a quarter clockwise, it is top right.
        assert _near(original.getpixel((800, 100)), RED)
        assert _near(original.getpixel((100, 100)), BLUE)


def _near(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, expected, strict=True))


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("bom.png", png_claiming(20_000, 20_000), "too large: at most 40 megapixels"),
        ("harga.jpg", b"Keripik tempe: Rp 15.000 per bungkus\n", "not a photo we can read"),
        ("potong.jpg", phone_photo()[:6000], "not a photo we can read"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
         "not a photo we can read"),
        ("besar.jpg", phone_photo() + bytes(30 * 1024 * 1024), "too big: at most"),
    ],
    ids=["decompression-bomb", "text-named-jpg", "truncated-jpeg", "svg", "30-mb"],
)  # fmt: skip
def test_refused_file_is_named_with_why_and_leaves_nothing(
    media, in_english, filename, data, message
):
    product = make_product()

    errors = add_photos(product, [(filename, data)])

    assert [error.filename for error in errors] == [filename]
    assert message in errors[0].message
    db.session.commit()
    assert images_of(product) == []
    assert media.list(f"products/{product.id}/") == []


def test_good_photos_of_a_batch_are_kept_next_to_a_refused_one(media, in_english):
    product = make_product()

    errors = add_photos(
        product,
        [("a.jpg", small_photo(10)), ("b.gif", b"GIF89a"), ("c.jpg", small_photo(20))],
    )
    db.session.commit()

    assert [error.filename for error in errors] == ["b.gif"]
    assert [position for _id, position in images_of(product)] == [0, 1]


def test_page_shows_the_original_until_the_task_has_made_the_renditions(
    app, client, media, held_tasks
):
    product = make_product()
    add_photos(product, [("foto.jpg", phone_photo())])
    db.session.commit()
    [image] = product.images

    with app.test_request_context():
        before = picture_sources(image)
    assert (before.webp_srcset, before.jpeg_srcset) == ("", "")
    assert before.src == f"/media/{image.file_path}"
    assert (before.width, before.height) == (900, 1200)
    assert client.get(before.src).status_code == 200
    assert list(files_under(media)) == [image.file_path]

    assert run_held_tasks() == 1

    db.session.refresh(image)
    assert image.rendition_key == image.file_path.split("/")[2]
    with app.test_request_context():
        after = picture_sources(image)
    assert after.src == f"/media/{rendition_path(image, 320, 'jpg')}"
    assert after.webp_srcset.count("w, ") == 2 and after.jpeg_srcset.count("w, ") == 2
    assert set(files_under(media)) == set(stored_files(image))
    assert all(client.get(f"/media/{path}").status_code == 200 for path in stored_files(image))


def test_running_the_rendition_task_again_changes_nothing(media):
    product, [image_id] = with_photos(1)
    db.session.commit()
    files = files_under(media)
    key = db.session.get(ProductImage, image_id).rendition_key

    make_photo_renditions(image_id)  # the task, run at once
    assert make_renditions(image_id) is False

    assert files_under(media) == files
    assert db.session.get(ProductImage, image_id).rendition_key == key


def test_photo_deleted_before_its_renditions_were_made_leaves_no_file(media, held_tasks):
    product, [image_id] = with_photos(1)
    delete_photos(product, [image_id])

    assert make_renditions(image_id) is False
    assert run_held_tasks() == 2  # the renditions (nothing to do), the removal of the folder

    assert files_under(media) == {}


def test_tenth_photo_is_refused(in_english):
    product, _ids = with_photos(MAX_PHOTOS - 1)

    errors = add_photos(product, [("9.jpg", small_photo(100)), ("10.jpg", small_photo(101))])

    assert errors == [PhotoError("10.jpg", "A product can have at most 9 photos.")]
    assert len(images_of(product)) == MAX_PHOTOS
    assert add_photos(product, [("11.jpg", small_photo(102))])[0].filename == "11.jpg"


def test_same_photo_twice_in_one_batch_is_refused_once(in_english):
    product = make_product()

    errors = add_photos(product, [("a.jpg", small_photo(5)), ("a-copy.jpg", small_photo(5))])

    assert [(error.filename, "already has this photo" in error.message) for error in errors] == [
        ("a-copy.jpg", True)
    ]


def test_reorder_puts_the_named_first_and_the_rest_after_in_their_order():
    product, (a, b, c, d) = with_photos(4)
    other, other_ids = with_photos(2, first_shade=50)

    reorder_photos(product, [c, other_ids[1], a])
    db.session.commit()

    assert images_of(product) == [(c, 0), (a, 1), (b, 2), (d, 3)]
    assert [image.id for image in product.images] == [c, a, b, d]
    assert images_of(other) == [(other_ids[0], 0), (other_ids[1], 1)]


def test_reorder_can_reverse_every_photo():
    product, ids = with_photos(MAX_PHOTOS)

    reorder_photos(product, list(reversed(ids)))
    db.session.commit()

    assert images_of(product) == [(image_id, n) for n, image_id in enumerate(reversed(ids))]


def test_alt_text_is_stripped_and_cut_and_only_for_this_products_photos():
    product, (a, b) = with_photos(2)
    other, [other_id] = with_photos(1, first_shade=50)

    set_alt_text(product, {a: "  Keripik tempe dalam toples  ", b: "x" * 250, other_id: "Bukan"})
    db.session.commit()

    assert db.session.get(ProductImage, a).alt_text == "Keripik tempe dalam toples"
    assert db.session.get(ProductImage, b).alt_text == "x" * 200
    assert db.session.get(ProductImage, other_id).alt_text == ""


def test_delete_closes_the_gaps_and_removes_the_files_after_the_commit(media):
    product, (a, b, c, d) = with_photos(4)
    other, [other_id] = with_photos(1, first_shade=50)
    db.session.commit()
    folder_of = {
        image.id: dirname(image.file_path) + "/"
        for image in db.session.scalars(select(ProductImage))
    }

    delete_photos(product, [a, c, other_id])

    assert all(media.list(folder) for folder in folder_of.values())  # until the commit
    db.session.commit()
    assert images_of(product) == [(b, 0), (d, 1)]
    assert [image.id for image in product.images] == [b, d]
    assert images_of(other) == [(other_id, 0)]
    assert [image_id for image_id, folder in folder_of.items() if media.list(folder)] == [
        b,
        d,
        other_id,
    ]


def test_deletion_rolled_back_keeps_the_photo_and_its_files(media):
    product, [image_id] = with_photos(1)
    db.session.commit()
    files = files_under(media)

    delete_photos(product, [image_id])
    db.session.rollback()

    assert images_of(product) == [(image_id, 0)]
    assert files_under(media) == files


def test_same_photo_uploaded_again_before_the_files_are_removed_keeps_them(media, held_tasks):
    product, [image_id] = with_photos(1)
    run_held_tasks()
    delete_photos(product, [image_id])
    db.session.commit()  # the removal is queued, not run

    assert add_photos(product, [("again.jpg", small_photo(0))]) == []
    run_held_tasks()

    [image] = product.images
    assert image.rendition_key
    assert set(files_under(media)) == set(stored_files(image))


def test_files_of_an_upload_not_yet_committed_are_not_removed(media, held_tasks):
    """The removal of a deleted photo's folder runs while the same photo is being uploaded
    again, its file written and its row not yet visible: the new upload has a folder of its
    own, which the removal leaves alone."""
    product, [image_id] = with_photos(1)
    run_held_tasks()
    deleted_folder = dirname(product.images[0].file_path) + "/"
    delete_photos(product, [image_id])
    db.session.commit()  # the removal is queued, not run
    new_path = save_product_image(product, small_photo(0)).file_path
    new_original = media.read(new_path)
    db.session.rollback()  # as if not committed yet: no row names the new folder

    assert run_held_tasks() == 1

    assert media.list(deleted_folder) == []
    assert media.read(new_path) == new_original
