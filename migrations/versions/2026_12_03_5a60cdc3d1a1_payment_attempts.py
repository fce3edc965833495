"""payment attempts: one row per Midtrans transaction of an order, at most one open

Each attempt keeps what Midtrans said about paying it (bank and virtual account, Mandiri
bill, QRIS string, store payment code, expiry), and a partial unique index lets an order
have only one attempt starting or open at a time. Orders already sent to Midtrans get a
row for their latest attempt, in the state the order shows.

Revision ID: 5a60cdc3d1a1
Revises: a01bff37d03d
Create Date: 2026-12-03 12:09:20.163911

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5a60cdc3d1a1"
down_revision = "a01bff37d03d"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('starting', 'open')")

# The latest attempt of every order that has one, in the state its order shows.
BACKFILL = """
INSERT INTO payment_attempts (order_id, number, midtrans_order_id, status, redirect_url,
                              created_at, updated_at, payment_type)
SELECT id, payment_attempts, number || '-' || CAST(payment_attempts AS VARCHAR(10)),
       CASE
         WHEN paid_at IS NOT NULL THEN 'paid'
         WHEN status = 'pending' AND payment_url IS NOT NULL THEN 'open'
         WHEN status = 'pending' THEN 'failed'
         WHEN status IN ('expired', 'cancelled', 'denied') THEN status
         ELSE 'failed'
       END,
       payment_url, created_at, created_at, payment_method
FROM orders
WHERE payment_attempts > 0
"""


def upgrade():
    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("midtrans_order_id", sa.String(length=50), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "starting",
                "open",
                "paid",
                "failed",
                "denied",
                "cancelled",
                "expired",
                name="attemptstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("redirect_url", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("payment_type", sa.String(length=40), nullable=True),
        sa.Column("bank", sa.String(length=20), nullable=True),
        sa.Column("va_number", sa.String(length=40), nullable=True),
        sa.Column("biller_code", sa.String(length=20), nullable=True),
        sa.Column("bill_key", sa.String(length=40), nullable=True),
        sa.Column("qr_string", sa.String(length=1000), nullable=True),
        sa.Column("payment_code", sa.String(length=40), nullable=True),
        sa.Column("store", sa.String(length=20), nullable=True),
        sa.Column("pay_before", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_payment_attempts_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
        sa.UniqueConstraint(
            "midtrans_order_id", name=op.f("uq_payment_attempts_midtrans_order_id")
        ),
        sa.UniqueConstraint("order_id", "number", name=op.f("uq_payment_attempts_order_id_number")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_attempts_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("uq_payment_attempts_one_open_per_order"),
            ["order_id"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
    op.execute(BACKFILL)


def downgrade():
    # The orders keep their attempt count and current page: nothing to copy back.
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("uq_payment_attempts_one_open_per_order"))
        batch_op.drop_index(batch_op.f("ix_payment_attempts_order_id"))
    op.drop_table("payment_attempts")
