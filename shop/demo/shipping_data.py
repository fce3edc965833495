"""How the demo cooperatives send parcels: zones from near to far, and courier rates that
grow with the distance (a parcel from Sumba to Jakarta costs more than one to Waingapu,
and one to Papua the most). Fees are close to what JNE and POS charged in 2025."""

from shop.checkout.models import ZoneKind
from shop.checkout.regions import ISLAND_GROUP_OF, JAVA, MALUKU, PAPUA
from shop.checkout.shipping_settings import (
    CourierServiceInput,
    ShippingSettingsInput,
    ZoneInput,
    ZoneRateInput,
)

JAVA_PROVINCES = tuple(name for name, group in ISLAND_GROUP_OF.items() if group == JAVA)
FAR_EAST = tuple(name for name, group in ISLAND_GROUP_OF.items() if group in (MALUKU, PAPUA))


def _rate(first_kg: int, next_kg: int, days: tuple[int, int]) -> ZoneRateInput:
    return ZoneRateInput(first_kg, next_kg, *days)


# Food from Java to Java: JNE REG, priced by the kilo, and the slower, cheaper JNE JTR
# from 10 kg (not offered to the far east).
MLIJO_SHIPPING = ShippingSettingsInput(
    offers_pickup=True,
    offers_local=True,
    local_fee=10_000,
    offers_courier=True,
    zones=(
        ZoneInput("Sleman", ZoneKind.SAME_CITY),
        ZoneInput("DI Yogyakarta", ZoneKind.SAME_PROVINCE),
        ZoneInput("Jawa", ZoneKind.SAME_ISLAND_GROUP),
        ZoneInput("Maluku & Papua", ZoneKind.PROVINCES, FAR_EAST),
        ZoneInput("Pulau lain", ZoneKind.EVERYWHERE),
    ),
    services=(
        CourierServiceInput(
            "JNE REG",
            (
                _rate(8_000, 8_000, (1, 2)),
                _rate(9_000, 9_000, (1, 2)),
                _rate(12_000, 11_000, (2, 3)),
                _rate(62_000, 60_000, (5, 9)),
                _rate(32_000, 30_000, (3, 5)),
            ),
        ),
        CourierServiceInput(
            "JNE JTR",
            (
                None,
                _rate(45_000, 4_500, (3, 5)),
                _rate(55_000, 5_500, (4, 6)),
                None,
                _rate(120_000, 12_000, (7, 14)),
            ),
            rounding_tolerance_grams=0,
        ),
    ),
)

# Everything leaves the island by air or sea, so the courier costs more per kilo, and Java
# (where most shoppers are) is nearer than the rest of the country.
SUMBA_SHIPPING = ShippingSettingsInput(
    offers_pickup=True,
    offers_local=True,
    local_fee=15_000,
    offers_courier=True,
    zones=(
        ZoneInput("Sumba Timur", ZoneKind.SAME_CITY),
        ZoneInput("Nusa Tenggara Timur", ZoneKind.SAME_PROVINCE),
        ZoneInput("Bali & Nusa Tenggara", ZoneKind.SAME_ISLAND_GROUP),
        ZoneInput("Jawa", ZoneKind.PROVINCES, JAVA_PROVINCES),
        ZoneInput("Maluku & Papua", ZoneKind.PROVINCES, FAR_EAST),
        ZoneInput("Pulau lain", ZoneKind.EVERYWHERE),
    ),
    services=(
        CourierServiceInput(
            "POS Kilat Khusus",
            (
                _rate(10_000, 8_000, (1, 2)),
                _rate(28_000, 24_000, (2, 4)),
                _rate(38_000, 34_000, (3, 5)),
                _rate(45_000, 40_000, (3, 6)),
                _rate(98_000, 92_000, (6, 12)),
                _rate(62_000, 58_000, (4, 8)),
            ),
        ),
    ),
)

# Carvings are heavy and bulky: JNE JTR (trucking), a high first kilo and cheap further
# ones, and JNE REG for small pieces.
JEPARA_SHIPPING = ShippingSettingsInput(
    offers_pickup=True,
    offers_local=True,
    local_fee=20_000,
    offers_courier=True,
    zones=(
        ZoneInput("Jawa Tengah", ZoneKind.SAME_PROVINCE),
        ZoneInput("Jawa", ZoneKind.SAME_ISLAND_GROUP),
        ZoneInput("Maluku & Papua", ZoneKind.PROVINCES, FAR_EAST),
        ZoneInput("Pulau lain", ZoneKind.EVERYWHERE),
    ),
    services=(
        CourierServiceInput(
            "JNE REG",
            (
                _rate(9_000, 9_000, (1, 2)),
                _rate(13_000, 12_000, (2, 3)),
                _rate(65_000, 62_000, (5, 9)),
                _rate(34_000, 32_000, (3, 5)),
            ),
        ),
        CourierServiceInput(
            "JNE JTR",
            (
                _rate(50_000, 5_000, (3, 5)),
                _rate(60_000, 6_000, (4, 6)),
                _rate(350_000, 35_000, (10, 21)),
                _rate(130_000, 13_000, (7, 14)),
            ),
            rounding_tolerance_grams=0,
        ),
    ),
)
