"""The packing slip of a cooperative's part of an order: who sends it, to whom (or that the
shopper picks it up), how, what is in the parcel, and the order number as a QR code that a
phone can scan at the counter or the courier's drop-off.

The QR code is drawn here, on the server, as inline SVG: the slip prints the same with or
without JavaScript, and needs no image request.
"""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from shop.catalog.models import Product, pre_order_ready_on
from shop.checkout.models import ShippingMethod
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.fulfilment.queries import CoopPart, find_part
from shop.qr import qr_svg
from shop.reports.period import in_jakarta

SLIP_SIZES = ("a6", "a4")  # a 100 x 150 mm label, and a sheet of A4


@dataclass(frozen=True)
class SlipLine:
    product_name: str
    variant_label: str
    quantity: int  # still to send: bought less refunded
    ready_on: date | None  # a pre-order's promised day (Jakarta)


@dataclass(frozen=True)
class PackingSlip:
    part: CoopPart
    lines: list[SlipLine]
    courier_name: str  # the cooperative's courier, for a courier part ("JNE REG")

    @property
    def cooperative(self) -> Cooperative:
        return self.part.shipment.cooperative


def packing_slip(cooperative: Cooperative, number: str) -> PackingSlip | None:
    """The slip of the cooperative's part of a paid order; None where find_part finds none.
    Lines refunded in full are left out: they are not in the parcel."""
    part = find_part(cooperative, number)
    if part is None:
        return None
    # Pre-order days are the product's today (order lines do not copy them), as on the
    # member's list of lines to prepare.
    product_ids = {part_line.line.product_id for part_line in part.lines}
    pre_order_days = dict(
        db.session.execute(
            select(Product.id, Product.pre_order_days).where(Product.id.in_(product_ids))
        ).all()
    )
    paid_on = in_jakarta(part.order.paid_at).date()
    lines = [
        SlipLine(
            product_name=part_line.line.product_name,
            variant_label=part_line.line.variant_label,
            quantity=part_line.refundable,
            ready_on=pre_order_ready_on(paid_on, pre_order_days.get(part_line.line.product_id)),
        )
        for part_line in part.lines
        if part_line.refundable > 0
    ]
    return PackingSlip(part=part, lines=lines, courier_name=_courier_name(part))


def _courier_name(part: CoopPart) -> str:
    if part.shipment.method != ShippingMethod.COURIER:
        return ""
    return part.shipment.courier_service  # as quoted at checkout, whatever the rates now


def slip_qr_svg(text: str, title: str) -> Markup:
    """`text` as a QR code sized by CSS (class "qr"), with a four-module quiet zone so
    scanners find its edges."""
    return qr_svg(text, scale=1, border=4, omitsize=True, svgclass="qr", title=title)
