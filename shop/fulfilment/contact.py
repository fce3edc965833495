"""The admin's WhatsApp chat with the buyer of a part, with a message ready to send.

The message is written in the shopper's language (their account's, or the one a guest
checked out in), whatever language the admin reads the console in.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

from shop.fulfilment.labels import shipment_status_label
from shop.fulfilment.queries import CoopPart
from shop.notifications.events import shopper_of
from shop.whatsapp import chat_url


def buyer_chat_url(part: CoopPart) -> str | None:
    """wa.me link to the order's contact phone; None when the order has none."""
    with force_locale(shopper_of(part.order).language):
        text = buyer_message(part)
    return chat_url(part.order.contact_phone, text)


def buyer_message(part: CoopPart) -> str:
    """Order number, the part's status in words, the tracking number when there is one,
    and for pickup where and when to collect it; in the current locale."""
    order, shipment = part.order, part.shipment
    lines = [
        _(
            "Hello %(name)s, this is %(coop)s about your order %(number)s on Pasar Koperasi.",
            name=order.contact_name,
            coop=shipment.cooperative.name,
            number=order.number,
        ),
        _("Status: %(status)s", status=shipment_status_label(shipment.status, shipment.method)),
    ]
    if shipment.tracking_number and not part.is_pickup:
        lines.append(_("Tracking number: %(tracking)s", tracking=shipment.tracking_number))
    if part.is_pickup:
        lines.append(_("Pick up at %(place)s", place=part.pickup_place))
        if shipment.cooperative.opening_hours:
            hours = shipment.cooperative.opening_hours
            lines.append(_("Opening hours: %(hours)s", hours=hours))
    return "\n".join(lines)
