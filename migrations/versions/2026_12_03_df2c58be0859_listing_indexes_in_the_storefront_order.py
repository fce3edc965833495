"""listing indexes in the storefront's order: on-sale search rows, newest first

Every storefront listing (home, category, cooperative, member, search without words) pages
through product_search's on-sale rows newest first. Without an index in that order each page
read and sorted every on-sale row (41 ms at 100,000 products for a category). Partial
indexes on the on-sale rows only, in (created_at, product_id) order, read backwards for
newest first: one for the whole catalog (with category and cooperative carried in it on
PostgreSQL, so a category's page is found in the index alone), one per category and one per
cooperative. The search tables are not models: autogenerate does not see them, so this
migration is written by hand.

Revision ID: df2c58be0859
Revises: e9e422d378af
Create Date: 2026-12-03 13:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "df2c58be0859"
down_revision = "e9e422d378af"
branch_labels = None
depends_on = None

# Written as the listings' queries write it (SQLAlchemy's is_(True)): a partial index serves
# a query only when the database can see that the query's WHERE implies the index's, and
# neither sees "is_on_sale IS true" imply a bare "is_on_sale".
ON_SALE = {
    "postgresql_where": sa.text("is_on_sale IS true"),
    "sqlite_where": sa.text("is_on_sale IS 1"),
}
NEWEST = ["created_at", "product_id"]
INDEXES = {
    "ix_product_search_on_sale_newest": (
        NEWEST,
        {"postgresql_include": ["category_id", "cooperative_id"]},
    ),
    "ix_product_search_on_sale_category": (["category_id", *NEWEST], {}),
    "ix_product_search_on_sale_cooperative": (["cooperative_id", *NEWEST], {}),
}


def upgrade():
    for name, (columns, options) in INDEXES.items():
        op.create_index(
            op.f(name),
            "product_search",
            columns,
            **ON_SALE,
            **options,
        )


def downgrade():
    for name in INDEXES:
        op.drop_index(op.f(name), table_name="product_search")
