"""The admin's shipping form: methods, the local fee, zones, and courier services' rates.

Every row is on the page at once (blank rows are ignored), so it works without JavaScript:
MAX_ZONES zone rows, and per courier service a table with one rate row per zone row. Rate
row n of a service is for zone row n. Each row is checked here; rules across rows (names
that repeat, a courier without any rate) are the service's (shipping_settings.py).
"""

import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)

from shop.checkout.models import ShippingSettings, ZoneKind
from shop.checkout.shipping import format_kg, parse_weight_kg
from shop.checkout.shipping_settings import (
    DEFAULT_TOLERANCE_GRAMS,
    MAX_ETA_DAYS,
    MAX_SERVICES,
    MAX_WEIGHT_LIMIT_GRAMS,
    MAX_ZONES,
    NAME_LENGTH,
    CourierServiceInput,
    ShippingSettingsInput,
    ZoneInput,
    ZoneRateInput,
    parse_provinces,
)
from shop.coops.forms import rupiah_amount
from shop.errors import ShopError
from shop.forms_common import ChoiceField, max_length
from shop.money import parse_rupiah

ZONE_KINDS = [
    SelectChoice(ZoneKind.SAME_CITY.value, _l("The cooperative's own city")),
    SelectChoice(ZoneKind.SAME_PROVINCE.value, _l("The cooperative's own province")),
    SelectChoice(ZoneKind.SAME_ISLAND_GROUP.value, _l("The cooperative's island group")),
    SelectChoice(ZoneKind.PROVINCES.value, _l("The provinces listed")),
    SelectChoice(ZoneKind.EVERYWHERE.value, _l("Anywhere in Indonesia")),
]


def _blank(*fields) -> bool:
    return not any((field.data or "").strip() for field in fields)


def whole_days(form, field) -> None:
    text = (field.data or "").strip()
    if text and not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ETA_DAYS):
        raise ValidationError(_l("Enter whole days, 1 to %(max)d.", max=MAX_ETA_DAYS))


def tolerance_in_kg(form, field) -> None:
    if not (field.data or "").strip():
        return  # the couriers' usual 0,3 kg
    grams = parse_weight_kg(field.data)
    if grams is None or grams >= 1000:
        raise ValidationError(_l("Enter a tolerance under 1 kg, for example 0,3."))


def weight_limit_in_kg(form, field) -> None:
    if not (field.data or "").strip():
        return  # no limit
    grams = parse_weight_kg(field.data)
    if grams is None or not 0 < grams <= MAX_WEIGHT_LIMIT_GRAMS:
        raise ValidationError(_l("Enter a weight in kg over 0 and at most 1000, for example 30."))


class ZoneRow(Form):
    name = StringField(_l("Zone name"), validators=[max_length(NAME_LENGTH)])
    kind = ChoiceField(_l("Reaches"), choices=ZONE_KINDS, default=ZoneKind.EVERYWHERE.value)
    provinces = TextAreaField(_l("Provinces, separated by commas"), validators=[max_length(2000)])

    @property
    def is_blank(self) -> bool:
        return _blank(self.name, self.provinces)

    def validate_provinces(self, field) -> None:
        known, unknown = parse_provinces(field.data)
        if unknown:
            raise ValidationError(
                _l("Not a province of Indonesia: %(names)s.", names=", ".join(unknown))
            )
        if self.kind.data == ZoneKind.PROVINCES and not known and not self.is_blank:
            raise ValidationError(_l("List the provinces of this zone."))
        if self.kind.data != ZoneKind.PROVINCES and known:
            raise ValidationError(_l('Choose "The provinces listed" to list provinces.'))

    def validate_name(self, field) -> None:
        if not (field.data or "").strip() and not self.is_blank:
            raise ValidationError(_l("Name the zone, e.g. Jawa."))


class ZoneRateRow(Form):
    FIELDS = ("first_kg_fee", "next_kg_fee", "eta_min_days", "eta_max_days")

    first_kg_fee = StringField(_l("First kg (Rp)"), validators=[max_length(20), rupiah_amount])
    next_kg_fee = StringField(_l("Each next kg (Rp)"), validators=[max_length(20), rupiah_amount])
    eta_min_days = StringField(_l("Days, from"), validators=[max_length(3), whole_days])
    eta_max_days = StringField(_l("Days, to"), validators=[max_length(3), whole_days])

    @property
    def is_blank(self) -> bool:
        return _blank(self.first_kg_fee, self.next_kg_fee, self.eta_min_days, self.eta_max_days)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.is_blank:
            return True
        for field in (self.first_kg_fee, self.next_kg_fee, self.eta_min_days, self.eta_max_days):
            if not (field.data or "").strip():
                field.errors.append(_l("Fill in all four, or none for no service to this zone."))
        if self.errors:
            return False
        if int(self.eta_min_days.data) > int(self.eta_max_days.data):
            self.eta_max_days.errors.append(_l("At least the days it takes at the fastest."))
            return False
        return True

    def to_input(self) -> ZoneRateInput | None:
        if self.is_blank:
            return None
        return ZoneRateInput(
            first_kg_fee=parse_rupiah(self.first_kg_fee.data),
            next_kg_fee=parse_rupiah(self.next_kg_fee.data),
            eta_min_days=int(self.eta_min_days.data),
            eta_max_days=int(self.eta_max_days.data),
        )


