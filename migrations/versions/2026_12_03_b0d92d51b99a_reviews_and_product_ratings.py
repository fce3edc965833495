"""reviews and product ratings: reviews with photos, rating and sold counts on products

Products keep the number and the star sum of their visible reviews, and the average x 100
(indexed) that "sort by rating" reads. sold_count now means units in paid orders less the
units refunded: existing refunds are taken off here (and put back by the downgrade).

Revision ID: b0d92d51b99a
Revises: 5a60cdc3d1a1
Create Date: 2026-12-03 12:07:24.746172

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b0d92d51b99a"
down_revision = "5a60cdc3d1a1"
branch_labels = None
depends_on = None

REFUNDED_UNITS = (
    "COALESCE((SELECT SUM(refund_lines.quantity) FROM refund_lines"
    " JOIN order_lines ON order_lines.id = refund_lines.order_line_id"
    " WHERE order_lines.product_id = products.id), 0)"
)


def upgrade():
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("item_name", sa.String(length=220), nullable=False),
        sa.Column("author_name", sa.String(length=60), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("reply_text", sa.Text(), server_default="", nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=300), server_default="", nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name=op.f("ck_reviews_rating_range")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_reviews_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_reviews_hidden_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["memberships.id"], name=op.f("fk_reviews_member_id_memberships")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reviews_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_reviews_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_reviews_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_id"], ["users.id"], name=op.f("fk_reviews_replied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_reviews_order_line_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reviews_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_product_id"), ["product_id"], unique=False)

    op.create_table(
        "review_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=255), nullable=False),
        sa.Column("rendition_key", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_photos_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_photos")),
        sa.UniqueConstraint(
            "review_id", "position", name=op.f("uq_review_photos_review_id_position")
        ),
    )
    with op.batch_alter_table("review_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_photos_review_id"), ["review_id"], unique=False)

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("rating_average_centi", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_products_rating_average_centi"), ["rating_average_centi"], unique=False
        )

    op.execute(f"UPDATE products SET sold_count = sold_count - {REFUNDED_UNITS}")


def downgrade():
    op.execute(f"UPDATE products SET sold_count = sold_count + {REFUNDED_UNITS}")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_rating_average_centi"))
        batch_op.drop_column("rating_average_centi")
        batch_op.drop_column("rating_sum")
        batch_op.drop_column("rating_count")

    with op.batch_alter_table("review_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_photos_review_id"))

    op.drop_table("review_photos")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_product_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_order_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_member_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_cooperative_id"))

    op.drop_table("reviews")
