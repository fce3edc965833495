"""Product and review photos: every upload is checked, cleaned and stored once in the request; its
resized renditions (WebP, and JPEG for browsers without WebP) are made by a task after the
upload commits, never when a page asks for them. Until they exist, pages show the original.

Files in the media storage (shop/media/storage.py: a folder or a bucket), one folder per
upload:
    products/<product_id>/<key>/original.jpg   the cleaned upload at full size
    products/<product_id>/<key>/<width>.webp   one pair per width of rendition_widths()
    products/<product_id>/<key>/<width>.jpg
(and the same under reviews/<review_id>/ for a review's photos, shop/reviews/photos.py)
<key> is a hash of the content (how a product's duplicate photo is recognised) followed by a
random part: each upload gets a folder of its own, in file_path from the start and in
rendition_key once the renditions are made. A folder is written once and never reused, so
browsers, proxies and CDNs may keep every file for a year without asking again, and deleting
a photo's folder can never take the files of a later upload of the same picture (an object
store has no atomic rename to guard that otherwise).
"""

import hashlib
import io
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from posixpath import dirname
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from shop.catalog.models import Product, ProductImage
from shop.errors import ShopError
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.media.storage import MediaStorage, media_storage, media_url

RENDITION_WIDTHS = (160, 320, 640, 1280)
FALLBACK_WIDTH = 320  # the <img src> of browsers that ignore srcset
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}  # rendition formats by suffix
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})  # as Pillow names them
MEGABYTE = 1024 * 1024
MAX_PHOTO_BYTES = 15 * MEGABYTE  # a phone photo is 3-8 MB
MAX_MEGAPIXELS = 40  # a 12 MP phone photo fits; a decompression bomb does not
# WebP refuses sides over 16383 px; 5:1 keeps the tallest rendition (1280 wide) far below.
MAX_ASPECT_RATIO = 5
HASH_LENGTH = 20  # of the content hash that starts a key
UNIQUE_LENGTH = 8  # of the random part after it (keys made before it have none)
# Hashed into every key: bump it when the settings below change, so that renditions made
# again get new URLs instead of hiding behind the year-long cache of the old ones.
RENDITION_VERSION = b"1"
ORIGINAL_NAME = "original.jpg"
ORIGINAL_QUALITY = 90
JPEG_QUALITY = 80
WEBP_QUALITY = 80
# 0 (fast) to 6 (small). Measured on a photo and on the demo's pictures: method 2 takes half
# the time of the default 4, for files 2-3 % larger.
WEBP_METHOD = 2
ENCODING_THREADS = 2
BACKGROUND = (255, 255, 255)  # what transparent parts become: product photos sit on white
FINGERPRINTED_PATH = re.compile(
    rf"(?:products|reviews)/\d+/[0-9a-f]{{{HASH_LENGTH}}}(?:[0-9a-f]{{{UNIQUE_LENGTH}}})?/[\w.]+"
)


if TYPE_CHECKING:
    from PIL import Image, ImageCms

# Pillow is imported by the functions that read or write pixels: a web worker that only
# shows photos (their URLs, below) does not load it (~3 MB).


class InvalidImage(ShopError):
    """An upload that is not a photo we accept. Nothing was stored."""


class DuplicateImage(InvalidImage):
    """A photo the product already has (the same picture, once cleaned)."""


@dataclass(frozen=True)
class PictureSources:
    """What a <picture> element needs; see templates/macros/images.html."""

    webp_srcset: str  # empty for an image without renditions
    jpeg_srcset: str
    src: str
    width: int  # of `src`, so the page can reserve the photo's box before it loads
    height: int


