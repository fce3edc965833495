"""refunds by bank transfer: method, bank reference, note

A refund Midtrans cannot make (a virtual account, or one it refused) is transferred by the
cooperative's admin and recorded with the transfer's reference. Every refund before this
revision went through Midtrans: the server default says so.

Revision ID: daad0355b644
Revises: aeffb808ce31
Create Date: 2026-12-03 08:56:49.674521

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "daad0355b644"
down_revision = "aeffb808ce31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "method",
                sa.Enum(
                    "gateway", "bank_transfer", name="refundmethod", native_enum=False, length=16
                ),
                server_default="gateway",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("bank_reference", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.create_unique_constraint(
            op.f("uq_refunds_order_id_bank_reference"), ["order_id", "bank_reference"]
        )
        batch_op.create_check_constraint(
            op.f("ck_refunds_bank_reference_iff_transfer"),
            "(method = 'bank_transfer') = (bank_reference IS NOT NULL)",
        )


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_refunds_bank_reference_iff_transfer"), type_="check")
        batch_op.drop_constraint(op.f("uq_refunds_order_id_bank_reference"), type_="unique")
        batch_op.drop_column("note")
        batch_op.drop_column("bank_reference")
        batch_op.drop_column("method")
