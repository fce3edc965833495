"""courier max weight, notification received_at indexes

A courier service may have a maximum parcel weight (none: no limit, as every service had
until now). The operator's gateway watch reads the last 30 days of both notification tables
by received_at, which had no index: a full scan of tables that only grow.

Revision ID: 3df8582949c4
Revises: c3a7e5d1f204
Create Date: 2026-12-04 20:03:48.906170

"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "3df8582949c4"
down_revision = "c3a7e5d1f204"
branch_labels = None
depends_on = None


def upgrade():
    with _foreign_keys_resting():
        with op.batch_alter_table("courier_services", schema=None) as batch_op:
            batch_op.add_column(sa.Column("max_weight_grams", sa.Integer(), nullable=True))
            batch_op.create_check_constraint("max_weight_positive", "max_weight_grams > 0")

    with op.batch_alter_table("iris_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_iris_notifications_received_at"), ["received_at"], unique=False
        )

    with op.batch_alter_table("payment_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_notifications_received_at"), ["received_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("payment_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_notifications_received_at"))

    with op.batch_alter_table("iris_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iris_notifications_received_at"))

    with _foreign_keys_resting():
        with op.batch_alter_table("courier_services", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_courier_services_max_weight_positive"), type_="check")
            batch_op.drop_column("max_weight_grams")


@contextmanager
def _foreign_keys_resting():
    """SQLite alters courier_services by copying it and dropping the old table: with foreign
    keys on, that drop would cascade to every courier zone rate. They rest meanwhile (the
    copy keeps every id, so they hold again)."""
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if is_sqlite:
            op.execute("PRAGMA foreign_keys=ON")
