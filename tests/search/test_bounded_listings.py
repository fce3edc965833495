"""Storefront listings that cost the same however large the catalog: a count that stops at a
cap ("1,000+ products"), a search by relevance that ranks only the newest matches, and
partial indexes in the listings' order (PostgreSQL plans)."""

import pytest
from sqlalchemy import select, text

from shop import pagination
from shop.catalog.models import Product
from shop.extensions import db
from shop.search import services, statements, windows
from shop.search.services import SearchParams, search_products, search_statement
from tests.factories import make_coop, make_membership, make_product


@pytest.fixture
def six_snacks():
    """Six products of one maker, oldest first (ids break ties of created_at)."""
    maker = make_membership(coop=make_coop(slug="rukun"), business_name="Dapur Rukun")
    return [make_product(maker, name=f"Keripik Talas {n}", slug=f"talas-{n}") for n in range(6)]


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr(services, "PER_PAGE", 2)


def test_a_listing_counts_up_to_the_cap_and_pages_on_past_it(six_snacks, small_cap):
    first = search_products(SearchParams(cooperative="rukun"))
    assert [p.slug for p in first.items] == ["talas-5", "talas-4"]
    assert (first.total, first.total_is_capped, first.has_next) == (3, True, True)
    last = search_products(SearchParams(cooperative="rukun", page=3))
    assert [p.slug for p in last.items] == ["talas-1", "talas-0"]
    # Past the cap the page still knows the rows before it and its own, and that none follow.
    assert (last.total, last.total_is_capped, last.has_next) == (6, True, False)
    past_the_end = search_products(SearchParams(cooperative="rukun", page=4))
    assert (past_the_end.items, past_the_end.total, past_the_end.has_next) == ([], 3, False)


def test_under_the_cap_the_count_is_exact(six_snacks, monkeypatch):
    monkeypatch.setattr(services, "PER_PAGE", 4)
    page = search_products(SearchParams(cooperative="rukun", page=2))
    assert (page.total, page.total_is_capped, page.page_count, page.has_next) == (
        6,
        False,
        2,
        False,
    )


def test_the_page_says_more_than_the_cap_and_pages_without_a_last_page(
    client, english, six_snacks, small_cap
):
    html = client.get("/koperasi/rukun").get_data(as_text=True)
    assert "3+ products found" in html
    assert ">Page 1<" in html and "Page 1 of" not in html
    assert 'rel="next"' in html
    html = client.get("/koperasi/rukun?page=3").get_data(as_text=True)
    assert ">Page 3<" in html and 'rel="next"' not in html and 'rel="prev"' in html


