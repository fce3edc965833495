"""payouts: which attempt at Midtrans Iris, so an admin can send a payout through Iris again

A payout whose Iris approval failed is withdrawn there and left for a hand transfer; an admin
may now send it through Iris again instead. Each new attempt needs its own idempotency key
(the withdrawn payout would otherwise come back), so the attempt is counted on the payout.

Revision ID: 86b410ef225a
Revises: 98d85c9f6e19
Create Date: 2026-12-04 19:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "86b410ef225a"
down_revision = "98d85c9f6e19"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("iris_attempt", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    # SQLite drops a column by copying the table; with rows of other tables pointing at its
    # rows, the foreign keys must rest meanwhile (the copy keeps every id, so they hold again).
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_column("iris_attempt")
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=ON")
