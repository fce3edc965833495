"""Shipping per cooperative: the ways each one sends a parcel to an address, and the fee.

Every cooperative sends its own part of an order. It may offer pickup at the cooperative
(free), local delivery inside its own city (one flat fee) and courier services priced by
destination zone and weight (courier_rates.py). The admin sets these (shipping_settings.py);
the fee of an order is always worked out here, never taken from the shopper.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from shop.catalog.models import ProductVariant
from shop.checkout.courier_rates import CourierQuote, Destination, eta_label, shipping_rates
from shop.checkout.models import OrderShipment, ShippingMethod, ShippingSettings
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db

VOLUMETRIC_DIVISOR = 6000  # cm3 per kg, as JNE, J&T and SiCepat count it
_KEPT_SETTINGS = "shipping_settings"  # db.session.info key: see settings_for


class ShippingUnavailable(ShopError):
    pass


@dataclass(frozen=True)
class ShippingChoice:
    """What the shopper ticked for one cooperative: a method and, for a courier, its service.

    A courier without a service (as a caller may ask) means the cheapest service that goes
    to the address; the checkout page always names the service."""

    method: ShippingMethod
    service_id: int | None = None

    @property
    def value(self) -> str:
        """The radio button's value: "pickup", "local", "courier-12"."""
        if self.service_id is None:
            return str(self.method)
        return f"{self.method}-{self.service_id}"

    @classmethod
    def parse(cls, text: str | None) -> "ShippingChoice | None":
        """The choice a posted value names; None for anything else."""
        match = re.fullmatch(
            r"(?P<method>[a-z]{1,10})(?:-(?P<service>[1-9][0-9]{0,9}))?", text or ""
        )
        if match is None or match["method"] not in set(ShippingMethod):
            return None
        method = ShippingMethod(match["method"])
        if match["service"] and method != ShippingMethod.COURIER:
            return None
        return cls(method, int(match["service"]) if match["service"] else None)

    @classmethod
    def of(cls, choice: "ShippingChoice | ShippingMethod | str") -> "ShippingChoice | None":
        if isinstance(choice, ShippingChoice):
            return choice
        return cls.parse(str(choice))


@dataclass(frozen=True)
class ShippingOption:
    method: ShippingMethod
    fee: int | None  # Rupiah; None when not available for this parcel or address
    is_available: bool
    note: str  # the pickup address and hours, the city served, the zone and weight, or why not
    quote: CourierQuote | None = None  # a courier service's price, zone and delivery time

    @property
    def choice(self) -> ShippingChoice:
        return ShippingChoice(self.method, self.quote.service_id if self.quote else None)

    @property
    def label(self) -> str:
        if self.quote is not None:
            return self.quote.service_name
        return method_label(self.method)

    @property
    def eta(self) -> str:
        return eta_label(self.quote.eta_min_days, self.quote.eta_max_days) if self.quote else ""


def shipment_eta(shipment: OrderShipment) -> str:
    """The delivery estimate a placed shipment was quoted ("Estimated 2–4 days"), or ""."""
    return eta_label(shipment.eta_min_days, shipment.eta_max_days)


def shipping_field(cooperative_id: int) -> str:
    """The checkout's radio group for one cooperative, and the field its refusals name."""
    return f"shipping-{cooperative_id}"


def method_label(method: ShippingMethod) -> str:
    labels = {
        ShippingMethod.PICKUP: _("Pick up at the cooperative"),
        ShippingMethod.LOCAL: _("Local delivery"),
        ShippingMethod.COURIER: _("Courier"),
    }
    return labels[method]


def format_kg(grams: int) -> str:
    """1200 -> "1,2"; 750 -> "0,75": kilograms with the Indonesian decimal comma, exact."""
    kilograms, rest = divmod(grams, 1000)
    if not rest:
        return str(kilograms)
    return f"{kilograms},{rest:03d}".rstrip("0")


def format_weight(grams: int) -> str:
    return f"{format_kg(grams)} kg"


_TYPED_KG = re.compile(r"(?P<whole>\d{1,7})(?:[.,](?P<fraction>\d{1,3}))?\s*(?:kg)?", re.IGNORECASE)


