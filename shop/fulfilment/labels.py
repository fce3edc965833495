"""The words an admin or a shopper reads for a shipment's stored status. Every page, mail and
message takes them from here, so a pickup part reads "Ready for pickup", never "Shipped",
wherever it is shown."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.checkout.models import ShipmentStatus, ShippingMethod

# Looked up lazily, so a label costs the one translation shown, not one per entry.
LABELS = {
    ShipmentStatus.PENDING: _l("To pack"),
    ShipmentStatus.PACKED: _l("Packed"),
    ShipmentStatus.SHIPPED: _l("Shipped"),
    ShipmentStatus.DELIVERED: _l("Delivered"),
    ShipmentStatus.COMPLETED: _l("Completed"),
}


def shipment_status_label(status: str, method: str | None = None) -> str:
    """The status in words for a part sent by `method`; None: any method (a filter)."""
    if status == ShipmentStatus.SHIPPED:
        if method == ShippingMethod.PICKUP:
            return _("Ready for pickup")
        if method is None:
            return _("Shipped or ready for pickup")
    if status == ShipmentStatus.DELIVERED:
        if method == ShippingMethod.PICKUP:
            return _("Picked up")
        if method is None:
            return _("Delivered or picked up")
    label = LABELS.get(status)
    return status if label is None else str(label)