def save_product_image(
    product: Product, upload: bytes | BinaryIO, alt_text: str = ""
) -> ProductImage:
    """Check an uploaded photo, store it upright, without metadata and in sRGB, and add it as
    the product's last image. Flushes; the caller commits, and then a task makes the
    renditions (make_renditions); until it has, pages show the original.

    Raises InvalidImage for a file over upload_limit_bytes(), for anything but a readable
    JPEG, PNG or WebP photo of at most MAX_MEGAPIXELS and MAX_ASPECT_RATIO, and for a photo
    the product already has; then no row and no file is left.
    """
    from shop.catalog.tasks import make_photo_renditions  # the tasks import this module

    photo = clean_photo(upload)
    picture, original = photo.picture, photo.original
    folder = f"products/{product.id}/{photo.content_hash}"
    if db.session.scalar(
        select(ProductImage.id).where(
            ProductImage.product_id == product.id, ProductImage.file_path.startswith(folder)
        )
    ):
        raise DuplicateImage(_("The product already has this photo."))
    file_path = f"{folder}{secrets.token_hex(UNIQUE_LENGTH // 2)}/{ORIGINAL_NAME}"
    storage = media_storage()
    position = db.session.scalar(
        select(func.coalesce(func.max(ProductImage.position) + 1, 0)).where(
            ProductImage.product_id == product.id
        )
    )
    storage.save(file_path, original, CONTENT_TYPES["jpg"])
    try:
        image = ProductImage(
            product=product,
            file_path=file_path,
            rendition_key="",  # pages show the original until the task has made renditions
            alt_text=alt_text.strip()[:200],
            width=picture.width,
            height=picture.height,
            position=position,
        )
        db.session.add(image)
        db.session.flush()
    except Exception:
        storage.delete(file_path)
        raise
    enqueue_after_commit(make_photo_renditions, image.id)
    return image


@dataclass(frozen=True)
class CleanPhoto:
    """An upload checked and cleaned, not stored yet: the picture, its JPEG original and the
    content hash that starts its folder's key."""

    picture: "Image.Image"
    original: bytes
    content_hash: str


def clean_photo(upload: bytes | BinaryIO) -> CleanPhoto:
    """Check and clean an upload (see save_product_image); raises InvalidImage."""
    picture = _read_photo(_read_upload(upload))
    original = _encode(picture, "JPEG", quality=ORIGINAL_QUALITY)
    content_hash = hashlib.sha256(RENDITION_VERSION + original).hexdigest()[:HASH_LENGTH]
    return CleanPhoto(picture, original, content_hash)


def store_original(parent: str, photo: CleanPhoto) -> str:
    """Store a cleaned original in a folder of its own under `parent` ("reviews/12"), the
    way product photos are stored; returns its file_path, for the row and for
    remove_photo_folder should the row not be written."""
    key = f"{photo.content_hash}{secrets.token_hex(UNIQUE_LENGTH // 2)}"
    file_path = f"{parent}/{key}/{ORIGINAL_NAME}"
    media_storage().save(file_path, photo.original, CONTENT_TYPES["jpg"])
    return file_path


def remove_photo_folder(file_path: str) -> bool:
    """Delete every file in the folder of a photo's original; returns whether there were."""
    storage = media_storage()
    keys = [stored.key for stored in storage.list(dirname(file_path) + "/")]
    storage.delete_many(keys)
    return bool(keys)


