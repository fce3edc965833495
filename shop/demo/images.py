"""Placeholder product photos for the demo, drawn with Pillow: no downloads, no font files.

Each image is a flat colour with a motif for its top category (dots for food, ikat diamonds
for fashion, a woven grid for crafts) and the product's name on a card. They are stored the
way uploads are (shop/catalog/images.py); their renditions are made by the queue's task, as
an upload's are, about 30 ms of CPU each (mostly WebP encoding), by the consumer `make run`
starts (at once, in the tests). They are drawn 640 px wide: enough for a phone's product page,
and a rendition width, so that rendition needs no resizing and none larger is made.
"""

import io
import textwrap
from functools import cache
from typing import NamedTuple

from flask import current_app
from PIL import Image, ImageDraw, ImageFont

from shop.catalog.images import save_product_image
from shop.catalog.models import Product, ProductImage

SIZE = 640
# Handed to save_product_image as an upload, which stores it again at its own quality.
UPLOAD_QUALITY = 95
CARD_MARGIN = 72
TITLE_WIDTH_CHARACTERS = 18

Colour = tuple[int, int, int]


class Palette(NamedTuple):
    background: Colour
    motif: Colour
    ink: Colour


PALETTES = {
    "kuliner": (
        Palette((196, 92, 52), (214, 120, 78), (92, 38, 16)),  # cabai and terracotta
        Palette((222, 164, 54), (234, 188, 96), (104, 66, 10)),  # kunyit
        Palette((96, 140, 72), (124, 164, 98), (36, 64, 24)),  # daun pisang
    ),
    "fashion": (
        Palette((40, 58, 110), (64, 84, 140), (22, 30, 70)),  # nila
        Palette((124, 74, 44), (150, 100, 66), (66, 36, 18)),  # sogan
        Palette((150, 36, 44), (176, 66, 70), (82, 14, 20)),  # mengkudu
    ),
    "kerajinan": (
        Palette((140, 98, 58), (164, 124, 84), (70, 44, 20)),  # jati
        Palette((204, 176, 128), (220, 198, 156), (96, 72, 36)),  # rotan
        Palette((172, 88, 60), (192, 114, 86), (86, 40, 24)),  # tanah liat
    ),
}
CARD_COLOUR = (250, 246, 238)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _draw_dots(draw: ImageDraw.ImageDraw, colour: Colour, step: int) -> None:
    for x in range(0, SIZE + step, step):
        for y in range(0, SIZE + step, step):
            offset = step // 2 if (y // step) % 2 else 0
            radius = step // 4
            draw.ellipse(
                (x + offset - radius, y - radius, x + offset + radius, y + radius), fill=colour
            )


def _draw_diamonds(draw: ImageDraw.ImageDraw, colour: Colour, step: int) -> None:
    half = step // 2
    for x in range(0, SIZE + step, step):
        for y in range(0, SIZE + step, step):
            points = [(x, y - half), (x + half, y), (x, y + half), (x - half, y)]
            draw.polygon(points, outline=colour, width=max(4, step // 12))


def _draw_weave(draw: ImageDraw.ImageDraw, colour: Colour, step: int) -> None:
    for n, position in enumerate(range(0, SIZE + step, step)):
        # Alternate which strands lie on top, as in a plain weave.
        if n % 2:
            draw.rectangle((position, 0, position + step // 3, SIZE), fill=colour)
        else:
            draw.rectangle((0, position, SIZE, position + step // 3), fill=colour)


MOTIFS = {"kuliner": _draw_dots, "fashion": _draw_diamonds, "kerajinan": _draw_weave}


def _draw_card(draw: ImageDraw.ImageDraw, palette: Palette, title: str, caption: str) -> None:
    lines = textwrap.wrap(title, TITLE_WIDTH_CHARACTERS)[:4]
    title_font, caption_font = _font(42), _font(22)
    line_height = 51
    text_height = line_height * len(lines) + 45
    top = (SIZE - text_height) // 2 - 24
    draw.rounded_rectangle(
        (CARD_MARGIN, top, SIZE - CARD_MARGIN, top + text_height + 48), radius=22, fill=CARD_COLOUR
    )
    for n, line in enumerate(lines):
        y = top + 32 + n * line_height + line_height // 2
        draw.text((SIZE // 2, y), line, font=title_font, fill=palette.ink, anchor="mm")
    caption_y = top + 32 + len(lines) * line_height + 26
    draw.text((SIZE // 2, caption_y), caption, font=caption_font, fill=palette.ink, anchor="mm")


# 27 backgrounds (3 themes x 3 palettes x 3 motif sizes) of about 1.2 MB each: drawing each
# once instead of per product takes a quarter off the seeding time.
@cache
def _background(theme: str, palette: Palette, step: int) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), palette.background)
    MOTIFS[theme](ImageDraw.Draw(image), palette.motif, step)
    return image


def draw_product_image(title: str, caption: str, theme: str, variation: int) -> Image.Image:
    """A 640 x 640 picture for a product; `theme` is a top-category slug, `variation` picks
    the palette and motif scale so that neighbouring products look different."""
    palette = PALETTES[theme][variation % len(PALETTES[theme])]
    image = _background(theme, palette, (64, 96, 128)[variation // 3 % 3]).copy()
    _draw_card(ImageDraw.Draw(image), palette, title, caption[:40])
    return image


def write_product_image(product: Product, image: Image.Image) -> ProductImage:
    """Store a drawn picture as the product's next image, the way an upload is stored.

    DEMO_IMAGE_PX below 640 shrinks it first: the tests seed the demo several times and need
    the rows and files, not sharp pictures (renditions are most of the seed's time)."""
    width = current_app.config.get("DEMO_IMAGE_PX", SIZE)
    if width < SIZE:
        image = image.resize((width, width))
    upload = io.BytesIO()
    image.save(upload, "JPEG", quality=UPLOAD_QUALITY)
    return save_product_image(product, upload.getvalue(), alt_text=product.name)
