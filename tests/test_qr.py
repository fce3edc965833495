"""One QR helper (shop/qr.py) draws both the QRIS code of the payment panel and the order
number on a packing slip; each keeps the drawing it had when it had its own copy."""

import re
from pathlib import Path

import segno

from shop.fulfilment.slips import slip_qr_svg
from shop.payments import panel

SHOP = Path(__file__).resolve().parents[1] / "shop"
QRIS = "00020101021226610014COM.GO-JEK.WWW01189360091430000000000303UMI5204581253033605802ID"


def test_the_payment_panel_draws_the_qris_code_as_before():
    before = segno.make(QRIS, error="m", micro=False).svg_inline(scale=5, border=2)

    assert panel._qris_svg(QRIS) == before
    assert 'class="segno"' in before  # what tests/payments/test_instructions.py looks for


def test_a_slip_draws_its_code_as_before_and_never_as_a_micro_qr():
    before = segno.make("PK-1", error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", title="Pesanan PK-1"
    )

    drawn = slip_qr_svg("PK-1", "Pesanan PK-1")

    assert drawn == before
    assert 'viewBox="0 0 29 29"' in drawn  # 21 modules (version 1, not Micro) + 2 x 4 border


def test_only_shop_qr_imports_segno():
    importers = [
        str(path.relative_to(SHOP))
        for path in SHOP.rglob("*.py")
        if re.search(r"^\s*(import segno|from segno)", path.read_text(), re.M)
    ]
    assert importers == ["qr.py"]
