"""Product search (/cari): what it finds and in which order, the filters and sorts, bad input,
an index that follows every change, a constant query count, and the plan on PostgreSQL."""

import importlib.util
import re
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update

from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.extensions import db
from shop.money import parse_rupiah
from shop.search.cli import search_cli
from shop.search.services import (
    SEARCH_TABLE,
    SearchParams,
    reindex_all,
    reindex_products,
    search_products,
    search_statement,
)
from tests.conftest import IS_POSTGRES
from tests.factories import category, make_coop, make_membership, make_product, make_user
from tests.shared import shared_data

MIGRATION = next(Path(__file__).parents[2].glob("migrations/versions/*_fb073bf48ec5_*.py"))


@shared_data  # built once for the module's 80 tests
def catalogue():
    """Two cooperatives, three makers, four products on sale and one draft."""
    mlijo = make_coop(name="Koperasi Mlijo Rukun", slug="mlijo")
    tenun = make_coop(name="Koperasi Tenun Kambera", slug="tenun")
    siti = make_membership(make_user(name="Siti Aminah"), mlijo, business_name="Dapur Bu Siti")
    budi = make_membership(coop=mlijo, business_name="Sambal Pak Budi")
    rina = make_membership(coop=tenun, business_name="Tenun Rina")
    products = {
        "keripik": make_product(siti, name="Keripik Tempe Sagu", slug="keripik-tempe-sagu",
                                variants=((15_000, 10), (27_500, 0)),
                                description="Renyah dan gurih."),
        "sambal": make_product(budi, name="Sambal Roa", slug="sambal-roa",
                               category_id=category("bumbu-sambal").id, variants=((35_000, 5),),
                               description="Ikan asap, pedas khas Manado."),
        "kain": make_product(rina, name="Kain Tenun Ikat", slug="kain-tenun-ikat",
                             category_id=category("tenun-songket").id, variants=((750_000, 1),),
                             description="Motif kuda, pewarna alami."),
        "rempeyek": make_product(siti, name="Rempeyek Kacang", slug="rempeyek-kacang",
                                 variants=((12_000, 0),), description="Teman makan tempe goreng."),
        "draft": make_product(siti, name="Keripik Rahasia", slug="keripik-rahasia",
                              status=ProductStatus.DRAFT),
    }  # fmt: skip
    return {"mlijo": mlijo, "tenun": tenun, "siti": siti, "budi": budi, **products}


def found(**params) -> list[str]:
    """Slugs of the first page of results, in order."""
    return [product.slug for product in search_products(SearchParams(**params)).items]


def result_slugs(html: str) -> list[str]:
    """Slugs of the product cards in the results section of a search page, in order."""
    results = html.split('id="results-heading"', 1)[1]
    return re.findall(r'href="/produk/([^"]+)"', results)


def get_page(client, status=200, **args) -> str:
    response = client.get("/cari", query_string=args)
    assert response.status_code == status
    return response.get_data(as_text=True)


# Finding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [("sambal roa", ["sambal-roa"]),  # name
     ("pewarna alami", ["kain-tenun-ikat"]),  # description
     ("Dapur Bu Siti", ["keripik-tempe-sagu", "rempeyek-kacang"]),  # member's business name
     ("aminah", ["keripik-tempe-sagu", "rempeyek-kacang"]),  # member's own name
     ("kambera", ["kain-tenun-ikat"]),  # cooperative name
     ("KERIPIK", ["keripik-tempe-sagu"])],  # any case; the draft never shows
)  # fmt: skip
def test_finds_products_by_name_description_maker_and_cooperative(catalogue, q, expected):
    assert sorted(found(q=q)) == sorted(expected)


def test_every_word_must_match(catalogue):
    make_product(catalogue["budi"], name="Keripik Singkong Balado")
    assert found(q="keripik tempe") == ["keripik-tempe-sagu"]


def test_the_last_word_matches_as_a_word_prefix(catalogue):
    assert found(q="kerip") == ["keripik-tempe-sagu"]
    assert found(q="keripik tem") == ["keripik-tempe-sagu"]
    assert found(q="ripik") == []  # a word's start, not any part of it


