"""The words an admin or a shopper reads for a shipment's stored status."""

from flask_babel import gettext as _

from shop.checkout.models import ShipmentStatus


def shipment_status_label(status: str) -> str:
    labels = {
        ShipmentStatus.PENDING: _("To pack"),
        ShipmentStatus.PACKED: _("Packed"),
        ShipmentStatus.SHIPPED: _("Shipped"),
        ShipmentStatus.DELIVERED: _("Delivered"),
        ShipmentStatus.COMPLETED: _("Completed"),
    }
    return labels.get(status, status)
