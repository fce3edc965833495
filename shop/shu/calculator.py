"""The SHU split, in whole Rupiah, by one rounding rule: the largest remainder.

A year's SHU to share is split over the statutes' parts (reserve, jasa anggota, pengurus,
karyawan, pendidikan, sosial, pembangunan daerah kerja... each in basis points, summing to
100 %); jasa anggota is split between jasa usaha and jasa modal; each of those over the
members in proportion to their basis (sales through the cooperative; simpanan pokok + wajib).

Every split is (amount x weight / total weight) rounded down, and the Rupiah left over go one
each to the largest fractional parts; equal fractions go first to the one listed first (the
parts in the statutes' order, members by member number). So the parts always sum exactly to
what was split, and the same inputs always give the same Rupiah.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

FULL_BP = 10_000  # 100 %
K = TypeVar("K", bound=Hashable)


class SplitError(ValueError):
    """Percentages that do not sum to 100 %, or a negative amount or basis."""


def split_largest_remainder(amount: int, weights: Mapping[K, int]) -> dict[K, int]:
    """`amount` split in proportion to `weights` (in their order), summing exactly to it.
    With no weight at all, nothing can be split: every share is 0."""
    if amount < 0 or any(weight < 0 for weight in weights.values()):
        raise SplitError("amounts and weights cannot be negative")
    total = sum(weights.values())
    if total == 0:
        return dict.fromkeys(weights, 0)
    shares, remainders = {}, {}
    for key, weight in weights.items():
        shares[key], remainders[key] = divmod(amount * weight, total)
    left = amount - sum(shares.values())
    order = list(weights)
    # Largest fraction first; on a tie, the one listed first (a stable sort keeps the order).
    for key in sorted(order, key=lambda k: -remainders[k])[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class ShuSplit:
    parts: dict[str, int]  # each part of the statutes, in Rupiah
    jasa_usaha: int
    jasa_modal: int
    usaha_shares: dict[int, int]  # member id -> Rupiah
    modal_shares: dict[int, int]

    def member_total(self, member_id: int) -> int:
        return self.usaha_shares.get(member_id, 0) + self.modal_shares.get(member_id, 0)


JASA_ANGGOTA = "jasa_anggota"


def split_shu(
    shu: int,
    parts_bp: Mapping[str, int],
    usaha_bp: int,
    sales: Mapping[int, int],
    capital: Mapping[int, int],
) -> ShuSplit:
    """Split `shu` over the statutes' parts (`parts_bp`, with a "jasa_anggota" part, summing
    to 100 %), jasa anggota into jasa usaha (`usaha_bp`) and jasa modal (the rest), and each of
    those over the members by `sales` and `capital` (member id -> Rupiah, by member number).
    Raises SplitError for percentages that do not sum to 100 % or a negative figure."""
    if sum(parts_bp.values()) != FULL_BP or JASA_ANGGOTA not in parts_bp:
        raise SplitError("the parts must sum to 100 % and include jasa anggota")
    if not 0 <= usaha_bp <= FULL_BP:
        raise SplitError("jasa usaha must be between 0 and 100 % of jasa anggota")
    parts = split_largest_remainder(shu, parts_bp)
    services = split_largest_remainder(
        parts[JASA_ANGGOTA], {"usaha": usaha_bp, "modal": FULL_BP - usaha_bp}
    )
    return ShuSplit(
        parts=parts,
        jasa_usaha=services["usaha"],
        jasa_modal=services["modal"],
        usaha_shares=split_largest_remainder(services["usaha"], sales),
        modal_shares=split_largest_remainder(services["modal"], capital),
    )
