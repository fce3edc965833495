"""The admin's side of shipping: what a cooperative offers, its zones and courier rates.

A zone is where parcels go ("Sumba", "Jawa", "Pulau lain"): the cooperative's own city,
province or island group, a list of provinces, or anywhere. Each courier service gives, per
zone it goes to, a first-kilogram fee, a fee per further kilogram and an estimated delivery
time; the weight rounding it bills by is its own (courier_rates.billable_kg).
"""

from dataclasses import dataclass
from typing import NoReturn

from flask_babel import gettext as _

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.checkout.models import (
    CourierService,
    CourierZoneRate,
    ShippingSettings,
    ShippingZone,
    ZoneKind,
)
from shop.checkout.regions import province_named
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db

MAX_SHIPPING_FEE = 10_000_000  # Rupiah; more than this for one parcel is a typo
MAX_ZONES = 6  # more than a courier's own zones; each is a row on a phone's screen
MAX_SERVICES = 3
MAX_ETA_DAYS = 60  # two months: past that it is not an estimate
NAME_LENGTH = 60  # ShippingZone.name, CourierService.name
DEFAULT_TOLERANCE_GRAMS = 300  # JNE, J&T and SiCepat round down up to 0.3 kg over the kilo
MAX_WEIGHT_LIMIT_GRAMS = 1_000_000  # a ton: a courier's maximum past that is a typo


class InvalidShippingSettings(ShopError):
    pass


@dataclass(frozen=True)
class ZoneInput:
    name: str
    kind: ZoneKind
    provinces: tuple[str, ...] = ()  # as typed; only for ZoneKind.PROVINCES


@dataclass(frozen=True)
class ZoneRateInput:
    first_kg_fee: int
    next_kg_fee: int
    eta_min_days: int
    eta_max_days: int


@dataclass(frozen=True)
class CourierServiceInput:
    name: str
    # By zone, in the order of the zones; None: the service does not go to that zone.
    rates: tuple[ZoneRateInput | None, ...]
    rounding_tolerance_grams: int = DEFAULT_TOLERANCE_GRAMS
    max_weight_grams: int | None = None  # None: the service takes parcels of any weight


@dataclass(frozen=True)
class ShippingSettingsInput:
    offers_pickup: bool
    offers_local: bool
    local_fee: int | None
    offers_courier: bool
    zones: tuple[ZoneInput, ...] = ()
    services: tuple[CourierServiceInput, ...] = ()


def update_shipping_settings(
    cooperative: Cooperative, actor: User, settings: ShippingSettingsInput
) -> ShippingSettings:
    """Save what the cooperative offers, its zones and its courier rates; the audit log keeps
    what changed. Orders already placed keep the fees and times they were quoted.

    Raises InvalidShippingSettings (its field: "methods", "local_fee", "zones" or
    "services") when no method is offered, a fee, province, delivery time or name is wrong,
    there are too many rows, or the courier is offered without a rate; then nothing is saved.
    """
    checked = checked_settings(settings)
    try:
        row = db.session.get(ShippingSettings, cooperative.id)
        if row is None:
            row = ShippingSettings(cooperative_id=cooperative.id, zones=[], courier_services=[])
            db.session.add(row)
        before = _snapshot(row)
        write_settings(row, checked)
        after = _snapshot(row)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            record_audit(actor, cooperative, "coop.shipping_updated", cooperative, changes)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


