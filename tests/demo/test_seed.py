"""`flask seed-demo` through the real CLI on the test database.

Seeding writes about 330 products and 440 images, so each test seeds once (the reset test
twice) and the tests are few. Image files are not rolled back with the database, so every
test gets its own media storage (a folder, or a bucket with MEDIA_STORAGE_UNDER_TEST=s3).
"""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

import shop.demo.seed
from shop.accounts.models import User
from shop.catalog.images import rendition_path, rendition_widths
from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership, Role
from shop.demo.data import (
    DEMO_ADMIN,
    DEMO_MEMBER,
    DEMO_OPERATOR,
    DEMO_PENGAWAS,
    DEMO_SHOPPER,
    DEMO_SIGN_INS,
)
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account
from shop.media.storage import MediaStorage
from tests.media.fixtures import stored_keys

COUNTED_MODELS = (User, Cooperative, Membership, Product, ProductVariant, ProductImage)


pytestmark = pytest.mark.usefixtures("media")  # images in a storage of this test


def seed(runner, *options):
    return runner.invoke(args=["seed-demo", *options])


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED_MODELS
    }


def opened(storage: MediaStorage, key: str) -> Image.Image:
    return Image.open(io.BytesIO(storage.read(key)))


def stored_files(image: ProductImage) -> set[str]:
    renditions = {
        rendition_path(image, width, fmt)
        for width in rendition_widths(image)
        for fmt in ("webp", "jpg")
    }
    return {image.file_path} | renditions


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def membership_of(email: str) -> Membership | None:
    return db.session.scalar(select(Membership).join(User).where(User.email == email))


def assert_every_product_has_a_price_and_a_real_image(media: MediaStorage) -> None:
    priced = select(ProductVariant.product_id).where(ProductVariant.price > 0)
    assert db.session.scalar(select(func.count()).where(Product.id.not_in(priced))) == 0
    pictured = select(ProductImage.product_id)
    assert db.session.scalar(select(func.count()).where(Product.id.not_in(pictured))) == 0
    for image in db.session.scalars(select(ProductImage)):
        with opened(media, image.file_path) as picture:
            assert picture.size == (image.width, image.height)
            picture.verify()
        # Stored as uploads are: renditions up to the original's width, in both formats.
        # The tests draw demo pictures DEMO_IMAGE_PX (160) wide, so one width of each.
        assert image.rendition_key and rendition_widths(image) == [160]
        for width in rendition_widths(image):
            for fmt, pillow_format in (("webp", "WEBP"), ("jpg", "JPEG")):
                with opened(media, rendition_path(image, width, fmt)) as rendition:
                    assert rendition.format == pillow_format
                    assert rendition.size == (width, image.height * width // image.width)


def assert_demo_accounts_have_their_roles() -> None:
    first_coop_id = db.session.scalar(select(func.min(Cooperative.id)))
    admin = membership_of(DEMO_ADMIN.email)
    assert admin.cooperative_id == first_coop_id
    assert admin.role == Role.ADMIN and admin.member_number == "0001"
    member = membership_of(DEMO_MEMBER.email)
    assert member.cooperative_id == first_coop_id and member.role == Role.MEMBER
    owned = select(func.count(Product.id)).where(Product.member_id == member.id)
    assert db.session.scalar(owned) > 0
    pengawas = membership_of(DEMO_PENGAWAS.email)
    assert pengawas.cooperative_id == first_coop_id and pengawas.role == Role.PENGAWAS
    every_pengawas = select(Membership.cooperative_id).where(Membership.role == Role.PENGAWAS)
    assert len(set(db.session.scalars(every_pengawas))) == 3  # one in each cooperative
    assert user(DEMO_OPERATOR.email).is_operator
    assert not user(DEMO_SHOPPER.email).is_operator
    assert membership_of(DEMO_SHOPPER.email) is None


def assert_demo_orders_left_money_to_show() -> None:
    """The shopper's orders: 4 paid, 2 of them completed, so the demo member has money
    available to ask for, and a part waiting to be packed."""
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert [order.status for order in orders] == [
        "completed",
        "completed",
        "shipped",
        "paid",
        "pending",
    ]
    # Paid through a payment attempt, whose Midtrans id a refund is asked under.
    assert [order.current_payment_id for order in orders[:4]] == [
        f"{order.number}-1" for order in orders[:4]
    ]
    member = membership_of(DEMO_MEMBER.email)
    available = balance(member.cooperative_id, Account.MEMBER_AVAILABLE, member.id)
    assert available > 0
    assert check_ledger() == []


def test_empty_database_gets_three_cooperatives_with_products_and_sign_ins(runner, client, media):
    result = seed(runner)

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Cooperative.id))) == 3
    active_members = db.session.execute(
        select(Membership.cooperative_id, func.count())
        .where(Membership.is_active.is_(True))
        .group_by(Membership.cooperative_id)
    ).all()
    assert len(active_members) == 3 and all(count >= 10 for _, count in active_members)
    product_count = db.session.scalar(select(func.count(Product.id)))
    assert product_count >= 300
    parent = aliased(Category)
    top_slugs = db.session.scalars(
        select(parent.slug).select_from(Product).join(Category).join(parent, Category.parent)
    ).all()
    assert len(top_slugs) == product_count  # every product sits in a subcategory
    assert set(top_slugs) == {"kuliner", "fashion", "kerajinan"}
    assert_every_product_has_a_price_and_a_real_image(media)
    assert_demo_accounts_have_their_roles()
    assert_demo_orders_left_money_to_show()
    for sign_in in DEMO_SIGN_INS:
        assert sign_in.email in result.output
    assert DEMO_ADMIN.password in result.output
    response = client.post(
        "/akun/masuk", data={"email": DEMO_ADMIN.email, "password": DEMO_ADMIN.password}
    )
    assert response.status_code == 302


def test_seeded_database_is_refused_or_skipped_and_left_unchanged(runner, media):
    assert seed(runner).exit_code == 0
    counts, files = row_counts(), stored_keys(media)

    refused = seed(runner)
    skipped = seed(runner, "--if-empty")

    assert refused.exit_code != 0
    assert "refuses" in refused.output
    assert skipped.exit_code == 0
    assert "nothing seeded" in skipped.output
    assert row_counts() == counts
    assert stored_keys(media) == files


def test_reset_replaces_the_demo_instead_of_doubling_it(runner, media):
    assert seed(runner).exit_code == 0
    counts = row_counts()
    media.save("products/999999/1.jpg", b"left over", "image/jpeg")

    result = seed(runner, "--reset")

    assert result.exit_code == 0, result.output
    assert row_counts() == counts
    stored = set().union(*map(stored_files, db.session.scalars(select(ProductImage))))
    assert stored_keys(media) == stored  # no orphan, nothing stashed left behind


def test_failed_seed_leaves_no_rows_and_puts_earlier_images_back(runner, media, monkeypatch):
    counts = row_counts()
    media.save("products/999998/1.jpg", b"earlier", "image/jpeg")
    real_write = shop.demo.seed.write_product_image
    written = []

    def write_then_fail(*args):
        if len(written) == 5:
            raise OSError("disk full")
        written.append(real_write(*args))
        return written[-1]

    monkeypatch.setattr(shop.demo.seed, "write_product_image", write_then_fail)

    result = seed(runner)

    assert isinstance(result.exception, OSError)
    assert row_counts() == counts
    assert stored_keys(media) == {"products/999998/1.jpg"}
