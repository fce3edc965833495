"""Shipping per cooperative: what each one offers, and what a parcel costs.

Every cooperative sends its own part of an order. It may offer pickup at the cooperative
(free), local delivery inside its own city (one flat fee) and a courier priced by a rate
table of weight steps. The admin sets these; the fee of an order is always worked out here,
never taken from the shopper.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from flask_babel import gettext as _

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import ProductVariant
from shop.checkout.models import CourierRate, ShippingMethod, ShippingSettings
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db

MAX_SHIPPING_FEE = 10_000_000  # Rupiah; more than this for one parcel is a typo
MAX_STEP_WEIGHT_GRAMS = 1_000_000  # one tonne: beyond what a cooperative sends by courier
MAX_RATE_STEPS = 20
COURIER_NAME_LENGTH = 60  # ShippingSettings.courier_name


class ShippingUnavailable(ShopError):
    pass


class InvalidShippingSettings(ShopError):
    pass


@dataclass(frozen=True)
class ShippingOption:
    method: ShippingMethod
    fee: int | None  # Rupiah; None when not available for this parcel or address
    is_available: bool
    note: str  # the pickup address, the city served, the courier and weight, or why not


@dataclass(frozen=True)
class ShippingSettingsInput:
    offers_pickup: bool
    offers_local: bool
    local_fee: int | None
    offers_courier: bool
    courier_name: str
    rates: tuple[tuple[int, int], ...]  # (max_weight_grams, fee) steps, in any order


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


VOLUMETRIC_DIVISOR = 6000  # cm3 per kg, as JNE, J&T and SiCepat count it


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
        return settings
    return ShippingSettings(
        cooperative_id=cooperative.id,
        offers_pickup=True,
        offers_local=False,
        local_fee=0,
        offers_courier=False,
        courier_name="",
        courier_rates=[],
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
    cooperative: Cooperative, weight_grams: int, city: str | None
) -> list[ShippingOption]:
    """The methods the cooperative offers, in the order pickup, local, courier.

    A city of None or "" means the shopper has not given an address yet: local delivery is
    then shown as available, with a note naming the only city it serves.
    """
    settings = settings_for(cooperative)
    options = []
    if settings.offers_pickup:
        options.append(_pickup_option(cooperative))
    if settings.offers_local:
        options.append(_local_option(settings, cooperative, city))
    if settings.offers_courier:
        options.append(_courier_option(settings, weight_grams))
    return options


def default_option(options: list[ShippingOption], city: str | None) -> ShippingOption | None:
    """The option a cooperative's part starts with: the cheapest delivery that reaches the
    address (local delivery on a tie), else pickup; None when no option fits the parcel.

    Pickup reaches everyone, but a shopper far away rarely wants to travel to the cooperative,
    so it is never the default while a delivery can go. Before a city is typed, local
    delivery may not reach the address while a courier surely does: the courier comes first.
    """
    available = [option for option in options if option.is_available]
    deliveries = [option for option in available if option.method != ShippingMethod.PICKUP]
    if not _normalised_city(city):
        couriers = [option for option in deliveries if option.method == ShippingMethod.COURIER]
        deliveries = couriers or deliveries
    if deliveries:
        return min(deliveries, key=lambda option: option.fee or 0)
    return next(iter(available), None)


def quote_shipping(
    cooperative: Cooperative, method: ShippingMethod, weight_grams: int, city: str
) -> int:
    """The fee in Rupiah for sending a parcel of this weight to this city by this method.

    Raises ShippingUnavailable when the cooperative does not offer the method, or the method
    cannot take this parcel (too heavy) or this address (local delivery to another city); its
    field is the cooperative's radio group on the checkout page (shipping_field).
    """
    settings = settings_for(cooperative)
    field = shipping_field(cooperative.id)
    if method == ShippingMethod.PICKUP and settings.offers_pickup:
        return 0
    if method == ShippingMethod.LOCAL and settings.offers_local:
        if _same_city(city, cooperative.city):
            return settings.local_fee
        raise ShippingUnavailable(
            _(
                "%(cooperative)s delivers locally only inside %(city)s.",
                cooperative=cooperative.name,
                city=cooperative.city,
            ),
            field=field,
        )
    if method == ShippingMethod.COURIER and settings.offers_courier:
        rate = _courier_rate(settings, weight_grams)
        if rate is not None:
            return rate.fee
        raise ShippingUnavailable(
            _(
                "Your parcel from %(cooperative)s (%(weight)s) is too heavy for its courier.",
                cooperative=cooperative.name,
                weight=format_weight(weight_grams),
            ),
            field=field,
        )
    raise ShippingUnavailable(
        _(
            "%(cooperative)s does not offer this shipping method. Please choose another.",
            cooperative=cooperative.name,
        ),
        field=field,
    )


def update_shipping_settings(
    cooperative: Cooperative, actor: User, settings: ShippingSettingsInput
) -> ShippingSettings:
    """Save what the cooperative offers and its fees; the audit log keeps what changed.

    Raises InvalidShippingSettings (with the field at fault) when no method is offered, local
    delivery has no fee, the courier has no name or no rate step, or a weight or fee is out
    of range or a weight repeats; then nothing is saved.
    """
    rates = _checked(settings)
    try:
        row = db.session.get(ShippingSettings, cooperative.id)
        if row is None:
            row = ShippingSettings(cooperative_id=cooperative.id)
            db.session.add(row)
        before = _snapshot(row)
        row.offers_pickup = settings.offers_pickup
        row.offers_local = settings.offers_local
        row.local_fee = settings.local_fee or 0
        row.offers_courier = settings.offers_courier
        row.courier_name = settings.courier_name.strip()
        # Old steps are deleted before the new ones go in: a step kept at the same weight
        # would otherwise meet the unique (cooperative, weight) constraint.
        row.courier_rates.clear()
        db.session.flush()
        row.courier_rates.extend(
            CourierRate(max_weight_grams=weight_grams, fee=fee) for weight_grams, fee in rates
        )
        db.session.flush()
        after = _snapshot(row)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            record_audit(actor, cooperative, "coop.shipping_updated", cooperative, changes)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


# Helpers.


def _normalised_city(city: str | None) -> str:
    return "".join((city or "").split()).casefold()


def _same_city(city: str | None, cooperative_city: str) -> bool:
    return bool(_normalised_city(city)) and _normalised_city(city) == _normalised_city(
        cooperative_city
    )


def _courier_rate(settings: ShippingSettings, weight_grams: int) -> CourierRate | None:
    steps = sorted(settings.courier_rates, key=lambda rate: rate.max_weight_grams)
    return next((rate for rate in steps if rate.max_weight_grams >= weight_grams), None)


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


def _courier_option(settings: ShippingSettings, weight_grams: int) -> ShippingOption:
    rate = _courier_rate(settings, weight_grams)
    name = settings.courier_name or _("Courier")
    if rate is not None:
        note = f"{name}, {format_weight(weight_grams)}"
        return ShippingOption(ShippingMethod.COURIER, rate.fee, True, note)
    heaviest = max((rate.max_weight_grams for rate in settings.courier_rates), default=0)
    note = _(
        "%(courier)s takes parcels up to %(limit)s; this one weighs %(weight)s.",
        courier=name,
        limit=format_weight(heaviest),
        weight=format_weight(weight_grams),
    )
    return ShippingOption(ShippingMethod.COURIER, None, False, note)


def _checked(settings: ShippingSettingsInput) -> list[tuple[int, int]]:
    """The rate steps sorted by weight, once every rule holds; else InvalidShippingSettings."""

    def refuse(message: str, field: str) -> NoReturn:
        raise InvalidShippingSettings(message, field=field)

    if not (settings.offers_pickup or settings.offers_local or settings.offers_courier):
        refuse(_("Offer at least one way to send orders."), "methods")
    if settings.local_fee is None:
        if settings.offers_local:
            refuse(_("Enter the fee for local delivery."), "local_fee")
    elif not 0 <= settings.local_fee <= MAX_SHIPPING_FEE:
        refuse(_("Enter a fee from Rp 0 to Rp 10.000.000."), "local_fee")
    name = settings.courier_name.strip()
    if len(name) > COURIER_NAME_LENGTH:
        refuse(_("Use at most %(max)d characters.", max=COURIER_NAME_LENGTH), "courier_name")
    if settings.offers_courier and not name:
        refuse(_("Name the courier and its service, e.g. JNE REG."), "courier_name")
    if settings.offers_courier and not settings.rates:
        refuse(_("Enter at least one step of the courier's rates."), "rates")
    if len(settings.rates) > MAX_RATE_STEPS:
        refuse(_("Use at most %(max)d rate steps.", max=MAX_RATE_STEPS), "rates")
    for weight_grams, fee in settings.rates:
        if not 0 < weight_grams <= MAX_STEP_WEIGHT_GRAMS:
            refuse(_("Each weight must be above 0 kg and at most 1000 kg."), "rates")
        if not 0 <= fee <= MAX_SHIPPING_FEE:
            refuse(_("Each fee must be from Rp 0 to Rp 10.000.000."), "rates")
    weights = [weight_grams for weight_grams, _fee in settings.rates]
    if len(set(weights)) != len(weights):
        refuse(_("Each weight may appear only once in the rates."), "rates")
    return sorted(settings.rates)


def _snapshot(row: ShippingSettings) -> dict:
    return {
        "offers_pickup": row.offers_pickup,
        "offers_local": row.offers_local,
        "local_fee": row.local_fee,
        "offers_courier": row.offers_courier,
        "courier_name": row.courier_name,
        "rates": [[rate.max_weight_grams, rate.fee] for rate in row.courier_rates],
    }
