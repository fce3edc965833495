"""Error pages in both languages, the health check, and the public pages."""

import pytest

from config import TestConfig
from shop import create_app
from tests.factories import make_product


@pytest.fixture(scope="module")
def failing_app():
    """A separate app with routes that fail on purpose (routes can't be added to the shared one)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", MAX_CONTENT_LENGTH=1024)

    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.route("/forbidden")
    def forbidden():
        from flask import abort

        abort(403)

    @app.route("/bad")
    def bad():
        from flask import abort

        abort(400)

    return app


PAGES = {
    400: ("Permintaan tidak valid", "Bad request"),
    403: ("Akses ditolak", "Access denied"),
    404: ("Halaman tidak ditemukan", "Page not found"),
    405: ("Metode tidak diizinkan", "Method not allowed"),
    413: ("Berkas terlalu besar", "File too large"),
    500: ("Terjadi kesalahan", "Something went wrong"),
}


def _trigger(client, code):
    if code == 400:
        return client.get("/bad")
    if code == 403:
        return client.get("/forbidden")
    if code == 404:
        return client.get("/tidak-ada")
    if code == 405:
        return client.delete("/")
    if code == 413:
        return client.post("/akun/masuk", data={"email": "x" * 4096})
    return client.get("/boom")


@pytest.mark.parametrize("code", sorted(PAGES))
@pytest.mark.parametrize("language", ["id", "en"])
def test_error_pages_in_both_languages(failing_app, code, language):
    client = failing_app.test_client()
    if language == "en":
        client.get("/bahasa/en")
    response = _trigger(client, code)
    assert response.status_code == code
    if code == 405:
        assert response.headers["Allow"]  # what the page does accept
    title = PAGES[code][0 if language == "id" else 1]
    assert title in response.get_data(as_text=True)


def test_healthz_answers_ok_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_home_lists_products_on_sale_with_rupiah_prices(client):
    make_product(name="Sambal Roa Manado", variants=((25_000, 5), (45_000, 2)))
    html = client.get("/").get_data(as_text=True)
    assert "Sambal Roa Manado" in html
    assert "Rp\xa025.000 – Rp\xa045.000" in html
