"""Typo tolerance: the vocabulary of the catalog, "did you mean", the suggestions while the
shopper types, and on PostgreSQL the trigram index that serves them."""

import re

import pytest
from sqlalchemy import text

from shop.extensions import db
from shop.search.services import reindex_all
from shop.search.tables import TERMS_TABLE
from shop.search.vocabulary import corrections, similarity, suggestions, trigrams, words_of
from tests.factories import make_coop, make_membership, make_product, make_user


@pytest.fixture
def catalogue():
    maker = make_membership(coop=make_coop(name="Koperasi Mlijo", slug="mlijo"))
    return {
        "keripik": make_product(maker, name="Keripik Tempe Sagu", slug="keripik-tempe-sagu"),
        "kerupuk": make_product(maker, name="Kerupuk Udang", slug="kerupuk-udang"),
        "batik": make_product(maker, name="Kain Batik Tulis", slug="kain-batik-tulis"),
        "maker": maker,
    }


def vocabulary() -> set[str]:
    return set(db.session.scalars(text(f"SELECT word FROM {TERMS_TABLE}")))


def result_slugs(html: str) -> list[str]:
    return re.findall(r'href="/produk/([^"]+)"', html.split('id="results-heading"', 1)[1])


def test_words_are_lowercased_letter_runs_of_three_or_more():
    assert words_of(["Keripik TEMPE 250gr, isi 2 (pedas)", None, "Tas-Rajut ok"]) == {
        "keripik", "tempe", "isi", "pedas", "tas", "rajut"}  # fmt: skip


def test_similarity_counts_trigrams_as_pg_trgm_does():
    assert trigrams("kripik") == {"  k", " kr", "kri", "rip", "ipi", "pik", "ik "}
    assert similarity("kripik", "keripik") == pytest.approx(5 / 10)
    assert similarity("keripk", "keripik") == pytest.approx(5 / 10)
    assert similarity("batik", "keripik") < 0.3


@pytest.mark.pg
def test_the_python_similarity_agrees_with_postgresql():
    for first, second in [("kripik", "keripik"), ("keripk", "keripik"), ("btik", "batik"),
                          ("rajutan", "rajut"), ("sambal", "keripik")]:  # fmt: skip
        expected = db.session.scalar(text("SELECT similarity(:a, :b)"), {"a": first, "b": second})
        assert similarity(first, second) == pytest.approx(expected, abs=1e-6), (first, second)


def test_the_vocabulary_follows_product_names(catalogue):
    assert {"keripik", "tempe", "sagu", "kerupuk", "udang", "batik"} <= vocabulary()
    assert {"kuliner", "fashion", "crafts"} <= vocabulary()  # the categories' names
    catalogue["kerupuk"].name = "Kerupuk Ikan Tenggiri"
    db.session.commit()
    assert {"ikan", "tenggiri", "udang"} <= vocabulary()  # words are only added on the way
    reindex_all()  # the rebuild drops what no product or category says any more
    assert "udang" not in vocabulary() and {"kuliner", "tenggiri"} <= vocabulary()


@pytest.mark.parametrize("typed", ["kripik", "keripk", "KRIPIK", "kripik tempe"])
def test_a_misspelt_word_is_corrected_to_the_closest_word_of_the_catalog(catalogue, typed):
    assert corrections(typed.split()).get(typed.split()[0].lower()) == "keripik"


def test_known_words_and_words_with_nothing_close_are_not_corrected(catalogue):
    assert corrections(["keripik", "tempe"]) == {}
    assert corrections(["xyzzyq", "12345", "ab"]) == {}


@pytest.mark.parametrize("typed", ["kripik", "keripk"])
def test_a_search_with_a_typo_shows_did_you_mean_and_finds_the_products(english, catalogue, typed):
    html = english.get("/cari", query_string={"q": typed}).get_data(as_text=True)
    assert result_slugs(html) == ["keripik-tempe-sagu"]
    assert f"Nothing matches “{typed}”." in html
    assert 'Did you mean: <a href="/cari?q=keripik"><strong>keripik</strong></a>?' in html
    assert "1 product found" in html


def test_did_you_mean_keeps_the_filters_and_corrects_only_the_wrong_word(english, catalogue):
    html = english.get("/cari?q=kripik+tempe&in_stock=1&sort=newest").get_data(as_text=True)
    assert result_slugs(html) == ["keripik-tempe-sagu"]
    assert 'href="/cari?q=keripik+tempe&amp;in_stock=1&amp;sort=newest"' in html


def test_a_search_that_finds_something_is_not_corrected(english, catalogue):
    html = english.get("/cari?q=keripik").get_data(as_text=True)
    assert "Did you mean" not in html and result_slugs(html) == ["keripik-tempe-sagu"]