class ServiceRow(Form):
    name = StringField(_l("Courier and service"), validators=[max_length(NAME_LENGTH)])
    rounding_tolerance_kg = StringField(
        _l("Rounding tolerance (kg)"),
        default=format_kg(DEFAULT_TOLERANCE_GRAMS),
        validators=[max_length(8), tolerance_in_kg],
    )
    max_weight_kg = StringField(
        _l("Maximum weight (kg)"), validators=[max_length(12), weight_limit_in_kg]
    )
    rates = FieldList(FormField(ZoneRateRow), max_entries=MAX_ZONES)

    @property
    def is_blank(self) -> bool:
        return _blank(self.name) and all(row.form.is_blank for row in self.rates)

    def validate_name(self, field) -> None:
        if not (field.data or "").strip() and not self.is_blank:
            raise ValidationError(_l("Name the courier and its service, e.g. JNE REG."))


class ShippingSettingsForm(FlaskForm):
    offers_pickup = BooleanField(_l("Pickup at the cooperative (free)"))
    offers_local = BooleanField(_l("Local delivery inside the cooperative's city"))
    local_fee = StringField(_l("Local delivery fee"), validators=[max_length(20), rupiah_amount])
    offers_courier = BooleanField(_l("Courier"))
    zones = FieldList(FormField(ZoneRow), max_entries=MAX_ZONES)
    services = FieldList(FormField(ServiceRow), max_entries=MAX_SERVICES)

    def __init__(self, *args, **kwargs):
        if request.method == "POST" and "formdata" not in kwargs:
            # Every row posted, blank where it was missing: FieldList keeps only the rows it
            # is sent, in a list of their own, and rate row n must stay with zone row n.
            kwargs["formdata"] = _every_row(request.form)
        super().__init__(*args, **kwargs)
        # A GET: the saved rows, then blank ones up to the page's number of rows.
        _pad(self.zones, MAX_ZONES)
        _pad(self.services, MAX_SERVICES)
        for service in self.services:
            _pad(service.form.rates, MAX_ZONES)
        # Errors about several rows at once ("methods", "zones", "services"), shown above
        # their group.
        self.group_errors: dict[str, str] = {}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_submitted() and _rows_past_the_last(request.form):
            self.group_errors["zones"] = _l(
                "Use at most %(zones)d zones and %(services)d courier services.",
                zones=MAX_ZONES,
                services=MAX_SERVICES,
            )
            return False
        for service in self.services:
            for zone, rate in zip(self.zones, service.form.rates, strict=False):
                if zone.form.is_blank and not rate.form.is_blank:
                    rate.form.first_kg_fee.errors.append(_l("Name this zone above first."))
                    valid = False
        return valid

    @staticmethod
    def data_from(settings: ShippingSettings) -> dict:
        """What the form shows for the saved settings."""
        zone_ids = [zone.id for zone in settings.zones]
        return {
            "offers_pickup": settings.offers_pickup,
            "offers_local": settings.offers_local,
            "local_fee": str(settings.local_fee)
            if settings.offers_local or settings.local_fee
            else "",
            "offers_courier": settings.offers_courier,
            "zones": [
                {"name": zone.name, "kind": zone.kind, "provinces": ", ".join(zone.provinces)}
                for zone in settings.zones
            ],
            "services": [
                {
                    "name": service.name,
                    "rounding_tolerance_kg": format_kg(service.rounding_tolerance_grams),
                    "max_weight_kg": format_kg(service.max_weight_grams)
                    if service.max_weight_grams
                    else "",
                    "rates": _rates_by_zone(service, zone_ids),
                }
                for service in settings.courier_services
            ],
        }

    def to_input(self) -> ShippingSettingsInput:
        """The typed values, once the form is valid. Blank zone rows drop out with their
        rate rows, so rate row n stays with zone row n."""
        local_fee = (self.local_fee.data or "").strip()
        kept = [index for index, zone in enumerate(self.zones) if not zone.form.is_blank]
        return ShippingSettingsInput(
            offers_pickup=self.offers_pickup.data,
            offers_local=self.offers_local.data,
            local_fee=parse_rupiah(local_fee) if local_fee else None,
            offers_courier=self.offers_courier.data,
            zones=tuple(_zone_input(self.zones[index].form) for index in kept),
            services=tuple(
                CourierServiceInput(
                    name=service.form.name.data.strip(),
                    rates=tuple(service.form.rates[index].form.to_input() for index in kept),
                    rounding_tolerance_grams=_tolerance_grams(service.form),
                    max_weight_grams=parse_weight_kg(service.form.max_weight_kg.data or ""),
                )
                for service in self.services
                if not service.form.is_blank
            ),
        )

    def error_links(self) -> list[tuple[str, str]]:
        """(id to link to, "where: what is wrong") for every error on the page, in the
        page's order: the summary at its top links to each, since a refused rate may sit a
        long scroll down a phone's screen. A group's error is linked where it is shown."""
        links = self._group_link("methods")
        for field in (self.offers_pickup, self.offers_local, self.local_fee, self.offers_courier):
            links += _field_links(field, field.label.text)
        links += self._group_link("zones")
        for number, zone in enumerate(self.zones, start=1):
            for field in zone.form:
                links += _field_links(
                    field, _("Zone %(n)d, %(field)s", n=number, field=field.label.text)
                )
        links += self._group_link("services")
        for number, service in enumerate(self.services, start=1):
            row = service.form
            for field in (row.name, row.rounding_tolerance_kg, row.max_weight_kg):
                place = _("Courier service %(n)d, %(field)s", n=number, field=field.label.text)
                links += _field_links(field, place)
            for zone_number, (zone, rate) in enumerate(
                zip(self.zones, service.form.rates, strict=False), start=1
            ):
                zone_name = (zone.form.name.data or "").strip() or _("Zone %(n)d", n=zone_number)
                for field in rate.form:
                    place = _(
                        "Courier service %(n)d, %(zone)s, %(field)s",
                        n=number,
                        zone=zone_name,
                        field=field.label.text,
                    )
                    links += _field_links(field, place)
        return links

    def _group_link(self, name: str) -> list[tuple[str, str]]:
        message = self.group_errors.get(name)
        return [(f"{name}-error", str(message))] if message else []

    def show_error(self, error: ShopError) -> None:
        if error.field == "local_fee":
            self.local_fee.errors = [*self.local_fee.errors, error.message]
        else:  # "methods", "zones", "services"
            self.group_errors[error.field or "methods"] = error.message


