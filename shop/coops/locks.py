"""The cooperative's row lock: the one place a cooperative-wide change waits its turn."""

from sqlalchemy import select

from shop.coops.models import Cooperative
from shop.extensions import db


def lock_cooperative(cooperative_id: int) -> None:
    """Hold the cooperative's row until the transaction ends, so that two changes to its
    settings or memberships made at once run one after the other: the second reads what the
    first committed instead of both inserting the same one-per-cooperative row (PostgreSQL;
    SQLite's single writer already queues them)."""
    db.session.execute(
        select(Cooperative.id).where(Cooperative.id == cooperative_id).with_for_update()
    )
