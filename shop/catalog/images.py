"""Product photos: every upload is checked, cleaned and stored once, and its resized
renditions (WebP, and JPEG for browsers without WebP) are made right then, never when a page
asks for them.

Files under MEDIA_DIR, one folder per photo:
    products/<product_id>/<key>/original.jpg   the cleaned upload at full size
    products/<product_id>/<key>/<width>.webp   one pair per width of rendition_widths()
    products/<product_id>/<key>/<width>.jpg
<key> is ProductImage.rendition_key, a hash of the content: a new photo gets new URLs, so
browsers, proxies and CDNs may keep every file for a year without asking again.
"""

import hashlib
import io
import re
import secrets
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import current_app, g, url_for
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import func, select

from shop.catalog.models import Product, ProductImage
from shop.errors import ShopError
from shop.extensions import db

RENDITION_WIDTHS = (160, 320, 640, 1280)
FALLBACK_WIDTH = 320  # the <img src> of browsers that ignore srcset
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}  # rendition formats by suffix
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})  # as Pillow names them
MAX_MEGAPIXELS = 40  # a 12 MP phone photo fits; a decompression bomb does not
# WebP refuses sides over 16383 px; 5:1 keeps the tallest rendition (1280 wide) far below.
MAX_ASPECT_RATIO = 5
KEY_LENGTH = 20
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
FINGERPRINTED_PATH = re.compile(rf"products/\d+/[0-9a-f]{{{KEY_LENGTH}}}/[\w.]+")


class InvalidImage(ShopError):
    """An upload that is not a photo we accept. Nothing was stored."""


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
    """Check an uploaded photo, store it upright, without metadata and in sRGB, with its
    renditions, and add it as the product's last image. Flushes; the caller commits.

    Raises InvalidImage for anything but a readable JPEG, PNG or WebP photo of at most
    MAX_MEGAPIXELS and MAX_ASPECT_RATIO, and for a photo the product already has; then no
    row and no file is left.
    """
    data = upload if isinstance(upload, bytes) else upload.read()
    picture = _read_photo(data)
    original = _encode(picture, "JPEG", quality=ORIGINAL_QUALITY)
    key = hashlib.sha256(RENDITION_VERSION + original).hexdigest()[:KEY_LENGTH]
    if db.session.scalar(
        select(ProductImage.id).where(
            ProductImage.product_id == product.id, ProductImage.rendition_key == key
        )
    ):
        raise InvalidImage(_("The product already has this photo."))
    folder = Path(current_app.config["MEDIA_DIR"]) / "products" / str(product.id) / key
    position = db.session.scalar(
        select(func.coalesce(func.max(ProductImage.position) + 1, 0)).where(
            ProductImage.product_id == product.id
        )
    )
    _write_files(folder, picture, original)
    try:
        image = ProductImage(
            product=product,
            file_path=f"products/{product.id}/{key}/{ORIGINAL_NAME}",
            rendition_key=key,
            alt_text=alt_text[:200],
            width=picture.width,
            height=picture.height,
            position=position,
        )
        db.session.add(image)
        db.session.flush()
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return image


def _read_photo(data: bytes) -> Image.Image:
    """The upload decoded and cleaned, or InvalidImage. Pillow parses the header first, so
    the format and size are checked before a single pixel is decoded."""
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


def _check_kind(probe: Image.Image) -> None:
    if probe.format not in ACCEPTED_FORMATS:
        raise InvalidImage(_("Only JPEG, PNG and WebP photos are accepted."))
    width, height = probe.size
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        raise InvalidImage(_too_large())
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise InvalidImage(
            _("This photo is too long and narrow. Please crop it closer to a square.")
        )


def _cleaned(picture: Image.Image) -> Image.Image:
    """Upright (phones store the camera's orientation in EXIF), opaque RGB in sRGB, and with
    no metadata: EXIF can hold the GPS position of a member's home."""
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
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(picture: Image.Image, icc_profile: bytes) -> Image.Image:
    # Browsers assume sRGB for untagged images; converting keeps the colours of a photo taken
    # in a wider space (an iPhone's Display P3) instead of showing them washed out.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(picture, source, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a profile LittleCMS cannot use (or of another mode): keep the pixels