def test_a_name_match_ranks_above_a_description_only_match(catalogue):
    # Rempeyek is newer and says "tempe" only in its description.
    assert found(q="tempe") == ["keripik-tempe-sagu", "rempeyek-kacang"]


def test_products_not_on_sale_never_appear(catalogue):
    catalogue["sambal"].move_to(ProductStatus.ARCHIVED)
    catalogue["tenun"].is_active = False
    db.session.commit()
    assert found(q="rahasia") == []  # a draft
    assert found(q="sambal") == []
    assert found(q="tenun") == []
    assert sorted(found()) == ["keripik-tempe-sagu", "rempeyek-kacang"]


# Filters and sorts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [({"category": "kuliner"}, {"keripik-tempe-sagu", "sambal-roa", "rempeyek-kacang"}),
     ({"category": "bumbu-sambal"}, {"sambal-roa"}),
     ({"cooperative": "tenun"}, {"kain-tenun-ikat"}),
     ({"min_price": 30_000}, {"sambal-roa", "kain-tenun-ikat"}),
     ({"max_price": 15_000}, {"keripik-tempe-sagu", "rempeyek-kacang"}),
     ({"min_price": 13_000, "max_price": 40_000}, {"keripik-tempe-sagu", "sambal-roa"}),
     ({"in_stock": True}, {"keripik-tempe-sagu", "sambal-roa", "kain-tenun-ikat"}),
     ({"q": "keripik", "in_stock": True, "cooperative": "mlijo"}, {"keripik-tempe-sagu"}),
     ({"q": "tempe", "category": "fashion"}, set())],
)  # fmt: skip
def test_each_filter_narrows_the_results(catalogue, filters, expected):
    assert set(found(**filters)) == expected


def test_sorts_order_the_results(catalogue):
    catalogue["sambal"].sold_count = 40
    catalogue["kain"].sold_count = 7
    db.session.commit()
    newest = ["rempeyek-kacang", "kain-tenun-ikat", "sambal-roa", "keripik-tempe-sagu"]
    assert found() == newest  # no words: newest first
    assert found(sort="newest") == newest
    assert found(sort="relevance") == newest  # nothing to be relevant to
    assert found(sort="price_asc") == [
        "rempeyek-kacang", "keripik-tempe-sagu", "sambal-roa", "kain-tenun-ikat"]  # fmt: skip
    assert found(sort="price_desc") == [
        "kain-tenun-ikat", "sambal-roa", "keripik-tempe-sagu", "rempeyek-kacang"]  # fmt: skip
    assert found(sort="bestselling")[:2] == ["sambal-roa", "kain-tenun-ikat"]
    assert found(q="tempe", sort="newest") == ["rempeyek-kacang", "keripik-tempe-sagu"]


def test_top_rated_puts_the_best_average_first_then_the_most_reviewed(catalogue):
    for key, average, count in [("kain", 480, 3), ("keripik", 480, 12), ("sambal", 350, 40)]:
        product = catalogue[key]
        product.rating_average_centi, product.rating_count = average, count
        product.rating_sum = average * count // 100
    db.session.commit()
    assert found(sort="rating") == [
        "keripik-tempe-sagu", "kain-tenun-ikat", "sambal-roa", "rempeyek-kacang"]  # fmt: skip


def test_the_page_shows_filters_sorts_and_results_in_order(client, catalogue):
    html = get_page(client, q="", category="kuliner", sort="price_desc", min_price="Rp 12.000")
    assert result_slugs(html) == ["sambal-roa", "keripik-tempe-sagu", "rempeyek-kacang"]
    assert "3 produk ditemukan" in html
    assert '<option value="kuliner" selected>' in html
    assert '<option value="price_desc" selected>' in html
    assert 'name="min_price" type="text" inputmode="numeric"' in html
    assert 'value="Rp 12.000"' in html  # what was typed is kept
    assert "<legend>Filter</legend>" in html


def test_the_header_search_form_sends_words_to_this_page_and_shows_them(client, catalogue):
    html = get_page(client, q="keripik")
    assert 'action="/cari" method="get" role="search"' in html
    assert 'id="search-q" name="q"' in html and 'value="keripik"' in html


