"""search terms for typo tolerance; a shopper's phone; a default saved address

product_search_terms is the search's vocabulary: the distinct words of product and category
names, so "did you mean" and the suggestions compare a typed word with a few thousand words
rather than scanning products. Like product_search it is not a model (its trigram index
exists on PostgreSQL only) and shop/search/vocabulary.py keeps it in step; the words are
filled here from a frozen copy of that module's rule (migrations never import the app).
On PostgreSQL it has a GIN trigram index (pg_trgm) serving `%`, similarity() and LIKE
'prefix%'; on SQLite the primary key's B-tree serves the bounded candidate scan.

Revision ID: a01bff37d03d
Revises: 7692474f1976
Create Date: 2026-12-03 12:07:33.827038

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a01bff37d03d'
down_revision = "7692474f1976"
branch_labels = None
depends_on = None

WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers are never misspelt
MIN_LENGTH, MAX_LENGTH = 3, 40


def _words(texts):
    words = set()
    for text in texts:
        for word in WORD.findall((text or '').lower()):
            if MIN_LENGTH <= len(word) <= MAX_LENGTH:
                words.add(word)
    return words


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    terms = op.create_table('product_search_terms',
    sa.Column('word', sa.String(length=MAX_LENGTH), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_product_search_terms'))
    )
    if postgres:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            'CREATE INDEX ix_product_search_terms_word_trgm ON product_search_terms '
            'USING gin (word gin_trgm_ops)'
        )
    texts = bind.execute(sa.text(
        'SELECT name FROM products UNION ALL SELECT name_id FROM categories '
        'UNION ALL SELECT name_en FROM categories'
    )).scalars()
    words = sorted(_words(texts))
    if words:
        op.bulk_insert(terms, [{'word': word} for word in words])

    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), server_default='0', nullable=False))
        batch_op.create_index(op.f('uq_saved_addresses_default'), ['user_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.drop_index(op.f('uq_saved_addresses_default'), sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.drop_column('is_default')

    # The trigram index goes with the table. The extension stays: other objects may use it,
    # and dropping it needs more rights than creating it.
    op.drop_table('product_search_terms')