def test_no_correction_is_offered_when_the_corrected_words_find_nothing_either(english, catalogue):
    html = english.get("/cari?q=kripik&category=fashion").get_data(as_text=True)
    assert "Did you mean" not in html and result_slugs(html) == []
    assert "No products match your search." in html


def test_a_corrected_search_stays_within_the_query_budget(client, catalogue, count_queries):
    with count_queries() as one:
        assert result_slugs(client.get("/cari?q=kripik").get_data(as_text=True))
    for n in range(30):
        make_product(catalogue["maker"], name=f"Keripik Pisang {n}", variants=((9_000, 2),))
    with count_queries() as many:
        assert len(result_slugs(client.get("/cari?q=kripik").get_data(as_text=True))) == 24
    assert len(one) == len(many) <= 8, many


# Suggestions -------------------------------------------------------------------------------


def test_suggestions_are_words_starting_with_what_was_typed_shortest_first(catalogue):
    offered = suggestions("ker")  # with the categories' keramik and kerajinan
    assert {"keripik", "kerupuk", "keramik"} <= set(offered)
    assert [len(word) for word in offered] == sorted(len(word) for word in offered)
    assert suggestions("kerip") == ["keripik"]
    assert suggestions("KERU") == ["kerupuk"]
    assert suggestions("kripik") == ["keripik"]  # nothing starts so: the closest words
    assert suggestions("") == suggestions("k%") == suggestions("_") == []


def test_the_suggestion_endpoint_answers_json_that_shared_caches_may_keep(client, catalogue):
    response = client.get("/cari/saran?q=keripik%20ud")
    assert response.status_code == 200
    assert response.json == {"q": "keripik ud", "suggestions": ["keripik udang"]}
    assert response.headers["Cache-Control"] == "public, max-age=300"
    for odd in ["", "%", "x" * 500, "'; drop table", "ｋｅｒ", "🙂"]:
        answer = client.get("/cari/saran", query_string={"q": odd})
        assert answer.status_code == 200 and answer.json["suggestions"] == []


def test_every_search_box_offers_suggestions_from_a_script_file_and_works_without_it(
    client, catalogue
):
    html = client.get("/").get_data(as_text=True)
    assert 'list="search-suggestions"' in html and 'data-suggest-url="/cari/saran"' in html
    assert '<datalist id="search-suggestions"></datalist>' in html
    script = re.search(r'<script src="(/assets/js/suggest[^"]*)" defer></script>', html)
    assert script and client.get(script.group(1)).status_code == 200
    assert 'action="/cari" method="get"' in html  # a plain form without the script


# PostgreSQL: the plan ----------------------------------------------------------------------


@pytest.mark.pg
def test_corrections_and_suggestions_read_the_trigram_index_not_products(catalogue):
    """A vocabulary of 20,000 more words (hexadecimal noise, sharing no trigram with the
    words asked for). At this size the planner picks the trigram index by itself; seqscan
    is turned off only to keep the test stable. The primary key's B-tree could serve the
    `%` only by being read whole, which the plan must not do either."""
    db.session.execute(
        text(f"INSERT INTO {TERMS_TABLE} (word) "
             "SELECT substr(md5(n::text), 1, 9) FROM generate_series(1, 20000) n "
             "ON CONFLICT DO NOTHING")
    )  # fmt: skip
    # What autovacuum does in production: move the GIN index's pending list into the index,
    # whose cost the planner would otherwise count against it.
    db.session.execute(text("SELECT gin_clean_pending_list('ix_product_search_terms_word_trgm')"))
    db.session.execute(text(f"ANALYZE {TERMS_TABLE}"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if TERMS_TABLE in statement and not statement.startswith("EXPLAIN"):
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    from sqlalchemy import event

    connection = db.session.connection()
    event.listen(connection, "before_cursor_execute", explain)
    try:
        assert corrections(["kripik"]) == {"kripik": "keripik"}
        assert suggestions("kerup") == ["kerupuk"]
    finally:
        event.remove(connection, "before_cursor_execute", explain)
    assert len(plans) == 2
    for plan in plans:
        assert "ix_product_search_terms_word_trgm" in plan, plan
        assert "Seq Scan" not in plan and "products" not in plan.replace(TERMS_TABLE, ""), plan


def test_a_signed_in_shoppers_corrected_search_stays_within_the_budget_too(
    client, login, catalogue, count_queries
):
    login(make_user())
    with count_queries() as statements:
        assert result_slugs(client.get("/cari?q=kripik").get_data(as_text=True))
    assert len(statements) <= 8, statements
