"""Typo tolerance: the vocabulary of the catalog and the words close to what was typed.

product_search_terms holds the distinct words of product and category names ("keripik",
"tenun", ...). A typed word that is not one of them is compared with the vocabulary, never
with the products, so "kripik" or "keripk" finds "keripik" at the same cost with 100 or
100,000 products:
  - PostgreSQL: pg_trgm's `%` (similarity above pg_trgm.similarity_threshold, 0.3 by
    default) and similarity(), served by the GIN trigram index on the words.
  - SQLite: the same trigram similarity computed here, over the words that start with the
    same letter and are about as long (a range of the primary key, at most
    SQLITE_CANDIDATES words a term). A typo in the first letter is not corrected there.

Kept in step by the search index (services._rewrite_rows adds the words of every product
it writes). Words are only added on the way: a word no product uses any more stays until
`flask search reindex` rebuilds the vocabulary, so a correction is only shown when its
search finds something.
"""

import re
from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.catalog.models import Category, Product
from shop.extensions import db
from shop.search.tables import MAX_WORD_LENGTH, terms

WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers and codes are not misspelt
MIN_LENGTH = 3  # shorter words have too few trigrams to compare
MIN_SIMILARITY = 0.3  # pg_trgm's default threshold, so both databases agree
SUGGESTIONS = 8
SQLITE_CANDIDATES = 2000
LENGTH_SLACK = 3  # letters a candidate may be shorter or longer by (SQLite)


def words_of(texts: Iterable[str | None]) -> set[str]:
    """The vocabulary words in these texts: lowercased runs of letters, 3 to 40 long."""
    found = set()
    for text in texts:
        for word in WORD.findall((text or "").lower()):
            if MIN_LENGTH <= len(word) <= MAX_WORD_LENGTH:
                found.add(word)
    return found


def trigrams(word: str) -> set[str]:
    """The word's trigrams as pg_trgm makes them: padded with two spaces before, one after."""
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(first: str, second: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two words."""
    a, b = trigrams(first), trigrams(second)
    return len(a & b) / len(a | b) if a | b else 0.0


# Keeping it ---------------------------------------------------------------------------------


def add_product_words(connection: Connection, product_ids: list[int]) -> None:
    """Add the words of these products' names (in the caller's transaction)."""
    names = connection.scalars(select(Product.name).where(Product.id.in_(product_ids)))
    _add(connection, words_of(names))


def rebuild_vocabulary(connection: Connection) -> None:
    """Every word of every product and category name, and no other (in the caller's
    transaction): drops the words no product uses any more."""
    connection.execute(delete(terms))
    texts = [
        *connection.scalars(select(Product.name)),
        *connection.scalars(select(Category.name_id)),
        *connection.scalars(select(Category.name_en)),
    ]
    _add(connection, words_of(texts))


def _add(connection: Connection, words: set[str]) -> None:
    if not words:
        return
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = [{"word": word} for word in sorted(words)]
    connection.execute(insert(terms).on_conflict_do_nothing(), rows)


# Asking it ---------------------------------------------------------------------------------


def corrections(words: list[str]) -> dict[str, str]:
    """For each typed word that is not in the vocabulary, the closest word that is (one
    query for all of them); words with nothing close enough are left out."""
    checked = [word.lower() for word in words if _is_comparable(word)]
    found = {}
    for typed, close in _close_words(checked, limit=3).items():
        if close and typed not in close:
            found[typed] = close[0]
    return found


def suggestions(typed: str) -> list[str]:
    """Words to offer while the shopper types: those starting with what they typed, else
    the closest ones (a typo), at most SUGGESTIONS."""
    prefix = typed.strip().lower()
    if not WORD.fullmatch(prefix) or len(prefix) > MAX_WORD_LENGTH:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        # The trigram index serves an anchored LIKE; the prefix is letters only, no wildcards.
        match = terms.c.word.like(prefix + "%")
    else:
        match = terms.c.word.between(prefix, prefix + "\U0010ffff")
    statement = (
        select(terms.c.word)
        .where(match)
        .order_by(func.length(terms.c.word), terms.c.word)
        .limit(SUGGESTIONS)
    )
    starting = list(db.session.scalars(statement))
    if starting or not _is_comparable(prefix):
        return starting
    return _close_words([prefix], limit=SUGGESTIONS).get(prefix, [])


def _is_comparable(word: str) -> bool:
    return bool(WORD.fullmatch(word)) and MIN_LENGTH <= len(word) <= MAX_WORD_LENGTH


def _close_words(words: list[str], limit: int) -> dict[str, list[str]]:
    """For each word, up to `limit` vocabulary words at least MIN_SIMILARITY alike, the
    closest first (the word itself first when it is in the vocabulary)."""
    if not words:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        return _close_words_postgres(words, limit)
    return _close_words_sqlite(words, limit)


def _close_words_postgres(words: list[str], limit: int) -> dict[str, list[str]]:
    parts = []
    for word in words:
        score = func.similarity(terms.c.word, word)
        parts.append(
            select(literal(word).label("typed"), terms.c.word, score.label("score"))
            .where(terms.c.word.op("%")(word))
            .order_by(score.desc(), terms.c.word)
            .limit(limit)
            .subquery()
        )
    rows = db.session.execute(union_all(*(select(part) for part in parts))).all()
    close: dict[str, list[str]] = {word: [] for word in words}
    for row in rows:  # each part's rows come in its own order
        close[row.typed].append(row.word)
    return close


def _close_words_sqlite(words: list[str], limit: int) -> dict[str, list[str]]:
    ranges = [
        terms.c.word.between(word[0], word[0] + "\U0010ffff")
        & func.length(terms.c.word).between(len(word) - LENGTH_SLACK, len(word) + LENGTH_SLACK)
        for word in words
    ]
    candidates = db.session.scalars(
        select(terms.c.word).where(or_(*ranges)).limit(SQLITE_CANDIDATES * len(words))
    ).all()
    close = {}
    for word in words:
        scored = [(similarity(word, candidate), candidate) for candidate in candidates]
        alike = sorted((-score, found) for score, found in scored if score >= MIN_SIMILARITY)
        close[word] = [found for _score, found in alike[:limit]]
    return close