def _encode(picture: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def _write_files(folder: Path, picture: Image.Image, original: bytes) -> None:
    """Write everything into a hidden folder, then rename it into place: a half-written set is
    never visible under its key, and a failure leaves nothing behind."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    incoming = folder.parent / f".incoming-{secrets.token_hex(8)}"
    incoming.mkdir()
    try:
        (incoming / ORIGINAL_NAME).write_bytes(original)
        # Pillow lets go of the GIL while it resizes and encodes, so the renditions already
        # made are encoded on other threads while this one resizes the next.
        with ThreadPoolExecutor(max_workers=ENCODING_THREADS) as pool:
            writes = [
                pool.submit(_write_rendition, incoming, width, rendition)
                for width, rendition in _renditions(picture)
            ]
        for write in writes:
            write.result()  # raises what a thread raised
        if folder.exists():  # from a save whose unit of work was rolled back afterwards
            shutil.rmtree(folder)
        incoming.rename(folder)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise


def _write_rendition(folder: Path, width: int, rendition: Image.Image) -> None:
    # Both formats in one task: Pillow keeps per-save state on the Image object.
    rendition.save(folder / f"{width}.webp", "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    rendition.save(folder / f"{width}.jpg", "JPEG", quality=JPEG_QUALITY, optimize=True)


def _renditions(picture: Image.Image) -> Iterator[tuple[int, Image.Image]]:
    """Largest first, each resized from the one before: for a 12 MP photo about twice as
    fast as resizing the original every time, and it looks the same."""
    previous = picture
    for width in reversed(_widths_for(picture.width)):
        size = (width, max(1, round(picture.height * width / picture.width)))
        if size != previous.size:
            previous = previous.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        yield width, previous


def _widths_for(original_width: int) -> list[int]:
    # Never enlarged: a photo narrower than the smallest width is its only rendition.
    return [width for width in RENDITION_WIDTHS if width <= original_width] or [original_width]


def rendition_widths(image: ProductImage) -> list[int]:
    """The widths an image has renditions at, smallest first."""
    return _widths_for(image.width)


def rendition_path(image: ProductImage, width: int, fmt: str) -> str:
    """A rendition's file, relative to MEDIA_DIR; fmt is "webp" or "jpg"."""
    if fmt not in CONTENT_TYPES or width not in rendition_widths(image):
        raise ValueError(f"image {image.id} has no {width} px {fmt} rendition")
    return f"products/{image.product_id}/{image.rendition_key}/{width}.{fmt}"


def rendition_url(image: ProductImage, width: int, fmt: str) -> str:
    return media_url(rendition_path(image, width, fmt))


def media_url(path: str) -> str:
    """/media/<path>. The prefix is built once per request: a listing page has about 250
    photo URLs, and url_for for each was a tenth of its render time."""
    if "media_url_prefix" not in g:
        g.media_url_prefix = url_for("media.serve", filename="_").removesuffix("_")
    return g.media_url_prefix + quote(path)


def srcset(image: ProductImage, fmt: str) -> str:
    return ", ".join(
        f"{rendition_url(image, width, fmt)} {width}w" for width in rendition_widths(image)
    )


def is_fingerprinted(path: str) -> bool:
    """Whether a file under MEDIA_DIR is named by a content hash, so it never changes."""
    return FINGERPRINTED_PATH.fullmatch(path) is not None


def picture_sources(image: ProductImage) -> PictureSources:
    """The URLs and size for templates/macros/images.html. Images saved before renditions
    existed (rendition_key empty) get their original file."""
    if not image.rendition_key:
        src = media_url(image.file_path)
        return PictureSources("", "", src, image.width, image.height)
    widths = rendition_widths(image)
    fallback = max(width for width in widths if width <= FALLBACK_WIDTH)
    return PictureSources(
        webp_srcset=srcset(image, "webp"),
        jpeg_srcset=srcset(image, "jpg"),
        src=rendition_url(image, fallback, "jpg"),
        width=fallback,
        height=max(1, round(image.height * fallback / image.width)),
    )