def upload_limit_bytes() -> int:
    """The largest photo file accepted: MAX_PHOTO_BYTES, or the app's MAX_CONTENT_LENGTH when
    that is smaller (a photo that could never arrive through a form is not taken elsewhere)."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(MAX_PHOTO_BYTES, request_limit) if request_limit else MAX_PHOTO_BYTES


def _read_upload(upload: bytes | BinaryIO) -> bytes:
    limit = upload_limit_bytes()
    # One byte more than allowed is enough to know, however large the stream is.
    data = upload if isinstance(upload, bytes) else upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidImage(
            _(
                "This file is too big: at most %(megabytes)s MB per photo. "
                "Please send a smaller one.",
                megabytes=limit // MEGABYTE,
            )
        )
    return data


def _read_photo(data: bytes) -> "Image.Image":
    """The upload decoded and cleaned, or InvalidImage. Pillow parses the header first, so
    the format and size are checked before a single pixel is decoded."""
    from PIL import Image

    unreadable = _("This file is not a photo we can read. Please upload a JPEG, PNG or WebP photo.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            _check_kind(probe)
            probe.verify()  # checksums, for PNG; a truncated JPEG fails in load() below
        picture = Image.open(io.BytesIO(data))
        picture.load()
        return _cleaned(picture)
    except Image.DecompressionBombError as error:  # over Pillow's own, higher limit
        raise InvalidImage(_too_large()) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidImage(unreadable) from error


def _too_large() -> str:
    return _(
        "This photo is too large: at most %(megapixels)s megapixels. Please send a smaller one.",
        megapixels=MAX_MEGAPIXELS,
    )


def _check_kind(probe: "Image.Image") -> None:
    if probe.format not in ACCEPTED_FORMATS:
        raise InvalidImage(_("Only JPEG, PNG and WebP photos are accepted."))
    width, height = probe.size
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        raise InvalidImage(_too_large())
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise InvalidImage(
            _("This photo is too long and narrow. Please crop it closer to a square.")
        )


def _cleaned(picture: "Image.Image") -> "Image.Image":
    """Upright (phones store the camera's orientation in EXIF), opaque RGB in sRGB, and with
    no metadata: EXIF can hold the GPS position of a member's home."""
    from PIL import Image, ImageOps

    ImageOps.exif_transpose(picture, in_place=True)
    icc_profile = picture.info.get("icc_profile")
    if picture.mode.startswith("I"):  # 16-bit greyscale PNG; convert() would clip it to white
        picture = picture.point(lambda value: value / 256)
    if picture.has_transparency_data:
        rgba = picture.convert("RGBA")
        picture = Image.new("RGB", rgba.size, BACKGROUND)
        picture.paste(rgba, mask=rgba.getchannel("A"))
    if icc_profile:
        picture = _in_srgb(picture, icc_profile)
    if picture.mode != "RGB":
        picture = picture.convert("RGB")
    picture.info = {}
    return picture


@cache
def _srgb_profile() -> "ImageCms.ImageCmsProfile":
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(picture: "Image.Image", icc_profile: bytes) -> "Image.Image":
    from PIL import ImageCms

    # Browsers assume sRGB for untagged images; converting keeps the colours of a photo taken
    # in a wider space (an iPhone's Display P3) instead of showing them washed out.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(picture, source, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a profile LittleCMS cannot use (or of another mode): keep the pixels


def _encode(picture: "Image.Image", image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def make_renditions(image_id: int, model: type = ProductImage) -> bool:
    """Make the renditions of a saved photo (a ProductImage, or a model stored the same way:
    file_path, rendition_key, width, height) from its stored original, then set its
    rendition_key, so that pages show them instead of the original; commits. Does nothing
    and returns False when the image is gone or has its renditions already (the task may run
    twice, even at once: the files are the same, and only one run sets the key)."""
    from PIL import Image

    image = db.session.get(model, image_id)
    if image is None or image.rendition_key:
        return False
    storage = media_storage()
    folder = dirname(image.file_path)
    # A missing original raises MediaNotFound: the task is retried, and if the row is gone
    # by then (deleted with its files), the retry does nothing.
    with Image.open(io.BytesIO(storage.read(image.file_path))) as original:
        original.load()
        original.info = {}  # stripped already; nothing of the JPEG's header is carried over
        _write_renditions(storage, folder, original)
    updated = db.session.execute(
        update(model)
        .where(model.id == image_id, model.rendition_key == "")
        .values(rendition_key=folder.rsplit("/", 1)[-1])
    )
    db.session.commit()
    return updated.rowcount == 1


def delete_product_image(image: ProductImage) -> None:
    """Delete an image's row, and its folder once the caller commits (a task, so that a
    rollback keeps the files). Flushes."""
    from shop.catalog.tasks import remove_photo_files  # the tasks import this module

    file_path = image.file_path
    db.session.delete(image)
    db.session.flush()
    enqueue_after_commit(remove_photo_files, file_path)


def remove_photo_files(file_path: str) -> bool:
    """Remove the folder of a deleted image; returns whether there were files. No other
    upload ever writes into it (each has a folder of its own), so it is only kept when a row
    still names it (a deletion that did not happen after all). A rendition task still running
    may write a file after this: the nightly clean-up takes it."""
    if db.session.scalar(select(ProductImage.id).where(ProductImage.file_path == file_path)):
        return False
    return remove_photo_folder(file_path)


def _write_renditions(storage: MediaStorage, folder: str, picture: "Image.Image") -> None:
    # Pillow lets go of the GIL while it resizes and encodes, so the renditions already made
    # are encoded (and uploaded) on other threads while this one resizes the next.
    with ThreadPoolExecutor(max_workers=ENCODING_THREADS) as pool:
        writes = [
            pool.submit(_write_rendition, storage, folder, width, rendition)
            for width, rendition in _renditions(picture)
        ]
    for write in writes:
        write.result()  # raises what a thread raised


def _write_rendition(
    storage: MediaStorage, folder: str, width: int, rendition: "Image.Image"
) -> None:
    # Both formats in one thread: Pillow keeps per-save state on the Image object.
    webp = _encode(rendition, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    storage.save(f"{folder}/{width}.webp", webp, CONTENT_TYPES["webp"])
    jpeg = _encode(rendition, "JPEG", quality=JPEG_QUALITY, optimize=True)
    storage.save(f"{folder}/{width}.jpg", jpeg, CONTENT_TYPES["jpg"])


def _renditions(picture: "Image.Image") -> Iterator[tuple[int, "Image.Image"]]:
    """Largest first, each resized from the one before: for a 12 MP photo about twice as
    fast as resizing the original every time, and it looks the same."""
    from PIL import Image

    previous = picture
    for width in reversed(widths_for_original(picture.width)):
        size = (width, max(1, round(picture.height * width / picture.width)))
        if size != previous.size:
            previous = previous.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        yield width, previous


def widths_for_original(original_width: int) -> list[int]:
    """The widths a photo this wide has renditions at, smallest first."""
    # Never enlarged: a photo narrower than the smallest width is its only rendition.
    return [width for width in RENDITION_WIDTHS if width <= original_width] or [original_width]


def rendition_widths(image: ProductImage) -> list[int]:
    """The widths an image has renditions at, smallest first."""
    return widths_for_original(image.width)


def rendition_path(image: ProductImage, width: int, fmt: str) -> str:
    """A rendition's key in the media storage; fmt is "webp" or "jpg"."""
    if not image.rendition_key:
        raise ValueError(f"image {image.id} has no renditions yet")
    if fmt not in CONTENT_TYPES or width not in rendition_widths(image):
        raise ValueError(f"image {image.id} has no {width} px {fmt} rendition")
    # Beside the original: products/<id>/<key>/ or reviews/<id>/<key>/.
    parent = dirname(dirname(image.file_path))
    return f"{parent}/{image.rendition_key}/{width}.{fmt}"


def rendition_url(image: ProductImage, width: int, fmt: str) -> str:
    return media_url(rendition_path(image, width, fmt))


def srcset(image: ProductImage, fmt: str) -> str:
    return ", ".join(
        f"{rendition_url(image, width, fmt)} {width}w" for width in rendition_widths(image)
    )


def is_fingerprinted(path: str) -> bool:
    """Whether a media file is in a photo's own folder, so it never changes."""
    return FINGERPRINTED_PATH.fullmatch(path) is not None


def picture_sources(image: ProductImage) -> PictureSources:
    """The URLs and size for templates/macros/images.html. Images saved before renditions
    existed (rendition_key empty) get their original file."""
    if not image.rendition_key:
        src = media_url(image.file_path)
        return PictureSources("", "", src, image.width, image.height)
    widths = rendition_widths(image)
    fallback = max(width for width in widths if width <= FALLBACK_WIDTH)
    # One URL for the renditions' folder (as rendition_path() places them, without its
    # checks: these widths are the image's own), then plain strings: a listing has 24
    # pictures of 9 URLs each, and a media_url() per URL was a tenth of its render.
    folder = media_url(f"{dirname(dirname(image.file_path))}/{image.rendition_key}/")
    return PictureSources(
        webp_srcset=", ".join([f"{folder}{width}.webp {width}w" for width in widths]),
        jpeg_srcset=", ".join([f"{folder}{width}.jpg {width}w" for width in widths]),
        src=f"{folder}{fallback}.jpg",
        width=fallback,
        height=max(1, round(image.height * fallback / image.width)),
    )
