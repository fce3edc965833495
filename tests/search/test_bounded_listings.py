"""Storefront listings that cost the same however large the catalog: a count that stops at a
cap ("1,000+ products"), a search by relevance that ranks only the newest matches, and
partial indexes in the listings' order (PostgreSQL plans)."""

import pytest
from sqlalchemy import select, text

from shop import pagination
from shop.catalog.models import Product
from shop.extensions import db
from shop.search import services, statements
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


@pytest.mark.pg
def test_windows_of_the_newest_rows_find_the_same_matches_as_one_scan(monkeypatch):
    """Relevance ranks the newest RANKED_MATCHES matches, found window by window (the
    newest rows first, an older window only while too few matched): whatever the windows'
    edges, the same products in the same order as reading every match."""
    maker = make_membership(coop=make_coop(slug="rukun"), business_name="Dapur Rukun")
    for n in range(6):  # matches and other rows, alternately, oldest first
        make_product(maker, name=f"Keripik Talas {n}", slug=f"talas-{n}")
        make_product(maker, name=f"Kopi Bubuk {n}", slug=f"kopi-{n}")
    oldest = db.session.scalars(select(Product).where(Product.slug == "talas-0")).one()
    oldest.name = "Keripik Talas Talas"  # the best match for "talas", and the oldest
    db.session.commit()
    monkeypatch.setattr(statements, "WINDOW_EDGES_SECONDS", 0)
    monkeypatch.setattr(statements, "_edges", {})  # none of this test's rows stay behind

    def found(offsets: tuple[int, ...], ranked: int, **params) -> tuple[list[str], int]:
        monkeypatch.setattr(statements, "WINDOW_OFFSETS", offsets)
        monkeypatch.setattr(services, "RANKED_MATCHES", ranked)
        page = search_products(SearchParams(**params))
        return [product.slug for product in page.items], page.total

    searches = [{"q": "talas"}, {"q": "kopi"}, {"q": "rukun"}, {"q": "tal", "cooperative": "rukun"}]
    for ranked in (1, 2, 4, 20):
        for params in searches:
            assert found((1, 3, 6), ranked, **params) == found((), ranked, **params), params
    assert found((1, 3, 6), 4, q="talas") == (["talas-5", "talas-4", "talas-3", "talas-2"], 4)
    assert found((1, 3, 6), 20, q="talas")[0][0] == "talas-0"
    # Four windows: the 2 newest rows, the 2 before them, 3 more, the rest.
    monkeypatch.setattr(statements, "WINDOW_OFFSETS", (1, 3, 6))
    sql = str(search_statement(SearchParams(q="talas")).compile(db.session.get_bind()))
    assert "window_4" in sql and "window_5" not in sql
    # The newest window tests its rows one by one (IS TRUE is no index condition), so the
    # GIN index is read once, by the older windows, not once more for the newest rows.
    newest, older = sql.split("window_2 AS", 1)
    assert ") IS true" in newest and ") IS true" not in older


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
