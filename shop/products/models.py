"""A catalog file uploaded for import: kept between its preview and the task that imports it
(the database, not a disk: any host's consumer can read it)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow


class ProductImport(db.Model):
    __tablename__ = "product_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The member importing their own products; None for an admin, whose rows name the member.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # A ZIP of the photos the file's "foto" column names, when one was uploaded with it.
    photos_zip: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job_progress.id"))
    # What the preview found and, once imported, what was done: counts and the product ids.
    summary: Mapped[dict | None] = mapped_column(JSON)
