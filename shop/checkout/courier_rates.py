"""What each courier service charges to send a parcel to an address: the `ShippingRates`
seam.

Today the cooperative's own zones and rates answer (CooperativeZoneRates). A rate API such
as RajaOngkir or Biteship would be one more class with the same method, named by
config.SHIPPING_RATES; nothing calls one now. Whatever answers, the checkout shows the quotes
and place_order stores the one the shopper chose, so a later change of rates never alters a
placed order.
"""

from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from shop.checkout.models import CourierService, ShippingSettings, ShippingZone, ZoneKind
from shop.checkout.regions import island_group_of, province_named
from shop.coops.models import Cooperative
from shop.extensions import db


@dataclass(frozen=True)
class Destination:
    province: str  # as the checkout's list writes it; "" before the shopper chose one
    city: str


@dataclass(frozen=True)
class CourierQuote:
    service_id: int
    service_name: str  # "JNE REG"
    zone_name: str  # the cooperative's zone the address fell in
    fee: int  # Rupiah
    billable_kg: int
    eta_min_days: int
    eta_max_days: int


class ShippingRates(Protocol):
    def courier_quotes(
        self, cooperative: Cooperative, destination: Destination, weight_grams: int
    ) -> list[CourierQuote]:
        """A quote from each courier service of the cooperative that reaches the
        destination, in the cooperative's order of services; services that do not go there,
        or do not take a parcel that heavy, are left out."""
        ...


class CooperativeZoneRates:
    """The rates the cooperative's admin typed: per service and zone, a first-kilogram fee,
    a fee for each further kilogram and an estimated delivery time."""

    def courier_quotes(
        self, cooperative: Cooperative, destination: Destination, weight_grams: int
    ) -> list[CourierQuote]:
        settings = db.session.get(ShippingSettings, cooperative.id)
        if settings is None or not settings.offers_courier:
            return []
        zone = zone_for(settings.zones, cooperative, destination)
        if zone is None:
            return []
        return [
            quote
            for service in settings.courier_services
            if (quote := _quote(service, zone, weight_grams)) is not None
        ]


RATES: dict[str, type[ShippingRates]] = {"zones": CooperativeZoneRates}


def shipping_rates() -> ShippingRates:
    """The rates config.SHIPPING_RATES names. An unknown name is a deployment mistake."""
    name = current_app.config.get("SHIPPING_RATES", "zones")
    if name not in RATES:
        raise RuntimeError(f"SHIPPING_RATES={name!r} is not one of {sorted(RATES)}")
    return RATES[name]()


def billable_kg(weight_grams: int, tolerance_grams: int) -> int:
    """The whole kilograms a courier bills: up to the next kilogram once the parcel is over
    a kilogram by more than the tolerance, and never less than one."""
    kilograms, over = divmod(weight_grams, 1000)
    if over > tolerance_grams:
        kilograms += 1
    return max(1, kilograms)


def zone_for(
    zones: list[ShippingZone], cooperative: Cooperative, destination: Destination
) -> ShippingZone | None:
    """The first zone, in the admin's order, that reaches the destination; None when none
    does or the destination has no province yet."""
    province = province_named(destination.province)
    if province is None:
        return None
    for zone in zones:
        if _reaches(zone, cooperative, province, destination.city):
            return zone
    return None


def eta_label(min_days: int | None, max_days: int | None) -> str:
    """ "Estimated 2–4 days" ("Estimasi 2–4 hari"); "" when no estimate was given."""
    if not min_days or not max_days:
        return ""
    if min_days == max_days:
        return ngettext("Estimated %(num)d day", "Estimated %(num)d days", min_days)
    return _("Estimated %(min)d–%(max)d days", min=min_days, max=max_days)


# Helpers.


def _reaches(zone: ShippingZone, cooperative: Cooperative, province: str, city: str) -> bool:
    if zone.kind == ZoneKind.EVERYWHERE:
        return True
    if zone.kind == ZoneKind.PROVINCES:
        return province in zone.provinces
    if zone.kind == ZoneKind.SAME_ISLAND_GROUP:
        home = island_group_of(cooperative.province)
        return home is not None and home == island_group_of(province)
    home_province = province_named(cooperative.province)
    if zone.kind == ZoneKind.SAME_PROVINCE:
        return province == home_province
    # Two regencies in different provinces may share a name; a cooperative whose province
    # is spelled past recognition still serves its own city.
    same_city = _folded(city) != "" and _folded(city) == _folded(cooperative.city)
    return same_city and home_province in (None, province)


def _folded(text: str | None) -> str:
    return "".join((text or "").split()).casefold()


def _quote(service: CourierService, zone: ShippingZone, weight_grams: int) -> CourierQuote | None:
    if service.max_weight_grams is not None and weight_grams > service.max_weight_grams:
        return None  # the courier would refuse the parcel at its counter
    rate = next((rate for rate in service.rates if rate.zone_id == zone.id), None)
    if rate is None:
        return None
    kilograms = billable_kg(weight_grams, service.rounding_tolerance_grams)
    return CourierQuote(
        service_id=service.id,
        service_name=service.name,
        zone_name=zone.name,
        fee=rate.first_kg_fee + rate.next_kg_fee * (kilograms - 1),
        billable_kg=kilograms,
        eta_min_days=rate.eta_min_days,
        eta_max_days=rate.eta_max_days,
    )
