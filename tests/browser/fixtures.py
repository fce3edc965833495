"""Live-server and browser fixtures, for every test folder (tests/conftest.py registers this
module as a plugin, so each session-scoped fixture exists once).

Browser journeys: Debian's Chromium driven by Playwright, against a live server.

The live server runs its own app on its own SQLite file with CSRF on, as a shopper's
browser meets it; the journeys are about what people see and do, so they do not need the
per-test rollback of the other tests. They are marked slow: `-m "not slow"` skips them.
Set REQUIRE_BROWSER=1 (CI does) to fail instead of skip when Chromium or axe-core is missing.
"""

import os
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from config import TestConfig
from shop import create_app
from shop.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.servers import serve_in_background

HERE = Path(__file__).parent
AXE_PATH = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
# Rules from WCAG 2.1 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _missing(what: str):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{what} is missing (REQUIRE_BROWSER is set)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'live.db'}",
        MEDIA_DIR=str(folder / "media"),
        WTF_CSRF_ENABLED=True,
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the live app, served from a thread for the whole session."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # As with `make run`: the app calls its own simulator, which notifies the app.
    live_app.config.update(
        SITE_URL=base_url,
        MIDTRANS_SIMULATOR_URL=base_url + "/simulator/midtrans",
        MIDTRANS_NOTIFICATION_URL=base_url + "/payments/midtrans/notification",
    )
    serve_in_background(server)
    yield base_url
    server.shutdown()


@pytest.fixture
def live_data(live_app):
    """Run factories against the live app's database: `with live_data(): make_product()`."""

    def context():
        return live_app.app_context()

    yield context
    with live_app.app_context():
        db.session.remove()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page, JavaScript on, CSP bypassed only so axe can be injected."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="id-ID")
    context.set_default_timeout(5_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """axe_violations(page) runs axe-core in the page and returns its violations."""
    if not AXE_PATH.exists():
        _missing("axe-core (npm install in tests/browser)")

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(AXE_PATH))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [node["target"] for node in v["nodes"]][:5]}
            for v in result["violations"]
        ]  # fmt: skip

    return run


def assert_fits_and_is_accessible(page, axe_violations) -> None:
    """No axe violation, and no sideways scrolling on the 360 px screen."""
    assert axe_violations(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways on a 360 px screen"


def sign_in(page, live_server: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, as a person does, and land on the home page."""
    page.goto(live_server + "/akun/masuk")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(live_server + "/")


def fill_checkout_address(page, email: str) -> None:
    """The checkout's contact and address fields, as a shopper in Yogyakarta types them."""
    page.fill("input[name=contact_name]", "Siti Aminah")
    page.fill("input[name=contact_email]", email)
    page.fill("input[name=contact_phone]", "0812 3456 7890")
    page.select_option("select[name=province]", "DI Yogyakarta")
    page.fill("input[name=city]", "Kota Yogyakarta")
    page.fill("input[name=district]", "Gondokusuman")
    page.fill("input[name=village]", "Baciro")
    page.fill("input[name=postcode]", "55225")
    page.fill("textarea[name=street]", "Jl. Melati 5")
