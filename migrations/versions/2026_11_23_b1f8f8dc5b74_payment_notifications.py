"""payment notifications: every Midtrans notification, stored raw with its outcome

A new table only; nothing existing changes.

Revision ID: b1f8f8dc5b74
Revises: fc581b766841
Create Date: 2026-11-23 21:03:59.513373

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1f8f8dc5b74"
down_revision = "fc581b766841"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("raw_body", sa.Text(), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("transaction_status", sa.String(length=40), nullable=True),
        sa.Column("signature_valid", sa.Boolean(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "received",
                "applied",
                "duplicate",
                "ignored",
                "bad_signature",
                "unknown_order",
                "amount_mismatch",
                "malformed",
                "gateway_unavailable",
                name="notificationoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notifications")),
    )
    with op.batch_alter_table("payment_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_notifications_order_id"), ["order_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("payment_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_notifications_order_id"))

    op.drop_table("payment_notifications")