def write_settings(row: ShippingSettings, settings: ShippingSettingsInput) -> None:
    """Put checked settings on the row. A courier service whose name is kept is updated in
    place, so its id, which a shopper's chosen option in an open checkout names
    ("courier-12"), survives the save; new names are added, dropped ones deleted. Zones and
    rates are replaced: nothing outside the settings refers to them. Flushes only: the demo
    seed writes its cooperatives' settings with it in its own transaction."""
    row.offers_pickup = settings.offers_pickup
    row.offers_local = settings.offers_local
    row.local_fee = settings.local_fee or 0
    row.offers_courier = settings.offers_courier
    wanted = {service.name.casefold() for service in settings.services}
    kept = {
        service.name.casefold(): service
        for service in row.courier_services
        if service.name.casefold() in wanted
    }
    # Old rates and zones go first, and kept services step aside to positions below zero:
    # the unique (cooperative, position) constraints are checked row by row, so rows taking
    # each other's positions in one flush would collide.
    for service in row.courier_services:
        service.rates.clear()
    row.courier_services[:] = list(kept.values())
    for step_aside, service in enumerate(row.courier_services, start=1):
        service.position = -step_aside
    row.zones.clear()
    db.session.flush()
    zones = [
        ShippingZone(position=position, name=zone.name, kind=zone.kind, provinces=[*zone.provinces])
        for position, zone in enumerate(settings.zones)
    ]
    row.zones.extend(zones)
    services = []
    for position, wanted_service in enumerate(settings.services):
        service = kept.get(wanted_service.name.casefold()) or CourierService()
        service.position = position
        service.name = wanted_service.name
        service.rounding_tolerance_grams = wanted_service.rounding_tolerance_grams
        service.max_weight_grams = wanted_service.max_weight_grams
        service.rates = [
            CourierZoneRate(zone=zone, **vars(rate))
            for zone, rate in zip(zones, wanted_service.rates, strict=False)
            if rate is not None
        ]
        services.append(service)
    row.courier_services[:] = services
    db.session.flush()


def checked_settings(settings: ShippingSettingsInput) -> ShippingSettingsInput:
    """The settings with names trimmed and provinces spelled as regions.PROVINCES does,
    once every rule holds; else InvalidShippingSettings."""

    def refuse(message: str, field: str) -> NoReturn:
        raise InvalidShippingSettings(message, field=field)

    if not (settings.offers_pickup or settings.offers_local or settings.offers_courier):
        refuse(_("Offer at least one way to send orders."), "methods")
    if settings.local_fee is None:
        if settings.offers_local:
            refuse(_("Enter the fee for local delivery."), "local_fee")
    elif not 0 <= settings.local_fee <= MAX_SHIPPING_FEE:
        refuse(_("Enter a fee from Rp 0 to Rp 10.000.000."), "local_fee")
    zones = _checked_zones(settings.zones, refuse)
    services = _checked_services(settings.services, len(zones), refuse)
    if settings.offers_courier and not any(rate for service in services for rate in service.rates):
        refuse(_("Give at least one courier service a rate to at least one zone."), "services")
    return ShippingSettingsInput(
        offers_pickup=settings.offers_pickup,
        offers_local=settings.offers_local,
        local_fee=settings.local_fee,
        offers_courier=settings.offers_courier,
        zones=zones,
        services=services,
    )


def parse_provinces(text: str) -> tuple[list[str], list[str]]:
    """Province names typed one per line or separated by commas -> (known, unknown), each
    in the order typed; known ones as regions.PROVINCES writes them."""
    names = [name.strip() for line in (text or "").splitlines() for name in line.split(",")]
    typed = [name for name in names if name]
    known = [province_named(name) for name in typed]
    return [name for name in known if name], [
        name for name, found in zip(typed, known, strict=True) if found is None
    ]


# Helpers.


