"""Where a search by relevance cuts the newest rows into windows (PostgreSQL; the statements
are in shop/search/statements.py).

A window's matches come either from testing its rows one by one (cost: the window's rows,
whatever the catalog's size) or from the GIN index AND the newest-first index (cost: every
match of the words in the whole catalog, read from the GIN index, and the window's matches
read from the table). Testing one by one suits a word most products contain: the newest
2,000 rows hold enough matches. For a rarer word (`batik`, 7 % of the products) it reads
2,000 rows to find 140 matches, and the windows after it read the GIN index anyway.

So the plan follows how common the words are, from PostgreSQL's own statistics of the index
column (pg_stats: the most common lexemes and their share of the rows, kept by ANALYZE):
  - a word common enough that the newest GRID[0] rows should hold `ranked` matches: the
    first window is those rows, tested one by one;
  - a rarer word: the first window is just large enough to hold `ranked` matches by the
    statistics (MARGIN more), from the index; at 100,000 products `batik` reads 16,000 rows'
    worth of the newest-first index, the GIN index once, and about 1,100 rows of the table;
  - words the statistics do not tell (no ANALYZE yet; a last word typed halfway, which is a
    prefix of words the statistics may not list): as if common, which costs 2,000 rows at
    most before the index windows.
Each window after the first is about nine times (1.1**NEXT_WINDOW_STEPS) the rows before
it, and is searched only while the newer ones found too few: whatever the plan, the same
matches, so the statistics only choose the cost. The edges are real rows of the
newest-first index at the GRID offsets, read with the statistics once per REFRESH_SECONDS
per process.
"""

import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import URL, Connection

GRID = tuple(round(2_000 * 1.1**step) for step in range(140))  # 2,000 ... 1.2e9 rows
NEXT_WINDOW_STEPS = 23  # grid steps from a window's older edge to the next one's: x9
MARGIN = 1.1  # rows read over what the statistics say would hold enough matches
REFRESH_SECONDS = 600

Edge = tuple[datetime, int]  # (created_at, product_id) of a row of the newest-first index

# Each edge found from the one before it (OFFSET the gap between them), so the edges cost one
# walk of the newest-first index as deep as the deepest edge.
_EDGES_SQL = (
    "WITH RECURSIVE edge (step, created_at, product_id) AS ("
    " SELECT 1, first.created_at, first.product_id FROM (SELECT created_at, product_id"
    " FROM product_search WHERE is_on_sale IS true ORDER BY created_at DESC, product_id DESC"
    " OFFSET %(offsets)s[1] LIMIT 1) AS first"
    " UNION ALL SELECT edge.step + 1, next.created_at, next.product_id FROM edge"
    " CROSS JOIN LATERAL (SELECT created_at, product_id FROM product_search"
    " WHERE is_on_sale IS true AND (created_at, product_id) < (edge.created_at, edge.product_id)"
    " ORDER BY created_at DESC, product_id DESC"
    " OFFSET %(offsets)s[edge.step + 1] - %(offsets)s[edge.step] - 1 LIMIT 1) AS next"
    " WHERE edge.step < cardinality(%(offsets)s::bigint[]))"
    " SELECT (%(offsets)s::bigint[])[step], created_at, product_id FROM edge"
)
_STATISTICS_SQL = (
    "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
    " WHERE schemaname = current_schema() AND tablename = 'product_search'"
    " AND attname = 'document'"
)


@dataclass(frozen=True)
class Catalog:
    """What the plan needs to know of a database, read every REFRESH_SECONDS."""

    edges: dict[int, Edge]  # grid offset -> the row there (offsets past the catalog: none)
    words: tuple[str, ...] = ()  # the index's most common lexemes, sorted
    shares: tuple[float, ...] = ()  # each one's share of the rows
    rarest: float | None = None  # a lexeme not listed is in fewer rows; None: no statistics

    def windows(self, terms: list[str], prefix: bool, ranked: int) -> tuple[bool, tuple[Edge, ...]]:
        """Whether the first window is tested row by row, and the windows' older edges."""
        by_row, offsets = plan(self.share(terms, prefix), ranked)
        if not by_row and offsets[0] not in self.edges:
            # The catalog is smaller than that window, so every match would be read, and
            # the planner then reads them by a scan of the whole table as often as from the
            # GIN index: the newest rows one by one first, as for a common word.
            by_row, offsets = plan(None, ranked)
        return by_row, tuple(self.edges[offset] for offset in offsets if offset in self.edges)

    def share(self, terms: list[str], prefix: bool) -> float | None:
        """The share of rows that hold every term (the last one as a prefix when `prefix`),
        at most; None when the statistics cannot tell."""
        if self.rarest is None or not terms:
            return None
        words = [term.lower() for term in terms]
        shares = [self._listed(word) or self.rarest for word in words]
        if prefix:
            if self._listed(words[-1]) is None:
                return None  # typed halfway: which words it begins is not known
            start = bisect_left(self.words, words[-1])
            end = bisect_right(self.words, words[-1] + "\uffff")
            # Each lexeme it begins that is not listed is in fewer than `rarest` of the
            # rows; one is counted (a listed word seldom begins many others).
            shares[-1] = min(1.0, sum(self.shares[start:end]) + self.rarest)
        return min(shares)

    def _listed(self, word: str) -> float | None:
        place = bisect_left(self.words, word)
        if place < len(self.words) and self.words[place] == word:
            return self.shares[place]
        return None


def plan(share: float | None, ranked: int) -> tuple[bool, tuple[int, ...]]:
    """Whether the first window is tested row by row, and the grid offsets of the windows'
    older edges, for words in `share` of the rows (None: not known)."""
    if share is None or share * GRID[0] >= ranked * MARGIN:
        return True, GRID[::NEXT_WINDOW_STEPS]
    needed = ranked * MARGIN / max(share, 1e-9)
    first = next((step for step, rows in enumerate(GRID) if rows >= needed), len(GRID) - 1)
    return False, GRID[first::NEXT_WINDOW_STEPS]


_catalogs: dict[URL, tuple[float, Catalog]] = {}


def catalog(connection: Connection) -> Catalog:
    """This database's edges and statistics, read again every REFRESH_SECONDS: one
    index-only scan as deep as the catalog, and one row of pg_stats."""
    database = connection.engine.url
    read_at, known = _catalogs.get(database, (None, None))
    if known is None or time.monotonic() - read_at >= REFRESH_SECONDS:
        known = _read(connection)
        _catalogs[database] = (time.monotonic(), known)
    return known


def _read(connection: Connection) -> Catalog:
    on_sale = connection.exec_driver_sql(_EDGES_SQL, {"offsets": list(GRID)}).all()
    edges = {place: (created_at, product_id) for place, created_at, product_id in on_sale}
    statistics = connection.exec_driver_sql(_STATISTICS_SQL).first()
    if statistics is None or not statistics[0]:
        return Catalog(edges)
    words, shares = statistics
    listed = sorted(zip(words, shares[: len(words)], strict=True))
    return Catalog(
        edges,
        words=tuple(word for word, _share in listed),
        shares=tuple(share for _word, share in listed),
        rarest=min(shares[: len(words)]),
    )