def _every_row(posted: MultiDict) -> MultiDict:
    formdata = MultiDict(posted)
    for zone in range(MAX_ZONES):
        formdata.setdefault(f"zones-{zone}-name", "")
        formdata.setdefault(f"zones-{zone}-kind", ZoneKind.EVERYWHERE.value)
    for service in range(MAX_SERVICES):
        formdata.setdefault(f"services-{service}-name", "")
        formdata.setdefault(f"services-{service}-max_weight_kg", "")  # empty: no limit
        for zone in range(MAX_ZONES):
            for name in ZoneRateRow.FIELDS:
                formdata.setdefault(f"services-{service}-rates-{zone}-{name}", "")
    return formdata


def _pad(rows: FieldList, count: int) -> None:
    while len(rows.entries) < count:
        rows.append_entry()


_ROW_INDEX = re.compile(r"(zones|services|rates)-(\d+)-")
_ROW_LIMITS = {"zones": MAX_ZONES, "services": MAX_SERVICES, "rates": MAX_ZONES}


def _rows_past_the_last(formdata: MultiDict) -> bool:
    """Whether filled rows beyond the page's own were posted: FieldList would drop them
    without a word, and the admin would think them saved."""
    return any(
        int(match[2]) >= _ROW_LIMITS[match[1]]
        for key, value in formdata.items(multi=True)
        if value.strip()
        for match in _ROW_INDEX.finditer(key)
    )


def _field_links(field, place: str) -> list[tuple[str, str]]:
    return [
        (field.id, _("%(place)s: %(error)s", place=place, error=error)) for error in field.errors
    ]


def _tolerance_grams(row: ServiceRow) -> int:
    typed = (row.rounding_tolerance_kg.data or "").strip()
    return parse_weight_kg(typed) if typed else DEFAULT_TOLERANCE_GRAMS


def _zone_input(row: ZoneRow) -> ZoneInput:
    known, _unknown = parse_provinces(row.provinces.data)
    return ZoneInput(
        name=row.name.data.strip(), kind=ZoneKind(row.kind.data), provinces=tuple(known)
    )


def _rates_by_zone(service, zone_ids: list[int]) -> list[dict]:
    rates = {rate.zone_id: rate for rate in service.rates}
    rows = []
    for zone_id in zone_ids:
        rate = rates.get(zone_id)
        rows.append(
            {
                "first_kg_fee": str(rate.first_kg_fee),
                "next_kg_fee": str(rate.next_kg_fee),
                "eta_min_days": str(rate.eta_min_days),
                "eta_max_days": str(rate.eta_max_days),
            }
            if rate
            else {}
        )
    return rows
