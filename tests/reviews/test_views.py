"""Reviews through the pages: the shopper (guest by the order's link, or signed in), the
member's reply, the admin's hiding, and what the storefront shows."""

import json
import re

from sqlalchemy import select

from shop.catalog.models import Product
from shop.extensions import db
from shop.reviews import services
from shop.reviews.models import Review
from shop.security import PRIVATE_CACHE_CONTROL
from tests.catalog.test_images import photo
from tests.factories import make_membership
from tests.reviews.conftest import reviews_of_completed_order


def review_url(shop, line, token=None) -> str:
    url = f"/pesanan/{shop.order.number}/ulasan/{line.id}"
    return url + (f"?kunci={token}" if token else "")


def reviews_of(line) -> list[Review]:
    db.session.expire_all()
    return db.session.scalars(select(Review).where(Review.order_line_id == line.id)).all()


def test_a_guest_reviews_through_the_order_link(english, completed, media_dir):
    line = completed.line(completed.siti)
    order_page = english.get(f"/pesanan/{completed.order.number}?kunci={completed.access_token}")
    assert "Review Keripik Tempe" in order_page.get_data(as_text=True)
    form = english.get(review_url(completed, line, completed.access_token))
    assert form.status_code == 200 and form.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL
    response = english.post(
        review_url(completed, line, completed.access_token),
        data={"rating": "5", "text": "Renyah!", "photos": [(photo_file(), "keripik.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [review] = reviews_of(line)
    assert (review.rating, review.text, len(review.photos)) == (5, "Renyah!", 1)
    assert review.author_name == "Siti A."  # from "Siti Aminah", the order's contact


def photo_file():
    import io

    return io.BytesIO(photo((400, 300)))


def test_a_stranger_without_the_link_gets_404_and_changes_nothing(client, completed):
    line = completed.line(completed.siti)
    assert client.get(review_url(completed, line)).status_code == 404
    assert client.post(review_url(completed, line), data={"rating": "5"}).status_code == 404
    assert (
        client.post(review_url(completed, line, "salah"), data={"rating": "5"}).status_code == 404
    )
    assert reviews_of(line) == []


def test_a_signed_in_buyer_reviews_from_their_order(english, login, completed):
    from tests.factories import make_user

    buyer = make_user()
    completed.order.user_id = buyer.id
    db.session.commit()
    login(buyer)
    line = completed.line(completed.budi)
    response = english.post(review_url(completed, line), data={"rating": "3", "text": "Lumayan"})
    assert response.status_code == 302
    assert [r.rating for r in reviews_of(line)] == [3]


def test_a_line_not_completed_cannot_be_reviewed_by_the_page(english, completed):
    line = completed.line(completed.rina)
    url = review_url(completed, line, completed.access_token)
    response = english.post(url, data={"rating": "5"}, follow_redirects=True)
    assert "once its part of the order is completed" in response.get_data(as_text=True)
    assert reviews_of(line) == []


def test_bad_stars_show_the_form_again_with_the_error(english, completed):
    line = completed.line(completed.siti)
    url = review_url(completed, line, completed.access_token)
    response = english.post(url, data={"rating": "9", "text": "Hmm"})
    assert response.status_code == 422
    assert "Choose from 1 to 5 stars." in response.get_data(as_text=True)
    assert reviews_of(line) == []


def test_a_bad_upload_is_refused_next_to_the_field(english, completed, media_dir):
    line = completed.line(completed.siti)
    url = review_url(completed, line, completed.access_token)
    import io

    response = english.post(
        url,
        data={"rating": "4", "photos": [(io.BytesIO(b"not a photo"), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "x.jpg" in response.get_data(as_text=True)
    assert reviews_of(line) == []


def test_the_edit_page_removes_a_ticked_photo(english, completed, media_dir):
    line = completed.line(completed.siti)
    uploads = [("a.jpg", photo((400, 300))), ("b.jpg", photo((401, 300)))]
    review = services.write_review(completed.order, line.id, services.ReviewInput(5, "", uploads))
    first, second = review.photos
    url = review_url(completed, line, completed.access_token)
    page = english.get(url).get_data(as_text=True)
    assert f'name="remove_photo" value="{first.id}"' in page and "Remove photo 2" in page

    response = english.post(url, data={"rating": "4", "remove_photo": str(first.id)})

    assert response.status_code == 302
    [edited] = reviews_of(line)
    assert [photo.id for photo in edited.photos] == [second.id]
    assert edited.rating == 4 and not edited.can_be_edited


def test_the_edit_page_refuses_a_photo_not_of_the_review(english, completed, media_dir):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, services.ReviewInput(5, "Enak", []))
    url = review_url(completed, line, completed.access_token)

    response = english.post(url, data={"rating": "1", "remove_photo": "x1"})

    assert response.status_code == 422
    assert "That photo is not in your review." in response.get_data(as_text=True)
    [unchanged] = reviews_of(line)
    assert (unchanged.rating, unchanged.can_be_edited) == (5, True)
    assert review.id == unchanged.id


def test_the_second_edit_is_refused_by_the_page(english, completed):
    line = completed.line(completed.siti)
    url = review_url(completed, line, completed.access_token)
    english.post(url, data={"rating": "2"})
    assert english.post(url, data={"rating": "4"}).status_code == 302
    response = english.post(url, data={"rating": "1"}, follow_redirects=True)
    assert "A review can be edited only once." in response.get_data(as_text=True)
    assert [r.rating for r in reviews_of(line)] == [4]


def test_the_member_replies_once_to_a_review_of_their_product(english, login, completed):
    review = services.write_review(
        completed.order, completed.line(completed.siti).id, services.ReviewInput(5, "Mantap", [])
    )
    login(completed.siti.user)
    page = english.get(f"/koperasi/{completed.tani.slug}/anggota/ulasan").get_data(as_text=True)
    assert "Mantap" in page
    url = f"/koperasi/{completed.tani.slug}/anggota/ulasan/{review.id}/balas"
    assert english.post(url, data={"text": "Terima kasih"}).status_code == 302
    english.post(url, data={"text": "Dua kali"})
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply_text == "Terima kasih"


def test_another_member_cannot_reply_or_see_it(english, login, completed):
    review = services.write_review(
        completed.order, completed.line(completed.siti).id, services.ReviewInput(5, "Mantap", [])
    )
    login(completed.budi.user)
    page = english.get(f"/koperasi/{completed.tani.slug}/anggota/ulasan").get_data(as_text=True)
    assert "Mantap" not in page
    url = f"/koperasi/{completed.tani.slug}/anggota/ulasan/{review.id}/balas"
    assert english.post(url, data={"text": "Bukan saya"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Review, review.id).replied_at is None


def test_the_admin_hides_a_review_the_public_no_longer_sees_it(english, login, completed):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, services.ReviewInput(1, "Kasar", []))
    product = db.session.get(Product, line.product_id)
    assert "Kasar" in english.get(f"/produk/{product.slug}").get_data(as_text=True)
    login(completed.tani_admin)
    url = f"/koperasi/{completed.tani.slug}/kelola/ulasan/{review.id}/sembunyikan"
    assert english.post(url, data={"reason": ""}).status_code == 302
    assert reviews_of(line)[0].hidden_at is None  # no reason, not hidden
    english.post(url, data={"reason": "Kata-kata kasar"})
    assert reviews_of(line)[0].hidden_reason == "Kata-kata kasar"
    console = english.get(f"/koperasi/{completed.tani.slug}/kelola/ulasan?tersembunyi=1")
    assert "Kasar" in console.get_data(as_text=True)  # the admin still sees it
    english.get("/akun/keluar")
    public = english.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "Kasar" not in public and "AggregateRating" not in public


def test_product_page_shows_average_count_distribution_and_json_ld(english, app):
    coop = make_membership().cooperative
    first, second = reviews_of_completed_order(coop, hidden=(False, False))
    services.edit_review(second, services.ReviewInput(5, "Luar biasa", []))
    db.session.expire_all()
    product = db.session.get(Product, first.product_id)
    product.rating_count, product.rating_sum, product.rating_average_centi = 0, 0, 0
    db.session.commit()
    # One product, one review of 4 stars (the other review is of the second product).
    from shop.reviews.aggregates import recount_all

    recount_all()
    html = english.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "1 review" in html and "4.0" in html and "Enak" in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": 4.0, "reviewCount": 1,
        "bestRating": 5, "worstRating": 1,
    }  # fmt: skip
    assert data["review"][0]["reviewRating"]["ratingValue"] == 4


def test_json_ld_has_no_rating_without_reviews(english, completed):
    product = db.session.get(Product, completed.line(completed.rina).product_id)
    html = english.get(f"/produk/{product.slug}").get_data(as_text=True)
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Product" and "aggregateRating" not in data
    assert "No reviews yet." in html


def test_cards_show_stars_count_and_units_sold(english, completed):
    line = completed.line(completed.siti)
    services.write_review(completed.order, line.id, services.ReviewInput(5, "", []))
    html = english.get(f"/koperasi/{completed.tani.slug}").get_data(as_text=True)
    assert "★ 5.0 (1)" in html and "Sold 3" in html


def test_product_page_with_reviews_and_photos_runs_at_most_8_queries(
    client, completed, media_dir, count_queries
):
    line = completed.line(completed.siti)
    uploads = [("a.jpg", photo((400, 300)))]
    services.write_review(completed.order, line.id, services.ReviewInput(5, "Ok", uploads))
    slug = db.session.get(Product, line.product_id).slug
    with count_queries() as statements:
        assert client.get(f"/produk/{slug}").status_code == 200
    assert len(statements) <= 8, statements


def test_a_replied_and_edited_review_reads_in_indonesian_by_default(client, completed):
    line = completed.line(completed.siti)
    review = services.write_review(completed.order, line.id, services.ReviewInput(3, "Enak", []))
    services.edit_review(review, services.ReviewInput(4, "Enak sekali", []))
    services.reply_to_review(review, completed.siti, "Terima kasih")
    product = db.session.get(Product, line.product_id)

    html = client.get(f"/produk/{product.slug}").get_data(as_text=True)

    assert "Balasan penjual" in html and "diubah" in html and "4 dari 5 bintang" in html
    assert "The seller replied" not in html and "edited" not in html
