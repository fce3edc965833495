"""The search's own tables: not models (a tsvector column, an FTS5 table and a trigram index
cannot be one model on both databases). Migrations create them; shop/search keeps them in
step; the schema comparison skips them through is_search_table()."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import TSVECTOR

SEARCH_TABLE = "product_search"
TERMS_TABLE = SEARCH_TABLE + "_terms"
MAX_WORD_LENGTH = 40

_metadata = MetaData()

search_rows = Table(
    SEARCH_TABLE,
    _metadata,
    Column("product_id", Integer, primary_key=True),
    Column("is_on_sale", Boolean),
    Column("category_id", Integer),
    Column("cooperative_id", Integer),
    Column("lowest_price", BigInteger),
    Column("created_at", DateTime),
    Column("document", TSVECTOR),  # PostgreSQL only
)
fts_rows = Table(  # SQLite only
    SEARCH_TABLE + "_fts",
    _metadata,
    Column("rowid", Integer, primary_key=True),
    *(Column(name, Text) for name in ("name", "maker", "cooperative", "description")),
)
# The vocabulary: distinct words of product and category names (shop/search/vocabulary.py).
terms = Table(TERMS_TABLE, _metadata, Column("word", String(MAX_WORD_LENGTH), primary_key=True))


def is_search_table(name: str) -> bool:
    """The search tables, and on SQLite the FTS5 shadow tables behind them."""
    return name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")