def test_the_page_speaks_english_when_chosen(client, catalogue):
    client.get("/bahasa/en")
    html = get_page(client, q="sambal", max_price="abc")
    assert "1 product found" in html and "In stock only" in html
    assert "The highest price “abc” is not an amount in Rupiah" in html


# Pages -------------------------------------------------------------------------------------


def test_results_come_24_to_a_page_and_a_page_past_the_end_is_empty(client, catalogue):
    for n in range(30):
        make_product(catalogue["budi"], name=f"Kacang Bawang {n:02d}", slug=f"kacang-{n:02d}")
    first = search_products(SearchParams(q="kacang"))
    second = search_products(SearchParams(q="kacang", page=2))
    assert first.total == second.total == 31  # and the rempeyek kacang
    assert len(first.items) == 24 and len(second.items) == 7
    assert not {p.id for p in first.items} & {p.id for p in second.items}
    assert search_products(SearchParams(q="kacang", page=3)).items == []

    html = get_page(client, q="kacang", in_stock="1", page="2")
    assert len(result_slugs(html)) == 6  # the rempeyek is sold out
    previous = re.search(r'rel="prev" href="([^"]+)"', html).group(1)
    assert "q=kacang" in previous and "in_stock=1" in previous and "page=1" in previous
    assert "Halaman 2 dari 2" in html
    past = get_page(client, q="kacang", page="3")
    assert result_slugs(past) == []
    assert 'href="/cari?q=kacang"' in past  # back to the first page


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "note"),
    [({"page": "-1"}, None), ({"page": "abc"}, None), ({"page": "99999999"}, None),
     ({"sort": "drop-table"}, None), ({"in_stock": "maybe"}, None),
     ({"min_price": "abc"}, "Harga terendah “abc” bukan jumlah rupiah"),
     ({"max_price": "-5"}, "Harga tertinggi “-5” bukan jumlah rupiah"),
     ({"max_price": "1" * 30}, "bukan jumlah rupiah"),
     ({"category": "tidak-ada"}, "Tidak ada kategori “tidak-ada”"),
     ({"cooperative": "<b>x</b>"}, "Tidak ada koperasi “&lt;b&gt;x&lt;/b&gt;”")],
)  # fmt: skip
def test_bad_filters_are_ignored_with_a_note(client, catalogue, args, note):
    html = get_page(client, q="keripik", **args)
    assert result_slugs(html) == ["keripik-tempe-sagu"]
    if note:
        assert note in html and 'aria-invalid="true"' in html


def test_prices_in_the_wrong_order_are_swapped(client, catalogue):
    html = get_page(client, min_price="40.000", max_price="13rb")
    assert sorted(result_slugs(html)) == ["keripik-tempe-sagu", "sambal-roa"]
    assert "ditukar" in html


@pytest.mark.parametrize(
    "q",
    ['"', "*", "NEAR(", "a OR b", "-x", "col:x", "(((", "%", "_", "\\", "' OR 1=1 --",
     "name:keripik", "keripik NOT tempe", '"keripik', "keripik*", "^keripik", "x" * 500,
     "{name description}: x", "a AND", "tempe & !keripik", "sagu:* | x", "²",
     "ｋｅｒｉｐｉｋ", "١٢٣", "ß", "e\u0301", "🙂", "İstanbul"],
)  # fmt: skip
def test_search_syntax_in_the_query_is_plain_text(client, catalogue, q):
    html = get_page(client, q=q)
    if not re.search(r"[^\W_]", q):
        assert "tidak berisi huruf atau angka" in html
    words_of_keripik = q in ('"keripik', "keripik*", "^keripik", "tempe & !keripik")
    assert result_slugs(html) == (["keripik-tempe-sagu"] if words_of_keripik else [])


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("25000", 25_000), ("25.000", 25_000), ("Rp 25.000", 25_000), ("rp25.000,00", 25_000),
     ("25,000", 25_000), ("25rb", 25_000), ("1,5 jt", 1_500_000), ("IDR 1.250.000", 1_250_000),
     ("0", 0), ("abc", None), ("-5", None), ("25.000,50", None), ("1e6", None), ("", None),
     ("9" * 14, None)],
)  # fmt: skip
def test_prices_are_read_as_people_write_rupiah(typed, amount):
    assert parse_rupiah(typed) == amount


