"""orders without payment_url

The current attempt's Snap page is its payment_attempts row's redirect_url; the copy on the
order was written by every start of a payment (one UPDATE of placing an order) and read by
nothing but tests. The downgrade gives it back, filled from each order's current attempt.

Revision ID: b7e2d9c41a63
Revises: 3df8582949c4
Create Date: 2026-12-05 04:12:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "b7e2d9c41a63"
down_revision = "3df8582949c4"
branch_labels = None
depends_on = None


def upgrade():
    # Native on both databases (SQLite >= 3.35): no batch copy of orders, which the
    # foreign keys of its lines, shipments and attempts would cascade from.
    op.execute("ALTER TABLE orders DROP COLUMN payment_url")


def downgrade():
    op.add_column("orders", sa.Column("payment_url", sa.String(length=255), nullable=True))
    op.execute(
        "UPDATE orders SET payment_url = (SELECT payment_attempts.redirect_url"
        " FROM payment_attempts WHERE payment_attempts.order_id = orders.id"
        " AND payment_attempts.number = orders.payment_attempts)"
    )
