"""Indonesia's 38 provinces and the island group each belongs to.

Couriers price by how far a parcel travels, and the big steps are leaving the city, the
province and the island group (a parcel from Sumba to Papua crosses the sea twice). The
groups follow the seven regions the government and the couriers use; the Riau and Bangka
Belitung islands ship through Sumatra, so they are in its group.
"""

SUMATRA = "Sumatera"
JAVA = "Jawa"
BALI_NUSA_TENGGARA = "Bali & Nusa Tenggara"
KALIMANTAN = "Kalimantan"
SULAWESI = "Sulawesi"
MALUKU = "Maluku"
PAPUA = "Papua"

# Province -> island group, as the post office and the shopper's ID card (KTP) write them.
ISLAND_GROUP_OF = {
    "Aceh": SUMATRA, "Sumatera Utara": SUMATRA, "Sumatera Barat": SUMATRA, "Riau": SUMATRA,
    "Kepulauan Riau": SUMATRA, "Jambi": SUMATRA, "Sumatera Selatan": SUMATRA,
    "Kepulauan Bangka Belitung": SUMATRA, "Bengkulu": SUMATRA, "Lampung": SUMATRA,
    "DKI Jakarta": JAVA, "Jawa Barat": JAVA, "Banten": JAVA, "Jawa Tengah": JAVA,
    "DI Yogyakarta": JAVA, "Jawa Timur": JAVA,
    "Bali": BALI_NUSA_TENGGARA, "Nusa Tenggara Barat": BALI_NUSA_TENGGARA,
    "Nusa Tenggara Timur": BALI_NUSA_TENGGARA,
    "Kalimantan Barat": KALIMANTAN, "Kalimantan Tengah": KALIMANTAN,
    "Kalimantan Selatan": KALIMANTAN, "Kalimantan Timur": KALIMANTAN,
    "Kalimantan Utara": KALIMANTAN,
    "Sulawesi Utara": SULAWESI, "Gorontalo": SULAWESI, "Sulawesi Tengah": SULAWESI,
    "Sulawesi Barat": SULAWESI, "Sulawesi Selatan": SULAWESI, "Sulawesi Tenggara": SULAWESI,
    "Maluku": MALUKU, "Maluku Utara": MALUKU,
    "Papua": PAPUA, "Papua Barat": PAPUA, "Papua Barat Daya": PAPUA, "Papua Selatan": PAPUA,
    "Papua Tengah": PAPUA, "Papua Pegunungan": PAPUA,
}  # fmt: skip

PROVINCES = tuple(ISLAND_GROUP_OF)  # west to east, the order of the checkout's list

_BY_FOLDED_NAME = {"".join(name.split()).casefold(): name for name in PROVINCES}


def province_named(text: str) -> str | None:
    """The province as written above for a name typed with any case or spacing
    ("di yogyakarta", "DKI  Jakarta"); None when it names no province."""
    return _BY_FOLDED_NAME.get("".join((text or "").split()).casefold())


def island_group_of(province: str | None) -> str | None:
    return ISLAND_GROUP_OF.get(province_named(province or "") or "")