# The index follows every change ------------------------------------------------------------


def test_a_renamed_product_is_found_by_its_new_name_only(catalogue):
    catalogue["sambal"].name = "Sambal Cakalang"
    db.session.commit()
    assert found(q="cakalang") == ["sambal-roa"]
    assert found(q="roa") == []


def test_an_archived_product_disappears(catalogue):
    catalogue["keripik"].move_to(ProductStatus.ARCHIVED)
    db.session.commit()
    assert found(q="keripik") == []


def test_a_member_renaming_their_business_moves_their_products(catalogue):
    catalogue["budi"].business_name = "Dapur Manado"
    db.session.commit()
    assert found(q="manado dapur") == ["sambal-roa"]
    assert found(q="pak budi") == []


def test_a_renamed_user_or_cooperative_is_found_by_the_new_name(catalogue):
    catalogue["siti"].user.name = "Siti Rahayu"
    catalogue["tenun"].name = "Koperasi Sumba Timur"
    db.session.commit()
    assert sorted(found(q="rahayu")) == ["keripik-tempe-sagu", "rempeyek-kacang"]
    assert found(q="aminah") == []
    assert found(q="sumba") == ["kain-tenun-ikat"]
    assert found(q="kambera") == []


def test_a_deactivated_cooperative_disappears(catalogue):
    catalogue["mlijo"].is_active = False
    db.session.commit()
    assert found(q="keripik") == []
    assert found() == ["kain-tenun-ikat"]


def test_price_and_category_changes_move_the_product_between_filters(catalogue):
    keripik, sambal = catalogue["keripik"], catalogue["sambal"]
    keripik.variants[0].price = 45_000  # now from Rp 27.500
    keripik.category_id = category("batik").id
    db.session.add(
        ProductVariant(product_id=sambal.id, sku="ROA-MINI", price=5_000, stock=1, weight_grams=50)
    )
    db.session.commit()
    assert found(min_price=25_000, max_price=30_000) == ["keripik-tempe-sagu"]
    assert found(max_price=10_000) == ["sambal-roa"]
    assert found(category="fashion", sort="newest") == [
        "kain-tenun-ikat", "keripik-tempe-sagu"]  # fmt: skip


def test_stock_and_sales_written_without_the_orm_count_at_once(catalogue):
    """The checkout decrements stock and counts sales with conditional UPDATEs, which no ORM
    event sees: the search reads both live."""
    keripik = catalogue["keripik"]
    db.session.execute(update(ProductVariant).where(ProductVariant.product_id == keripik.id)
                       .values(stock=0))  # fmt: skip
    db.session.execute(update(Product).where(Product.id == keripik.id).values(sold_count=9))
    assert "keripik-tempe-sagu" not in found(in_stock=True)
    assert found(sort="bestselling")[0] == "keripik-tempe-sagu"


def test_a_rolled_back_change_leaves_the_index_as_it_was(catalogue):
    catalogue["sambal"].name = "Sambal Cakalang"
    db.session.flush()
    assert found(q="cakalang") == ["sambal-roa"]
    db.session.rollback()
    assert found(q="cakalang") == [] and found(q="roa") == ["sambal-roa"]


def test_a_deleted_product_leaves_no_search_row(catalogue):
    product_id = catalogue["rempeyek"].id
    db.session.delete(catalogue["rempeyek"])
    db.session.commit()
    for table in search_tables():
        key = "product_id" if table == SEARCH_TABLE else "rowid"
        assert product_id not in db.session.scalars(text(f"SELECT {key} FROM {table}")).all()


def search_row_ids() -> set[int]:
    return set(db.session.scalars(text(f"SELECT product_id FROM {SEARCH_TABLE}")))


def search_tables() -> list[str]:
    """The index tables: one on PostgreSQL; the facts and the FTS5 table on SQLite."""
    return [SEARCH_TABLE] if IS_POSTGRES else [SEARCH_TABLE, f"{SEARCH_TABLE}_fts"]


