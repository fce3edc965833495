"""The foundation's pages on a 360 px phone: accessible, no sideways scrolling, usable."""

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, make_product, make_user

PAGES = [
    "/",
    "/akun/masuk",
    "/akun/daftar",
    "/akun/lupa-sandi",
    "/cari?q=keripik",
    "/keranjang",
    "/tidak-ada",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_accessibility_violations_on_a_phone(
    page, live_server, live_data, axe_violations, path
):
    with live_data():
        if path == "/":
            make_product(name="Keripik Tempe Sagu")
    expected = 404 if path == "/tidak-ada" else 200
    assert page.goto(live_server + path).status == expected
    assert axe_violations(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways on a 360 px screen"


def test_sign_in_with_a_real_browser_and_switch_to_english(page, live_server, live_data):
    with live_data():
        user = make_user(email="siti.browser@example.test")
        email = user.email
    page.goto(live_server + "/akun/masuk")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/akun/")
    assert email in page.content()

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()


def test_forms_work_without_javascript(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/akun/daftar")
    page.get_by_role("button", name="Daftar", exact=True).click()
    expect(page.locator("#email-error")).to_be_visible()  # the server's message, beside the field
    context.close()