def _checked_zones(zones: tuple[ZoneInput, ...], refuse) -> tuple[ZoneInput, ...]:
    if len(zones) > MAX_ZONES:
        refuse(_("Use at most %(max)d zones.", max=MAX_ZONES), "zones")
    checked = []
    for number, zone in enumerate(zones, start=1):
        name = " ".join(zone.name.split())
        if not name or len(name) > NAME_LENGTH:
            refuse(_("Zone %(n)d: give it a name of 1 to 60 characters.", n=number), "zones")
        if zone.kind not in set(ZoneKind):
            refuse(_("Zone %(n)d: choose where it reaches.", n=number), "zones")
        provinces = [province_named(province) for province in zone.provinces]
        if None in provinces:
            refuse(_("Zone %(n)d: a province is not one of Indonesia's 38.", n=number), "zones")
        if zone.kind == ZoneKind.PROVINCES and not provinces:
            refuse(_("Zone %(n)d: list its provinces.", n=number), "zones")
        if zone.kind != ZoneKind.PROVINCES and provinces:
            refuse(
                _("Zone %(n)d: list provinces only for a zone of listed provinces.", n=number),
                "zones",
            )
        checked.append(ZoneInput(name, ZoneKind(zone.kind), tuple(dict.fromkeys(provinces))))
    names = [zone.name.casefold() for zone in checked]
    if len(set(names)) != len(names):
        refuse(_("Give each zone its own name."), "zones")
    return tuple(checked)


def _checked_services(
    services: tuple[CourierServiceInput, ...], zone_count: int, refuse
) -> tuple[CourierServiceInput, ...]:
    if len(services) > MAX_SERVICES:
        refuse(_("Use at most %(max)d courier services.", max=MAX_SERVICES), "services")
    checked = []
    for service in services:
        name = " ".join(service.name.split())
        if not name or len(name) > NAME_LENGTH:
            refuse(_("Name each courier service in 1 to 60 characters, e.g. JNE REG."), "services")
        if not 0 <= service.rounding_tolerance_grams < 1000:
            refuse(
                _("%(service)s: the rounding tolerance must be under 1 kg.", service=name),
                "services",
            )
        if service.max_weight_grams is not None and not (
            0 < service.max_weight_grams <= MAX_WEIGHT_LIMIT_GRAMS
        ):
            refuse(
                _(
                    "%(service)s: the maximum weight must be over 0 and at most 1000 kg.",
                    service=name,
                ),
                "services",
            )
        if len(service.rates) > zone_count and any(service.rates[zone_count:]):
            refuse(
                _("%(service)s: a rate is given for a zone that is not defined.", service=name),
                "services",
            )
        for rate in service.rates:
            if rate is not None:
                _check_rate(name, rate, refuse)
        rates = tuple(service.rates[:zone_count])
        checked.append(
            CourierServiceInput(
                name, rates, service.rounding_tolerance_grams, service.max_weight_grams
            )
        )
    names = [service.name.casefold() for service in checked]
    if len(set(names)) != len(names):
        refuse(_("Give each courier service its own name."), "services")
    return tuple(checked)


def _check_rate(service: str, rate: ZoneRateInput, refuse) -> None:
    if not all(0 <= fee <= MAX_SHIPPING_FEE for fee in (rate.first_kg_fee, rate.next_kg_fee)):
        refuse(
            _("%(service)s: each fee must be from Rp 0 to Rp 10.000.000.", service=service),
            "services",
        )
    if not 1 <= rate.eta_min_days <= rate.eta_max_days <= MAX_ETA_DAYS:
        refuse(
            _(
                "%(service)s: delivery days must run from a lower to a higher number, "
                "1 to %(max)d.",
                service=service,
                max=MAX_ETA_DAYS,
            ),
            "services",
        )


def _snapshot(row: ShippingSettings) -> dict:
    return {
        "offers_pickup": row.offers_pickup,
        "offers_local": row.offers_local,
        "local_fee": row.local_fee,
        "offers_courier": row.offers_courier,
        "zones": [[zone.name, str(zone.kind), list(zone.provinces)] for zone in row.zones],
        "services": [
            [
                service.name,
                service.rounding_tolerance_grams,
                sorted(
                    [
                        rate.zone.name,
                        rate.first_kg_fee,
                        rate.next_kg_fee,
                        rate.eta_min_days,
                        rate.eta_max_days,
                    ]
                    for rate in service.rates
                ),
                service.max_weight_grams,
            ]
            for service in row.courier_services
        ],
    }