def test_reindex_rebuilds_an_emptied_index(catalogue, runner):
    for table in search_tables():
        db.session.execute(text(f"DELETE FROM {table}"))
    assert found(q="keripik") == [] and found() == []
    result = runner.invoke(search_cli, ["reindex"])
    assert result.exit_code == 0 and "Indexed 5 products" in result.output
    assert found(q="keripik") == ["keripik-tempe-sagu"]
    assert len(search_row_ids()) == reindex_all() == 5


def test_the_migration_fills_the_index_as_the_app_writes_it(catalogue):
    """The migration holds a frozen copy of the rows' SELECTs; both must give the same rows."""
    spec = importlib.util.spec_from_file_location("product_search_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def snapshot() -> list:
        rows = []
        for table in search_tables():
            key = "product_id" if table == SEARCH_TABLE else "rowid"
            rows.append(db.session.execute(text(f"SELECT {key}, * FROM {table} ORDER BY 1")).all())
        return rows

    by_app = snapshot()
    assert len(by_app[0]) == 5
    for table in search_tables():
        db.session.execute(text(f"DELETE FROM {table}"))
    fill = [migration.FILL_POSTGRESQL] if IS_POSTGRES else migration.FILL_SQLITE
    for statement in fill:
        db.session.execute(text(statement))
    assert snapshot() == by_app
    reindex_products([catalogue["keripik"].id, catalogue["kain"].id])
    assert snapshot() == by_app


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [{"q": "bawang"},
     {"cooperative": "brebes", "category": "kuliner", "in_stock": "1", "sort": "price_asc"},
     {"q": "bawang gor", "min_price": "1000", "max_price": "Rp 50.000", "cooperative": "brebes",
      "sort": "bestselling"}],
)  # fmt: skip
def test_a_search_page_runs_the_same_few_queries_for_1_or_24_results(client, count_queries, args):
    maker = make_membership(coop=make_coop(name="Koperasi Brebes", slug="brebes"))
    make_product(maker, name="Bawang Goreng", variants=((9_000, 3),))
    with count_queries() as one:
        assert len(result_slugs(get_page(client, **args))) == 1
    for n in range(30):
        make_product(maker, name=f"Bawang Goreng {n}", variants=((10_000, 1), (20_000, 2)))
    with count_queries() as many:
        assert len(result_slugs(get_page(client, **args))) == 24
    assert len(one) == len(many) <= 8, many


# PostgreSQL: the plan ----------------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.parametrize("params", [SearchParams(q="keripik"),
                                    SearchParams(q="tempe sag", in_stock=True, min_price=10_000,
                                                 sort="price_asc")])  # fmt: skip
def test_a_search_for_words_reads_the_gin_index_not_the_products_table(catalogue, params):
    budi = catalogue["budi"]
    rows = [
        {"cooperative_id": budi.cooperative_id, "member_id": budi.id, "slug": f"barang-{n}",
         "category_id": category().id, "name": f"Barang {n}", "description": "Gurih dan renyah.",
         "status": ProductStatus.ACTIVE, "weight_grams": 100}
        for n in range(500)
    ]  # fmt: skip
    ids = db.session.scalars(insert(Product).returning(Product.id), rows).all()
    db.session.execute(insert(ProductVariant), [
        {"product_id": id_, "sku": f"BRG-{id_}", "price": 1_000 + id_ % 90_000, "stock": id_ % 7,
         "weight_grams": 100}
        for id_ in ids
    ])  # fmt: skip
    reindex_products(ids)  # a bulk INSERT bypasses the ORM's flush, so no automatic indexing
    db.session.execute(text("ANALYZE"))
    # At this size reading the whole index table (directly or along its primary key) is
    # cheapest; forbid both, to show the GIN index serves the words. bench/search.py shows
    # the planner choosing it by itself at 100,000 products.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_indexscan = off"))
    # The listings' partial indexes (every on-sale row, newest first) are one more way of
    # reading the whole table: forbid them too (dropped in this test's transaction only).
    for name in ("newest", "category", "cooperative"):
        db.session.execute(text(f"DROP INDEX ix_product_search_on_sale_{name}"))
    statement = search_statement(params)
    for query in (statement, select(func.count()).select_from(statement.order_by(None).subquery())):
        compiled = query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "Bitmap Index Scan on ix_product_search_document" in plan, plan
        assert not re.search(r"Seq Scan on products\b", plan), plan
