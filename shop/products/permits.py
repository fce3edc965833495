"""The permits food is sold under, checked as the agencies write them.

- P-IRT (SPP-IRT, home-industry food): at least 15 digits; the first is the packaging code,
  1 to 8. Valid for at most 5 years, so its expiry date is required and no further away.
- Halal certificate (BPJPH): starts with "ID", then digits.
- BPOM registration: "MD" (made in Indonesia) or "ML" (imported), then 12 digits.

A food product (kuliner) needs a P-IRT or a BPOM number, or a recorded exemption (fresh
produce, say). Numbers are stored without spaces, dots or dashes, as people type them
differently.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from shop.errors import ShopError

PIRT = re.compile(r"[1-8]\d{14,}")
HALAL = re.compile(r"ID\d{8,}")
BPOM = re.compile(r"M[DL]\d{12}")
PIRT_MAX_YEARS = 5
FOOD_ROOT = "kuliner"


class InvalidPermit(ShopError):
    pass


@dataclass(frozen=True)
class Permits:
    pirt_number: str = ""
    pirt_expires_on: date | None = None
    halal_number: str = ""
    bpom_number: str = ""
    exemption: str = ""


def compact(number: str) -> str:
    """ "P-IRT No. 2063374010123-25" -> "206337401012325": no spaces, dots or dashes."""
    return re.sub(r"[\s.\-/]", "", (number or "").strip().upper()).removeprefix("PIRTNO")


def checked_permits(permits: Permits, is_food: bool, today: date) -> Permits:
    """The permits with numbers compacted, or InvalidPermit naming the field at fault."""
    pirt, halal, bpom = (compact(permits.pirt_number), compact(permits.halal_number),
                         compact(permits.bpom_number))  # fmt: skip
    exemption = " ".join(permits.exemption.split())[:200]
    if pirt and not PIRT.fullmatch(pirt):
        raise InvalidPermit(
            _("A P-IRT number has at least 15 digits and starts with 1 to 8 (the packaging)."),
            field="pirt_number",
        )
    if pirt and permits.pirt_expires_on is None:
        raise InvalidPermit(_("Enter the date the P-IRT expires."), field="pirt_expires_on")
    if pirt and permits.pirt_expires_on > _years_after(today, PIRT_MAX_YEARS):
        raise InvalidPermit(
            _("A P-IRT is valid for at most %(years)d years: check the date.", years=5),
            field="pirt_expires_on",
        )
    if halal and not HALAL.fullmatch(halal):
        raise InvalidPermit(
            _('A halal certificate number starts with "ID", then digits.'), field="halal_number"
        )
    if bpom and not BPOM.fullmatch(bpom):
        raise InvalidPermit(
            _('A BPOM number is "MD" or "ML" followed by 12 digits.'), field="bpom_number"
        )
    if is_food and not (pirt or bpom or exemption):
        raise InvalidPermit(
            _("Food needs a P-IRT or BPOM number, or the reason it needs neither."),
            field="pirt_number",
        )
    return Permits(pirt, permits.pirt_expires_on if pirt else None, halal, bpom, exemption)


def is_pirt_expired(expires_on: date | None, today: date) -> bool:
    return expires_on is not None and expires_on < today


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
