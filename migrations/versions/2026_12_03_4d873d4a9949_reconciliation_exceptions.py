"""reconciliation exceptions

What the daily reconciliation of each cooperative's ledger against the gateway finds (paid
but not settled, settled but unknown, refunds not allocated, payouts without approval), one
row per thing to look at, from first seen to resolved. At most one open row per
(cooperative, kind, reference): a partial unique index. Downgrading drops the table.

Revision ID: 4d873d4a9949
Revises: de6b629e7d1e
Create Date: 2026-12-03 16:14:57.008460

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4d873d4a9949"
down_revision = "de6b629e7d1e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reconciliation_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "paid_not_settled",
                "settled_unknown",
                "refund_not_allocated",
                "payout_unapproved",
                name="exceptionkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_reconciliation_exceptions_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_reconciliation_exceptions_cooperative_id_cooperatives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_exceptions")),
    )
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_cooperative_id"),
            ["cooperative_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_resolved_at"), ["resolved_at"], unique=False
        )
        batch_op.create_index(
            "uq_reconciliation_exceptions_open",
            ["cooperative_id", "kind", "reference"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reconciliation_exceptions_open",
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_cooperative_id"))

    op.drop_table("reconciliation_exceptions")
