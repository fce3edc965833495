"""checkout: shipping settings and courier rates per cooperative, saved addresses, payment
attempts on orders, and the shipment timeline

New tables, and new columns with server defaults so existing orders and shipments get values.
A cooperative without shipping settings offers pickup only.

Revision ID: 95248fc00bdc
Revises: b1f8f8dc5b74
Create Date: 2026-11-23 22:09:03.656720

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "95248fc00bdc"
down_revision = "b1f8f8dc5b74"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("recipient_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("province", sa.String(length=80), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("district", sa.String(length=80), nullable=False),
        sa.Column("village", sa.String(length=80), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_addresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_addresses")),
    )
    with op.batch_alter_table("saved_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_addresses_user_id"), ["user_id"], unique=False)

    op.create_table(
        "shipping_settings",
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("offers_pickup", sa.Boolean(), nullable=False),
        sa.Column("offers_local", sa.Boolean(), nullable=False),
        sa.Column("local_fee", sa.BigInteger(), nullable=False),
        sa.Column("offers_courier", sa.Boolean(), nullable=False),
        sa.Column("courier_name", sa.String(length=60), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "local_fee >= 0", name=op.f("ck_shipping_settings_local_fee_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_shipping_settings_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cooperative_id", name=op.f("pk_shipping_settings")),
    )
    op.create_table(
        "courier_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("max_weight_grams", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_courier_rates_fee_not_negative")),
        sa.CheckConstraint(
            "max_weight_grams > 0", name=op.f("ck_courier_rates_max_weight_positive")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["shipping_settings.cooperative_id"],
            name=op.f("fk_courier_rates_cooperative_id_shipping_settings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_rates")),
        sa.UniqueConstraint(
            "cooperative_id",
            "max_weight_grams",
            name=op.f("uq_courier_rates_cooperative_id_max_weight_grams"),
        ),
    )
    with op.batch_alter_table("courier_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_courier_rates_cooperative_id"), ["cooperative_id"], unique=False
        )

    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight_grams", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("tracking_number", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("packed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("shipped_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_method", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("payment_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("payment_url", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("payment_url")
        batch_op.drop_column("payment_attempts")
        batch_op.drop_column("payment_method")

    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("shipped_at")
        batch_op.drop_column("packed_at")
        batch_op.drop_column("tracking_number")
        batch_op.drop_column("weight_grams")

    with op.batch_alter_table("courier_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courier_rates_cooperative_id"))

    op.drop_table("courier_rates")
    op.drop_table("shipping_settings")
    with op.batch_alter_table("saved_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_addresses_user_id"))

    op.drop_table("saved_addresses")