def parse_weight_kg(text: str) -> int | None:
    """ "1,5" or "1.5 kg" -> 1500 grams; None for anything else (finer than a gram too)."""
    match = _TYPED_KG.fullmatch((text or "").strip())
    if not match:
        return None
    return int(match["whole"]) * 1000 + int((match["fraction"] or "").ljust(3, "0"))


def settings_for(cooperative: Cooperative) -> ShippingSettings:
    """The cooperative's settings, or unsaved defaults (pickup only) when it has none yet."""
    settings = db.session.get(ShippingSettings, cooperative.id)
    if settings is not None:
        # The session's identity map holds rows weakly: without a reference kept, the
        # settings read for the summary are gone again when place_order quotes the same
        # cooperative, and each quote reads them anew. Kept per session (one per
        # cooperative), they are read once per transaction, and expire with it as any row.
        db.session.info.setdefault(_KEPT_SETTINGS, {})[cooperative.id] = settings
        return settings
    return ShippingSettings(
        cooperative_id=cooperative.id,
        offers_pickup=True,
        offers_local=False,
        local_fee=0,
        offers_courier=False,
        zones=[],
        courier_services=[],
    )


def parcel_weight_grams(lines: Iterable[tuple[ProductVariant, int]]) -> int:
    """What a courier charges for: each line at the larger of its variant's weight and its
    product's volumetric weight (L x W x H cm / 6000 kg, the Indonesian couriers' rule)."""
    return sum(
        max(variant.weight_grams, volumetric_grams(variant.product)) * quantity
        for variant, quantity in lines
    )


