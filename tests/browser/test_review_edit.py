"""A guest edits their review on a 360 px phone, through the order's link: the edit page
with the review's two photos passes axe and fits, and ticking "Remove photo 1" takes that
photo away while the other stays."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.extensions import db
from shop.reviews import services
from shop.reviews.models import Review
from tests.browser.fixtures import assert_fits_and_is_accessible
from tests.catalog.test_images import photo
from tests.factories import pay
from tests.fulfilment.conftest import make_shop
from tests.reviews.conftest import complete_part

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reviewed(live_app) -> dict:
    with live_app.app_context():
        shop = make_shop(prefix="Ulasan Foto ")
        pay(shop.order)
        shop.reload()
        complete_part(shop, shop.tani, shop.tani_admin)
        shop.reload()
        line = shop.line(shop.siti)
        uploads = [("a.jpg", photo((400, 300))), ("b.jpg", photo((401, 300)))]
        review = services.write_review(shop.order, line.id, services.ReviewInput(5, "", uploads))
        kept = review.photos[1].id
        path = f"/pesanan/{shop.order.number}/ulasan/{line.id}?kunci={shop.access_token}"
        return {"path": path, "review": review.id, "kept": kept}


def test_a_guest_removes_a_photo_from_their_review_on_a_phone(
    page, live_server, live_app, reviewed, axe_violations
):
    assert page.goto(live_server + reviewed["path"]).status == 200
    expect(page.get_by_role("group", name="Hapus foto")).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)

    page.get_by_label("Hapus foto 1").check()
    page.get_by_role("button", name="Simpan perubahan").click()

    expect(page.get_by_role("status")).to_contain_text("Terima kasih")
    with live_app.app_context():
        review = db.session.scalar(select(Review).where(Review.id == reviewed["review"]))
        assert [photo.id for photo in review.photos] == [reviewed["kept"]]
        db.session.remove()
