"""product search: a full-text index of products (GIN over a tsvector on PostgreSQL, FTS5 on SQLite)

Written by hand. product_search holds, per product, what the search filters and sorts on
(on sale, category, cooperative, lowest price, created) and, on PostgreSQL, the tsvector
of its words with a GIN index; on SQLite the words go to the FTS5 table product_search_fts
(rowid = product id). They are not models (a tsvector column and an FTS5 table cannot be
one model on both databases), so autogenerate cannot see them, and migrations/env.py tells
it to leave them alone. Filled here for the existing products; from then on
shop/search/services.py keeps them in step. The SELECTs below are a frozen copy of what
that module writes (migrations never import the app); a test checks that the two agree.

Revision ID: fb073bf48ec5
Revises: b2b0828cea9c
Create Date: 2026-11-23 21:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'fb073bf48ec5'
down_revision = 'b2b0828cea9c'
branch_labels = None
depends_on = None

FACTS = """
    products.id,
    products.status = 'active' AND cooperatives.is_active,
    products.category_id,
    products.cooperative_id,
    (SELECT min(product_variants.price) FROM product_variants
     WHERE product_variants.product_id = products.id),
    products.created_at
"""
SOURCES = """
    FROM products
    JOIN memberships ON memberships.id = products.member_id
    JOIN users ON users.id = memberships.user_id
    JOIN cooperatives ON cooperatives.id = products.cooperative_id
"""
FACT_COLUMNS = "product_id, is_on_sale, category_id, cooperative_id, lowest_price, created_at"

# 'simple': lowercase words, no stemming (PostgreSQL has no Indonesian dictionary). The
# weights let ts_rank put a name match first: A name, B maker, C cooperative, D description.
FILL_POSTGRESQL = f"""
INSERT INTO product_search ({FACT_COLUMNS}, document)
SELECT {FACTS},
       setweight(to_tsvector('simple'::regconfig, products.name), 'A')
    || setweight(to_tsvector('simple'::regconfig,
                             memberships.business_name || ' ' || users.name), 'B')
    || setweight(to_tsvector('simple'::regconfig, cooperatives.name), 'C')
    || setweight(to_tsvector('simple'::regconfig, products.description), 'D')
{SOURCES}
"""

# bm25() weighs the columns in this order of importance.
CREATE_FTS_SQLITE = """
CREATE VIRTUAL TABLE product_search_fts USING fts5(
    name, maker, cooperative, description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
)
"""

FILL_SQLITE = (
    f"INSERT INTO product_search ({FACT_COLUMNS}) SELECT {FACTS} {SOURCES}",
    f"""
    INSERT INTO product_search_fts (rowid, name, maker, cooperative, description)
    SELECT products.id, products.name, memberships.business_name || ' ' || users.name,
           cooperatives.name, products.description
    {SOURCES}
    """,
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in ('postgresql', 'sqlite'):
        raise NotImplementedError(f'product search supports PostgreSQL and SQLite, not {dialect}')
    postgres = dialect == 'postgresql'
    op.create_table('product_search',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('is_on_sale', sa.Boolean(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('lowest_price', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    *([sa.Column('document', postgresql.TSVECTOR(), nullable=False)] if postgres else []),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_search_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_search'))
    )
    if postgres:
        op.create_index('ix_product_search_document', 'product_search', ['document'], unique=False, postgresql_using='gin')
        op.execute(FILL_POSTGRESQL)
    else:
        op.execute(CREATE_FTS_SQLITE)
        for statement in FILL_SQLITE:
            op.execute(statement)


def downgrade():
    # On PostgreSQL the GIN index goes with the table; on SQLite the FTS5 shadow tables do.
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_table('product_search_fts')
    op.drop_table('product_search')
