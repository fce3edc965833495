"""search gin without pending list

The search's GIN index takes new entries straight into its tree (fastupdate off) instead of
a pending list that every search reads in full until VACUUM merges it: at 100,000 products
the list held 403 pages (5,270 rows) and reading it was most of a search's time. A product's
save now updates the index at once, a few milliseconds; searches are far more frequent.
PostgreSQL only (SQLite's FTS5 table has no such list).

Revision ID: c3a7e5d1f204
Revises: 86b410ef225a
Create Date: 2026-12-04 20:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3a7e5d1f204"
down_revision = "86b410ef225a"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_product_search_document SET (fastupdate = off)")
    # Turning it off leaves the entries already pending where they are: merge them now.
    op.execute(sa.text("SELECT gin_clean_pending_list('ix_product_search_document')"))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_product_search_document RESET (fastupdate)")
