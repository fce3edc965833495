"""Media storage for the tests: a folder, or a bucket of a real S3 API over HTTP.

The S3 backend is tested against moto's server (ThreadedMotoServer, one per session on a free
port of 127.0.0.1), with the real boto3 client, not a mock of boto3. tests/conftest.py
registers this module as a plugin.

- `media`: this test's own empty storage, of the backend under test: "local" unless
  MEDIA_STORAGE_UNDER_TEST=s3 (then the whole app under test uses S3, from its session app
  on).
- `media_storage`: the same, once with each backend: the tests that must pass on both.
- `stored_keys(storage)`: every key in it.
"""

import os
import tempfile
import uuid

import boto3
import pytest

from shop.media.storage import MediaStorage, storage_for

MEDIA_STORAGE_UNDER_TEST = os.environ.get("MEDIA_STORAGE_UNDER_TEST", "local")
BACKENDS = ("local", "s3")
# moto takes any keys; fixed ones keep the tests away from a developer's real AWS settings.
S3_SETTINGS = {
    "MEDIA_S3_REGION": "us-east-1",
    "MEDIA_S3_ACCESS_KEY_ID": "testing",
    "MEDIA_S3_SECRET_ACCESS_KEY": "testing",
}

if MEDIA_STORAGE_UNDER_TEST not in BACKENDS:
    raise RuntimeError(f"MEDIA_STORAGE_UNDER_TEST must be one of {BACKENDS}")


@pytest.fixture(scope="session")
def s3_endpoint():
    """The address of an S3 API (moto's server) for this session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def new_bucket(endpoint: str) -> dict[str, str]:
    """A fresh, empty bucket; the settings that point the app at it."""
    settings = {"MEDIA_STORAGE": "s3", "MEDIA_S3_ENDPOINT_URL": endpoint, **S3_SETTINGS}
    settings["MEDIA_S3_BUCKET"] = f"media-{uuid.uuid4().hex}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_SETTINGS["MEDIA_S3_REGION"],
        aws_access_key_id=S3_SETTINGS["MEDIA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_SETTINGS["MEDIA_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=settings["MEDIA_S3_BUCKET"])
    return settings


@pytest.fixture(scope="session")
def app_media_settings(request, tmp_path_factory) -> dict[str, str]:
    """The media settings of the session's app: its own folder, or its own bucket."""
    settings = {"MEDIA_STORAGE": "local", "MEDIA_DIR": str(tmp_path_factory.mktemp("media"))}
    if MEDIA_STORAGE_UNDER_TEST == "s3":
        settings.update(new_bucket(request.getfixturevalue("s3_endpoint")))
    return settings


def use_backend(backend: str, request, app, tmp_path, monkeypatch) -> MediaStorage:
    """Point the app at a new empty storage of this backend until the test ends."""
    folder = tempfile.mkdtemp(prefix="media-", dir=tmp_path)
    settings = {"MEDIA_STORAGE": "local", "MEDIA_DIR": folder}
    if backend == "s3":
        settings.update(new_bucket(request.getfixturevalue("s3_endpoint")))
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    return storage_for(app)


@pytest.fixture
def media(request, app, tmp_path, monkeypatch) -> MediaStorage:
    return use_backend(MEDIA_STORAGE_UNDER_TEST, request, app, tmp_path, monkeypatch)


@pytest.fixture(params=BACKENDS)
def media_storage(request, app, tmp_path, monkeypatch) -> MediaStorage:
    return use_backend(request.param, request, app, tmp_path, monkeypatch)


def stored_keys(storage: MediaStorage) -> set[str]:
    return {stored.key for stored in storage.list("")}
