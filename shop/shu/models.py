"""SHU: the percentages of a cooperative's statutes, and each year's SHU once an admin
confirmed it (what was shared, by which percentages, who confirmed it, each member's share).

The money is the ledger's: confirming posts one journal entry per cooperative and year, keyed
"shu:<cooperative id>:<year>"; a distribution row keeps what the journal does not (the basis,
the percentages used, the parts that were not paid to members).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import Account, _string_enum
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow

# The parts of the statutes (AD/ART) in their usual order; jasa anggota is the members' part.
PARTS = (
    "reserve",
    "jasa_anggota",
    "pengurus",
    "karyawan",
    "pendidikan",
    "sosial",
    "pembangunan_daerah_kerja",
)


class ShuDestination(StrEnum):
    """Where the members' shares go, as the RAT decides."""

    AVAILABLE = "available"  # their available balance: they can ask for a payout
    SUKARELA = "sukarela"  # their simpanan sukarela

    @property
    def account(self) -> Account:
        return DESTINATION_ACCOUNTS[self]


DESTINATION_ACCOUNTS = {
    ShuDestination.AVAILABLE: Account.MEMBER_AVAILABLE,
    ShuDestination.SUKARELA: Account.SIMPANAN_SUKARELA,
}


class ShuSettings(db.Model):
    """The cooperative's SHU percentages, in basis points: settings, never constants."""

    __tablename__ = "shu_settings"
    __table_args__ = (
        CheckConstraint(
            " + ".join(f"{part}_bp" for part in PARTS) + " = 10000", name="parts_make_100"
        ),
        CheckConstraint(
            " AND ".join(f"{part}_bp >= 0" for part in PARTS), name="parts_not_negative"
        ),
        CheckConstraint("jasa_usaha_bp BETWEEN 0 AND 10000", name="jasa_usaha_within"),
    )

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id"), primary_key=True, autoincrement=False
    )
    reserve_bp: Mapped[int]
    jasa_anggota_bp: Mapped[int]
    pengurus_bp: Mapped[int]
    karyawan_bp: Mapped[int]
    pendidikan_bp: Mapped[int]
    sosial_bp: Mapped[int]
    pembangunan_daerah_kerja_bp: Mapped[int]
    # The share of jasa anggota that goes by jasa usaha; jasa modal gets the rest.
    jasa_usaha_bp: Mapped[int]
    # Whether a member's purchases from the cooperative (as a shopper) count in jasa usaha.
    counts_purchases: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def parts_bp(self) -> dict[str, int]:
        return {part: getattr(self, f"{part}_bp") for part in PARTS}


class ShuDistribution(db.Model):
    """A year's SHU as the admin confirmed it: one per cooperative and year."""

    __tablename__ = "shu_distributions"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "year"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("jasa_usaha >= 0 AND jasa_modal >= 0", name="services_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (cooperative_id, year) serves a cooperative's lookups.
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    year: Mapped[int]
    amount: Mapped[Rupiah]  # the year's SHU to share, as the admin typed it
    parts: Mapped[dict] = mapped_column(JSON)  # part -> Rupiah
    parts_bp: Mapped[dict] = mapped_column(JSON)  # part -> basis points, as used
    jasa_usaha_bp: Mapped[int]
    counts_purchases: Mapped[bool]
    jasa_usaha: Mapped[Rupiah]  # jasa anggota's part shared by sales (and purchases)
    jasa_modal: Mapped[Rupiah]  # jasa anggota's part shared by simpanan pokok + wajib
    destination: Mapped[ShuDestination] = mapped_column(_string_enum(ShuDestination, 12))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    confirmed_by: Mapped[User] = relationship()
    shares: Mapped[list["ShuShare"]] = relationship(
        back_populates="distribution", order_by="ShuShare.id", cascade="all, delete-orphan"
    )

    @property
    def paid_to_members(self) -> int:
        return self.jasa_usaha + self.jasa_modal


class ShuShare(db.Model):
    """One member's basis and share of a confirmed year."""

    __tablename__ = "shu_shares"
    __table_args__ = (
        UniqueConstraint("distribution_id", "member_id"),
        CheckConstraint(
            "sales >= 0 AND purchases >= 0 AND capital >= 0 AND usaha_share >= 0 "
            "AND modal_share >= 0",
            name="not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("shu_distributions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    sales: Mapped[Rupiah]  # their earnings from sales in the year, net of refunds
    purchases: Mapped[Rupiah]  # what they bought from the cooperative in the year
    capital: Mapped[Rupiah]  # simpanan pokok + wajib at the year's end
    usaha_share: Mapped[Rupiah]
    modal_share: Mapped[Rupiah]

    distribution: Mapped[ShuDistribution] = relationship(back_populates="shares")
    member: Mapped[Membership] = relationship()

    @property
    def total(self) -> int:
        return self.usaha_share + self.modal_share
