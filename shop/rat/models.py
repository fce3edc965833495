"""The RAT (rapat anggota tahunan, the annual members' meeting) of a cooperative for one
financial year, as recorded after it was held: when, who came, what it decided about the
year's SHU and the percentages of the statutes it ratified. One row per cooperative and year.

The percentages are basis points (100 % = 10.000) in the statutes' order, named as the SHU
calculator (shop/shu/calculator.py) names its parts; the database holds them to 100 %.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.ledger.models import _string_enum
from shop.timeutil import UTCDateTime, utcnow

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a financial year outside these is a typing mistake
# The statutes' parts of the SHU, in their usual order; the keys are the SHU calculator's.
SHU_PARTS = (
    "reserve",
    "jasa_anggota",
    "pengurus",
    "karyawan",
    "pendidikan",
    "sosial",
    "pembangunan_daerah_kerja",
)
FULL_BP = 10_000


class PaidShuTo(StrEnum):
    """Where the members' paid SHU goes, as the RAT decides."""

    AVAILABLE = "available"  # their available balance, to be paid out like earnings
    SUKARELA = "sukarela"  # their simpanan sukarela


class RatMeeting(db.Model):
    __tablename__ = "rat_meetings"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "financial_year"),
        CheckConstraint(
            f"financial_year BETWEEN {FIRST_YEAR} AND {LAST_YEAR}", name="year_in_range"
        ),
        CheckConstraint(
            "members_present >= 0 AND members_present <= members_total", name="attendance"
        ),
        CheckConstraint(
            " AND ".join(f"{part}_bp >= 0" for part in SHU_PARTS), name="parts_not_negative"
        ),
        CheckConstraint(
            " + ".join(f"{part}_bp" for part in SHU_PARTS) + f" = {FULL_BP}",
            name="parts_sum_to_100",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (cooperative, year), which leads with it.
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    financial_year: Mapped[int]
    held_on: Mapped[date] = mapped_column(Date)
    members_present: Mapped[int]
    members_total: Mapped[int]
    shu_decision: Mapped[str] = mapped_column(Text, default="")
    paid_shu_to: Mapped[PaidShuTo] = mapped_column(_string_enum(PaidShuTo, 12))
    reserve_bp: Mapped[int]
    jasa_anggota_bp: Mapped[int]
    pengurus_bp: Mapped[int]
    karyawan_bp: Mapped[int]
    pendidikan_bp: Mapped[int]
    sosial_bp: Mapped[int]
    pembangunan_daerah_kerja_bp: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def parts_bp(self) -> dict[str, int]:
        """The ratified percentages as the SHU calculator takes them."""
        return {part: getattr(self, f"{part}_bp") for part in SHU_PARTS}
