"""ledger: journal entries and postings, payouts, refunds; a cooperative's hold period and
minimum payout; when a shipment's earnings became available

New tables, and new columns with server defaults for existing rows.

Revision ID: 1002fcee1ddc
Revises: 95248fc00bdc
Create Date: 2026-11-23 22:42:32.056586

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1002fcee1ddc"
down_revision = "95248fc00bdc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "paid",
                "rejected",
                name="payoutstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("bank_name", sa.String(length=60), nullable=False),
        sa.Column("bank_account_number", sa.String(length=34), nullable=False),
        sa.Column("bank_account_holder", sa.String(length=120), nullable=False),
        sa.Column("transfer_reference", sa.String(length=80), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payouts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_payouts_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_payouts_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["memberships.id"], name=op.f("fk_payouts_member_id_memberships")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_payouts_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payouts_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payouts_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_status"), ["status"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("refund_key", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_refunds_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_refunds_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("refund_key", name=op.f("uq_refunds_refund_key")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refunds_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refunds_order_id"), ["order_id"], unique=False)

    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "settlement",
                "gateway_fee",
                "completion",
                "refund",
                "payout_approved",
                "payout_paid",
                "payout_rejected",
                name="entrykind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_journal_entries_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_journal_entries_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_journal_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_journal_entries_payout_id_payouts")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_journal_entries_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_journal_entries_idempotency_key")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journal_entries_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journal_entries_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_journal_entries_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_journal_entries_payout_id"), ["payout_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journal_entries_refund_id"), ["refund_id"], unique=False
        )

    op.create_table(
        "refund_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("member_amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount >= 0 AND fee >= 0 AND member_amount >= 0",
            name=op.f("ck_refund_lines_not_negative"),
        ),
        sa.CheckConstraint("fee + member_amount = amount", name=op.f("ck_refund_lines_parts_sum")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_refund_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_refund_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_refund_lines_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_lines")),
    )
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_lines_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refund_lines_refund_id"), ["refund_id"], unique=False)

    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column(
            "account",
            sa.Enum(
                "gateway_clearing",
                "member_pending",
                "member_available",
                "fee_revenue",
                "shipping_revenue",
                "gateway_fees",
                "payouts_in_transit",
                "bank",
                name="account",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_postings_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_postings_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["memberships.id"], name=op.f("fk_postings_member_id_memberships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_postings_account", ["cooperative_id", "account", "member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_postings_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_postings_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hold_days", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("min_payout", sa.BigInteger(), server_default="50000", nullable=False)
        )
        batch_op.create_check_constraint("hold_days_not_negative", "hold_days >= 0")
        batch_op.create_check_constraint("min_payout_not_negative", "min_payout >= 0")

    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.drop_column("completed_at")

    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        # op.f: the names are final (a bare name would get the naming convention's prefix
        # twice, and the downgrade would look for a constraint that does not exist).
        batch_op.drop_constraint(op.f("ck_cooperatives_min_payout_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_cooperatives_hold_days_not_negative"), type_="check")
        batch_op.drop_column("min_payout")
        batch_op.drop_column("hold_days")

    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_member_id"))
        batch_op.drop_index(batch_op.f("ix_postings_entry_id"))
        batch_op.drop_index("ix_postings_account")

    op.drop_table("postings")
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_lines_refund_id"))
        batch_op.drop_index(batch_op.f("ix_refund_lines_order_line_id"))

    op.drop_table("refund_lines")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entries_refund_id"))
        batch_op.drop_index(batch_op.f("ix_journal_entries_payout_id"))
        batch_op.drop_index(batch_op.f("ix_journal_entries_order_id"))
        batch_op.drop_index(batch_op.f("ix_journal_entries_created_at"))
        batch_op.drop_index(batch_op.f("ix_journal_entries_cooperative_id"))

    op.drop_table("journal_entries")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_order_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_cooperative_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_status"))
        batch_op.drop_index(batch_op.f("ix_payouts_member_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_cooperative_id"))

    op.drop_table("payouts")