def volumetric_grams(product) -> int:
    """L x W x H / 6000 kg, in grams (rounded up); 0 when the packed size is not given."""
    volume = product.length_cm * product.width_cm * product.height_cm
    return -(-volume * 1000 // VOLUMETRIC_DIVISOR)


def shipping_options(
    cooperative: Cooperative, weight_grams: int, destination: Destination
) -> list[ShippingOption]:
    """The ways the cooperative offers, in the order pickup, local, its courier services.

    Before the shopper gives a city, local delivery is shown as available, with a note
    naming the only city it serves; before a province, the courier as not yet priced.
    """
    settings = settings_for(cooperative)
    options = []
    if settings.offers_pickup:
        options.append(_pickup_option(cooperative))
    if settings.offers_local:
        options.append(_local_option(settings, cooperative, destination.city))
    if settings.offers_courier:
        options.extend(_courier_options(cooperative, destination, weight_grams))
    return options


def default_option(options: list[ShippingOption], city: str | None) -> ShippingOption | None:
    """The option a cooperative's part starts with: the cheapest delivery that reaches the
    address (local delivery on a tie), else pickup; None when no option fits the parcel.

    Pickup reaches everyone, but a shopper far away rarely wants to travel to the cooperative,
    so it is never the default while a delivery can go. Before a city is typed, local
    delivery may not reach the address while a courier surely does: the courier comes first,
    unpriced before a province is chosen (the update then quotes its cheapest service).
    """
    available = [option for option in options if option.is_available]
    deliveries = [option for option in available if option.method != ShippingMethod.PICKUP]
    if not _normalised_city(city):
        couriers = [option for option in deliveries if option.method == ShippingMethod.COURIER]
        deliveries = couriers or deliveries
    priced = [option for option in deliveries if option.fee is not None]
    if priced:
        return min(priced, key=lambda option: option.fee)
    return next(iter(deliveries + available), None)


def quote_shipping(
    cooperative: Cooperative,
    choice: ShippingChoice,
    weight_grams: int,
    destination: Destination,
) -> ShippingOption:
    """The chosen way of sending a parcel of this weight to this destination, with its fee
    (and, for a courier, its service, zone and delivery time).

    Raises ShippingUnavailable when the cooperative does not offer the choice, or it cannot
    reach this address (local delivery to another city, no courier service to the province);
    its field is the cooperative's radio group on the checkout page (shipping_field).
    """
    settings = settings_for(cooperative)
    field = shipping_field(cooperative.id)
    if choice.method == ShippingMethod.PICKUP and settings.offers_pickup:
        return _pickup_option(cooperative)
    if choice.method == ShippingMethod.LOCAL and settings.offers_local:
        if _same_city(destination.city, cooperative.city):
            return _local_option(settings, cooperative, destination.city)
        raise ShippingUnavailable(
            _(
                "%(cooperative)s delivers locally only inside %(city)s.",
                cooperative=cooperative.name,
                city=cooperative.city,
            ),
            field=field,
        )
    if choice.method == ShippingMethod.COURIER and settings.offers_courier:
        option = _courier_choice(cooperative, choice, weight_grams, destination)
        if option is not None:
            return option
        raise ShippingUnavailable(_no_courier_note(cooperative, destination), field=field)
    raise not_offered(cooperative)


def not_offered(cooperative: Cooperative) -> ShippingUnavailable:
    """The refusal of a way of sending the cooperative does not offer (or that is no way)."""
    return ShippingUnavailable(
        _(
            "%(cooperative)s does not offer this shipping method. Please choose another.",
            cooperative=cooperative.name,
        ),
        field=shipping_field(cooperative.id),
    )


# Helpers.


def _normalised_city(city: str | None) -> str:
    return "".join((city or "").split()).casefold()


def _same_city(city: str | None, cooperative_city: str) -> bool:
    return bool(_normalised_city(city)) and _normalised_city(city) == _normalised_city(
        cooperative_city
    )


def _pickup_option(cooperative: Cooperative) -> ShippingOption:
    place = cooperative.pickup_place
    if cooperative.opening_hours.strip():
        place = f"{place} ({cooperative.opening_hours.strip()})"
    return ShippingOption(ShippingMethod.PICKUP, 0, True, _("Pick up at %(place)s", place=place))


def _local_option(
    settings: ShippingSettings, cooperative: Cooperative, city: str | None
) -> ShippingOption:
    note = _("Only inside %(city)s", city=cooperative.city)
    if not _normalised_city(city) or _same_city(city, cooperative.city):
        return ShippingOption(ShippingMethod.LOCAL, settings.local_fee, True, note)
    return ShippingOption(ShippingMethod.LOCAL, None, False, note)


def _courier_options(
    cooperative: Cooperative, destination: Destination, weight_grams: int
) -> list[ShippingOption]:
    """One option per service that goes to the address. Before the shopper chose a province,
    one unpriced courier option; when no service goes there, one unavailable option."""
    note = _no_courier_note(cooperative, destination)
    if not destination.province:
        # Not priced yet, but open to a tick: an update quotes the cheapest service to the
        # address the shopper then gives; placing the order from a page that showed no fee
        # is refused once with that fee (shown.py), so nobody pays a total never shown.
        return [ShippingOption(ShippingMethod.COURIER, None, True, note)]
    quotes = shipping_rates().courier_quotes(cooperative, destination, weight_grams)
    if not quotes:
        return [ShippingOption(ShippingMethod.COURIER, None, False, note)]
    return [_courier_option(quote, weight_grams) for quote in quotes]


def _courier_option(quote: CourierQuote, weight_grams: int) -> ShippingOption:
    note = _(
        "%(zone)s, %(weight)s (billed as %(kg)d kg)",
        zone=quote.zone_name,
        weight=format_weight(weight_grams),
        kg=quote.billable_kg,
    )
    return ShippingOption(ShippingMethod.COURIER, quote.fee, True, note, quote)


def _courier_choice(
    cooperative: Cooperative, choice: ShippingChoice, weight_grams: int, destination: Destination
) -> ShippingOption | None:
    quotes = shipping_rates().courier_quotes(cooperative, destination, weight_grams)
    if choice.service_id is not None:
        quotes = [quote for quote in quotes if quote.service_id == choice.service_id]
    if not quotes:
        return None
    return _courier_option(min(quotes, key=lambda quote: quote.fee), weight_grams)


def _no_courier_note(cooperative: Cooperative, destination: Destination) -> str:
    if not destination.province:
        return _("Choose your province and update the summary to see the courier's fee.")
    return _(
        "%(cooperative)s has no courier service to %(province)s.",
        cooperative=cooperative.name,
        province=destination.province,
    )