@pytest.mark.pg
def test_a_search_by_relevance_ranks_only_the_newest_matches(six_snacks, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr(services, "RANKED_MATCHES", 4)
    # The oldest product is the best match (the word twice in its name), but not among the
    # newest four matches, so it is not ranked.
    six_snacks[0].name = "Keripik Talas Talas"
    db.session.commit()
    page = search_products(SearchParams(q="talas"))
    assert "talas-0" not in [p.slug for p in page.items]
    assert len(page.items) == 4 and page.total_is_capped
    monkeypatch.setattr(services, "RANKED_MATCHES", 10)
    assert search_products(SearchParams(q="talas")).items[0].slug == "talas-0"


@pytest.mark.pg
@pytest.mark.parametrize(
    ("params", "index"),
    [
        (SearchParams(), "ix_product_search_on_sale_newest"),
        (SearchParams(category="kuliner"), "ix_product_search_on_sale_newest"),
        (SearchParams(category="camilan"), "ix_product_search_on_sale"),
        (SearchParams(cooperative="rukun"), "ix_product_search_on_sale"),
    ],
)
def test_listings_read_an_index_in_their_order_not_every_row(six_snacks, params, index):
    """With sorting priced out, the plan shows the index gives the order: were the partial
    index missing, or its WHERE not implied by the listing's, the rows would be sorted."""
    db.session.execute(text("ANALYZE product_search"))
    db.session.execute(text("SET LOCAL enable_sort = off"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = search_statement(params).limit(25)
    compiled = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert index in plan, plan
    assert "Sort" not in plan, plan


@pytest.fixture
def talas_and_kopi(monkeypatch):
    """Six "talas" and six "kopi" products, alternately, oldest first; the oldest talas the
    best match for "talas". Windows' edges every 2 rows (a grid of 1, 3, 5, ...), each
    window after the first three grid steps on, read again on every search."""
    maker = make_membership(coop=make_coop(slug="rukun"), business_name="Dapur Rukun")
    for n in range(6):
        make_product(maker, name=f"Keripik Talas {n}", slug=f"talas-{n}")
        make_product(maker, name=f"Kopi Bubuk {n}", slug=f"kopi-{n}")
    oldest = db.session.scalars(select(Product).where(Product.slug == "talas-0")).one()
    oldest.name = "Keripik Talas Talas"
    db.session.commit()
    monkeypatch.setattr(windows, "REFRESH_SECONDS", 0)
    monkeypatch.setattr(windows, "_catalogs", {})  # none of this test's rows stay behind
    monkeypatch.setattr(windows, "GRID", tuple(range(1, 40, 2)))
    monkeypatch.setattr(windows, "NEXT_WINDOW_STEPS", 3)


@pytest.mark.pg
@pytest.mark.parametrize("share", [None, 0.9, 0.3, 0.05, 0.0001])
def test_windows_of_the_newest_rows_find_the_same_matches_as_one_scan(
    talas_and_kopi, monkeypatch, share
):
    """Relevance ranks the newest RANKED_MATCHES matches, found window by window (the
    newest rows first, an older window only while too few matched): however common the
    statistics say the words are, which sizes the windows, the same products in the same
    order as reading every match."""

    def found(grid: tuple[int, ...], ranked: int, **params) -> tuple[list[str], int]:
        monkeypatch.setattr(windows, "GRID", grid)
        monkeypatch.setattr(services, "RANKED_MATCHES", ranked)
        page = search_products(SearchParams(**params))
        return [product.slug for product in page.items], page.total

    monkeypatch.setattr(windows.Catalog, "share", lambda *args: share)
    searches = [{"q": "talas"}, {"q": "kopi"}, {"q": "rukun"}, {"q": "tal", "cooperative": "rukun"}]
    for ranked in (1, 2, 4, 20):
        for params in searches:
            one_scan = found((1_000_000,), ranked, **params)
            assert found(tuple(range(1, 40, 2)), ranked, **params) == one_scan, params
    assert found(tuple(range(1, 40, 2)), 4, q="talas") == (
        ["talas-5", "talas-4", "talas-3", "talas-2"],
        4,
    )
    assert found(tuple(range(1, 40, 2)), 20, q="talas")[0][0] == "talas-0"


@pytest.mark.pg
def test_a_common_word_tests_the_newest_rows_one_by_one_a_rare_one_reads_the_index(
    talas_and_kopi, monkeypatch
):
    def sql(share: float | None) -> str:
        monkeypatch.setattr(windows.Catalog, "share", lambda *args: share)
        return str(search_statement(SearchParams(q="talas")).compile(db.session.get_bind()))

    monkeypatch.setattr(services, "RANKED_MATCHES", 1)
    monkeypatch.setattr(windows, "MARGIN", 1.0)
    # Common, or not known: the 2 newest rows one by one (IS TRUE is no index condition),
    # then windows from the GIN index: rows 3 to 8 (three grid steps on), the rest.
    for share in (None, 1.0):
        newest, older = sql(share).split("window_2 AS", 1)
        assert ") IS true" in newest and ") IS true" not in older
        assert "window_3" in older and "window_4" not in older
    # In 10 % of the rows: the first window holds a match by the statistics (10 rows: the
    # grid's 12), from the index; then the rest.
    rare = sql(0.1)
    assert ") IS true" not in rare
    assert "window_2" in rare and "window_3" not in rare


def test_the_statistics_tell_how_common_words_and_prefixes_are():
    known = windows.Catalog({}, words=("batik", "batiknya", "kopi"), shares=(0.07, 0.01, 0.5),
                            rarest=0.003)  # fmt: skip
    assert known.share(["Kopi"], prefix=False) == 0.5
    assert known.share(["kopi", "batik"], prefix=False) == 0.07  # both: at most the rarer
    assert known.share(["tenun"], prefix=False) == 0.003  # not listed: rarer than any listed
    assert known.share(["batik"], prefix=True) == pytest.approx(0.07 + 0.01 + 0.003)
    assert known.share(["bat"], prefix=True) is None  # typed halfway: not known
    assert windows.Catalog({}).share(["kopi"], prefix=False) is None  # no ANALYZE yet


def test_the_first_window_holds_enough_matches_by_the_statistics(monkeypatch):
    monkeypatch.setattr(windows, "GRID", (2_000, 4_000, 8_000, 16_000, 32_000, 64_000))
    monkeypatch.setattr(windows, "NEXT_WINDOW_STEPS", 2)
    monkeypatch.setattr(windows, "MARGIN", 1.0)
    assert windows.plan(None, 1_000) == (True, (2_000, 8_000, 32_000))
    assert windows.plan(0.5, 1_000) == (True, (2_000, 8_000, 32_000))
    assert windows.plan(0.1, 1_000) == (False, (16_000, 64_000))
    assert windows.plan(0.000001, 1_000) == (False, (64_000,))  # past the grid: the last


@pytest.mark.pg
def test_the_catalog_reads_the_edges_and_the_statistics(talas_and_kopi):
    db.session.execute(text("ANALYZE product_search"))
    known = windows.catalog(db.session.connection())
    newest = db.session.execute(
        text("SELECT created_at, product_id FROM product_search WHERE is_on_sale"
             " ORDER BY created_at DESC, product_id DESC")
    ).all()  # fmt: skip
    assert known.edges == {place: tuple(newest[place]) for place in (1, 3, 5, 7, 9, 11)}
    assert known.share(["talas"], prefix=False) == pytest.approx(0.5)
    assert known.share(["rukun"], prefix=False) == pytest.approx(1.0)


@pytest.mark.pg
def test_the_search_index_has_no_pending_list_for_searches_to_read():
    """fastupdate off: new entries go straight into the GIN tree, not into a list that
    every search would read in full until the next VACUUM (migration c3a7e5d1f204)."""
    options = db.session.scalar(
        text("SELECT reloptions FROM pg_class WHERE relname = 'ix_product_search_document'")
    )
    assert "fastupdate=off" in options


def test_a_listing_shape_is_compiled_once_and_its_values_are_parameters(six_snacks, monkeypatch):
    compiled = []
    compile_shape = statements._compile
    monkeypatch.setattr(statements, "_compiled", {})
    monkeypatch.setattr(
        statements, "_compile", lambda *args: compiled.append(args[1]) or compile_shape(*args)
    )
    assert [p.slug for p in search_products(SearchParams(q="talas 5")).items] == ["talas-5"]
    assert [p.slug for p in search_products(SearchParams(q="talas 2")).items] == ["talas-2"]
    assert search_products(SearchParams(q="'; DROP TABLE products; --")).items == []
    assert len(compiled) == 1  # the same shape each time: words, relevance, no filter
    found = search_products(SearchParams(q="talas", min_price=1, sort="newest")).items
    assert [p.slug for p in found][:2] == ["talas-5", "talas-4"]
    assert len(compiled) == 2
