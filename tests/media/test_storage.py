"""The media storage interface, the same on both backends (a folder, and S3 over HTTP through
moto's server), and a photo's whole life through it."""

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from posixpath import dirname

import pytest
from flask import render_template_string

from config import TestConfig
from shop import create_app
from shop.catalog.images import picture_sources, rendition_path
from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.media.cleanup import remove_orphaned_photo_folders
from shop.media.s3 import S3Storage
from shop.media.storage import LocalStorage, MediaNotFound, check_key
from shop.products.photos import add_photos, delete_photos
from tests.catalog.test_images import photo
from tests.factories import make_product
from tests.media.fixtures import stored_keys

YEAR_LONG = {"public", "max-age=31536000", "immutable"}


def cache_directives(header: str) -> set[str]:
    return set(header.replace(" ", "").split(","))


def test_a_file_is_saved_read_listed_and_deleted(media_storage):
    key = "products/1/abc/original.jpg"

    assert not media_storage.exists(key)
    media_storage.save(key, b"first", "image/jpeg")
    media_storage.save(key, b"second", "image/jpeg")  # replaced whole
    media_storage.save("products/2/def/160.webp", b"other", "image/webp")

    assert media_storage.exists(key)
    assert media_storage.read(key) == b"second"
    [listed] = media_storage.list("products/1/")
    assert listed.key == key
    assert abs(listed.modified - datetime.now(UTC)) < timedelta(minutes=1)
    opened = media_storage.open(key)
    assert (b"".join(opened.chunks), opened.size) == (b"second", 6) and opened.etag
    opened.close()

    media_storage.delete(key)
    media_storage.delete(key)  # nothing there: no error

    assert stored_keys(media_storage) == {"products/2/def/160.webp"}
    with pytest.raises(MediaNotFound):
        media_storage.read(key)
    with pytest.raises(MediaNotFound):
        media_storage.open(key)


def test_the_backend_is_the_one_asked_for(media_storage, request):
    backend = request.node.callspec.params["media_storage"]

    assert isinstance(media_storage, {"local": LocalStorage, "s3": S3Storage}[backend])


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../x.jpg", "a/../../x.jpg", "a/./x.jpg", "a/.incoming/x.jpg",
            "a\\..\\x.jpg", "a//x.jpg", "a/x\x00.jpg"],
)  # fmt: skip
def test_a_key_that_could_leave_the_root_or_is_hidden_names_nothing(media_storage, key):
    with pytest.raises(MediaNotFound):
        check_key(key)
    with pytest.raises(MediaNotFound):
        media_storage.read(key)
    assert not media_storage.exists(key)


def test_a_photo_is_stored_rendered_served_for_a_year_and_removed(app, client, media_storage):
    product = make_product()
    assert add_photos(product, [("foto.jpg", photo((800, 600)))]) == []
    db.session.commit()  # the rendition task runs
    [image] = product.images
    with app.test_request_context():
        sources = picture_sources(image)
    urls = [part.split()[0] for part in sources.webp_srcset.split(", ")] + [sources.src]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert cache_directives(response.headers["Cache-Control"]) == YEAR_LONG
        assert response.data == media_storage.read(url.removeprefix("/media/"))
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    folder = dirname(image.file_path) + "/"
    assert len(media_storage.list(folder)) == 1 + 2 * 3  # original, 160/320/640 x webp/jpg

    delete_photos(product, [image.id])
    db.session.commit()  # the removal task runs

    assert media_storage.list(folder) == []
    assert client.get(urls[0]).status_code == 404


def test_files_left_by_a_rolled_back_upload_go_with_the_nightly_clean_up(media_storage):
    product = make_product()
    db.session.commit()
    add_photos(product, [("foto.jpg", photo((400, 300)))])
    file_path = db.session.query(ProductImage.file_path).scalar()
    db.session.rollback()
    assert stored_keys(media_storage) == {file_path}

    removed = remove_orphaned_photo_folders(now=datetime.now(UTC).timestamp() + 2 * 86400)

    assert removed == [dirname(file_path)]
    assert stored_keys(media_storage) == set()


@pytest.mark.parametrize("media_storage", ["s3"], indirect=True)
def test_s3_objects_carry_their_type_and_the_year_long_cache(app, media_storage, request):
    product = make_product()
    add_photos(product, [("foto.jpg", photo((400, 300)))])
    db.session.commit()
    [image] = product.images
    key = rendition_path(image, 320, "webp")

    head = media_storage.client.head_object(Bucket=media_storage.bucket, Key=key)

    assert head["ContentType"] == "image/webp"
    assert cache_directives(head["CacheControl"]) == YEAR_LONG


def make_readable_by_anyone(storage: S3Storage) -> None:
    """What an operator does for direct URLs (or lets only the CDN read it)."""
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{storage.bucket}/*",
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    storage.client.put_bucket_policy(Bucket=storage.bucket, Policy=policy)


@pytest.mark.parametrize("media_storage", ["s3"], indirect=True)
def test_direct_urls_point_at_the_public_base_and_the_bucket_serves_them(
    app, media_storage, monkeypatch, s3_endpoint
):
    """MEDIA_URL_MODE=direct: pages link the bucket (or a CDN) itself, which answers with the
    same year-long cache the app's /media view sends."""
    base = f"{s3_endpoint}/{media_storage.bucket}"
    make_readable_by_anyone(media_storage)
    monkeypatch.setitem(app.config, "MEDIA_URL_MODE", "direct")
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_BASE_URL", base + "/")
    product = make_product()
    add_photos(product, [("foto.jpg", photo((400, 300)))])
    db.session.commit()
    [image] = product.images

    with app.test_request_context():
        sources = picture_sources(image)
        html = render_template_string(
            '{% from "macros/images.html" import product_picture %}{{ product_picture(image) }}',
            image=image,
        )

    assert sources.src == f"{base}/{rendition_path(image, 320, 'jpg')}"
    assert f"{base}/{rendition_path(image, 160, 'webp')} 160w" in html
    with urllib.request.urlopen(sources.src) as answer:  # noqa: S310 (the test's own server)
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert cache_directives(answer.headers["Cache-Control"]) == YEAR_LONG
        assert answer.read() == media_storage.read(rendition_path(image, 320, "jpg"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": ""}, "MEDIA_S3_BUCKET"),
        ({"MEDIA_URL_MODE": "cdn"}, "MEDIA_URL_MODE"),
        ({"MEDIA_URL_MODE": "direct", "MEDIA_PUBLIC_BASE_URL": ""}, "MEDIA_PUBLIC_BASE_URL"),
    ],
)
def test_media_settings_that_cannot_work_stop_the_app_from_starting(settings, message):
    with pytest.raises(RuntimeError, match=message):
        create_app(TestConfig, **settings)
