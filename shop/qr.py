"""QR codes as inline SVG: the QRIS code a shopper scans to pay, and the order number on a
packing slip. Drawn here from their text, so no image is loaded from Midtrans or anyone."""

from markupsafe import Markup


def qr_svg(text: str, **svg_options) -> Markup:
    """`text` as a QR code in inline SVG; `svg_options` are segno's svg_inline options
    (scale, border, title, svgclass, omitsize). Never a Micro QR: few phone cameras and no
    QRIS reader read those."""
    import segno  # here: only pages with a code draw one (a worker need not load it)

    code = segno.make(text, error="m", micro=False)
    # segno writes only paths and sizes and escapes the title: `text` becomes squares.
    return Markup(code.svg_inline(**svg_options))  # nosec B704
