"""Money is whole Rupiah in integer columns; fees are basis points (1 % = 100 bp).

Everything that formats, parses or rounds money lives here, so nobody re-implements it.
"""

import re
from typing import Annotated

from sqlalchemy import BigInteger
from sqlalchemy.orm import mapped_column

Rupiah = Annotated[int, mapped_column(BigInteger)]

BASIS_POINTS_PER_WHOLE = 10_000
MAX_FEE_BP = 10_000

NO_BREAK_SPACE = "\u00a0"

MAX_TYPED_AMOUNT = 10**12  # Rupiah; anything above is a typo, not a budget

# "25000", "25.000", "Rp 25.000", "Rp25.000,00", "25rb", "1,5 jt": how prices are written.
_TYPED_AMOUNT = re.compile(
    r"(?:rp\.?|idr)?\s*"
    r"(?P<whole>\d{1,3}(?:[.,]\d{3})+|\d+)(?:,(?P<fraction>\d{1,2}))?\s*"
    r"(?P<unit>rb|ribu|k|jt|juta)?",
    re.IGNORECASE,
)
_UNITS = {"rb": 1_000, "ribu": 1_000, "k": 1_000, "jt": 1_000_000, "juta": 1_000_000}
_PERCENT = re.compile(r"^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$")


def fee_for(amount: int, fee_bp: int) -> int:
    """The cooperative's fee on an amount: rounded half up to whole Rupiah.

    This is the one rounding rule. The member receives amount - fee, so the two parts always
    sum exactly to the amount.
    """
    if amount < 0 or not 0 <= fee_bp <= MAX_FEE_BP:
        raise ValueError("amount must be >= 0 and fee_bp within 0..10000")
    return (amount * fee_bp + BASIS_POINTS_PER_WHOLE // 2) // BASIS_POINTS_PER_WHOLE


def format_rupiah(amount: int | None) -> str:
    """25000 -> "Rp 25.000" (Indonesian thousands separator, no decimals): for text, CSV and
    mail; pages show format_rupiah_html."""
    return _rupiah(amount, " ")


def format_rupiah_html(amount: int | None) -> str:
    """25000 -> "Rp\u00a025.000": the no-break space keeps "Rp" on the line of its digits
    where a narrow phone wraps the text. A character, not "&nbsp;", so that it stays itself
    wherever a page puts it (a translated sentence, an attribute, JSON)."""
    return _rupiah(amount, NO_BREAK_SPACE)


def _rupiah(amount: int | None, space: str) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{space}{abs(int(amount)):,}".replace(",", ".")


def parse_percent_to_bp(text: str) -> int:
    """ "2,5" or "2.5 %" -> 250. Raises ValueError for anything else or above 100 %.

    Parsed as digits, never as a float, so 2,55 % is exactly 255 bp.
    """
    match = _PERCENT.match(text or "")
    if not match:
        raise ValueError("not a percentage")
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    bp = int(whole) * 100 + int(fraction)
    if bp > MAX_FEE_BP:
        raise ValueError("above 100 %")
    return bp


def format_bp_as_percent(fee_bp: int) -> str:
    """250 -> "2,5" (Indonesian decimal comma, no trailing zeros)."""
    whole, fraction = divmod(fee_bp, 100)
    return f"{whole},{fraction:02d}".rstrip("0").rstrip(",") if fraction else str(whole)


def parse_rupiah(text: str) -> int | None:
    """ "Rp 25.000" -> 25000; "25rb" -> 25000; "1,5 jt" -> 1500000. None for anything that is
    not a whole, non-negative amount of Rupiah."""
    match = _TYPED_AMOUNT.fullmatch((text or "").strip())
    if not match:
        return None
    unit = _UNITS.get((match["unit"] or "").lower(), 1)
    fraction = match["fraction"] or ""
    from_fraction, remainder = divmod(int(fraction or "0") * unit, 10 ** len(fraction))
    if remainder:  # "25.000,50": not whole Rupiah
        return None
    amount = int(re.sub(r"[.,]", "", match["whole"])) * unit + from_fraction
    return amount if amount <= MAX_TYPED_AMOUNT else None


def member_receives(price, fee_bp: int) -> int | None:
    """What the maker is paid for one item at this price (a number or as typed, "Rp 15.000")
    once the cooperative's fee is taken, as checkout will book it; None for no valid price."""
    amount = parse_rupiah(price) if isinstance(price, str) else price
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return None
    return amount - fee_for(amount, fee_bp)
