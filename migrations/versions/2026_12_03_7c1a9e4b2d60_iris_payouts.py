"""Iris payouts: the transfer's reference_no at Midtrans Iris, and when a paid payout came back

The iris payout adapter (shop/payouts/iris.py) stores the reference_no Iris gives each payout
it creates (unique: one notification finds one payout). A payout that Iris reports failed
after it completed (the bank sent the money back) is "returned", at returned_at; the status
and the journal entry kind are strings, so the new values need no schema change.

Revision ID: 7c1a9e4b2d60
Revises: df2c58be0859
Create Date: 2026-12-03 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1a9e4b2d60"
down_revision = "df2c58be0859"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("iris_reference", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_payouts_iris_reference"), ["iris_reference"]
        )


def downgrade():
    _refuse_downgrade_if(
        "SELECT 1 FROM payouts WHERE status = 'returned'"
        " OR (status = 'approved' AND iris_reference IS NOT NULL)",
        "payouts returned by the bank (unreadable by the older code) or being transferred by"
        " Iris (which it would let an admin pay again by hand) exist.",
    )
    # SQLite drops a column by copying the table; with rows of other tables pointing at its
    # rows, the foreign keys must rest meanwhile (the copy keeps every id, so they hold again).
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_payouts_iris_reference"), type_="unique")
        batch_op.drop_column("iris_reference")
        batch_op.drop_column("returned_at")
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def _refuse_downgrade_if(sql: str, why: str) -> None:
    """Refused rather than lose, or misread, what only the newer code understands."""
    if op.get_bind().execute(sa.text(sql)).first():
        raise RuntimeError(f"Cannot downgrade: {why}")
