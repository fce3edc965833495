"""Where media files live: one small interface, two backends, chosen by MEDIA_STORAGE.

"local" keeps them in a folder (MEDIA_DIR, the embedded default); "s3" in a bucket of any
S3-compatible object store (shop/media/s3.py). Everything that writes, reads, lists or deletes
media goes through media_storage(): photo uploads and their renditions, the nightly clean-up,
the demo seed, the /media view. Keys are relative POSIX paths ("products/7/<key>/640.webp").

Every file is written once under a name that never holds anything else (a photo's folder is
new for each upload), so each may be cached for a year. media_url() gives its address:
through the app's /media view (MEDIA_URL_MODE=app), or under MEDIA_PUBLIC_BASE_URL
(MEDIA_URL_MODE=direct: the bucket's public address or a CDN in front of it).
"""

import os
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g, url_for

from shop.url_quote import quote

ONE_YEAR_SECONDS = 365 * 24 * 60 * 60
IMMUTABLE_CACHE_CONTROL = f"public, max-age={ONE_YEAR_SECONDS}, immutable"
CHUNK_BYTES = 64 * 1024
URL_MODES = ("app", "direct")


class MediaNotFound(LookupError):
    """No file under this key (or a key that could never name one)."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    modified: datetime  # UTC


@dataclass
class OpenedFile:
    """A file being read: its bytes in chunks, closed by whoever serves them."""

    chunks: Iterator[bytes]
    size: int
    modified: datetime
    etag: str
    close: Callable[[], None] = field(repr=False)


def check_key(key: str) -> str:
    """The key itself, or MediaNotFound for one that could leave the media root or name a
    hidden file (work in progress: a file being written)."""
    # Split by hand: PurePosixPath would tidy "a/./b" and "a//b" into keys they are not.
    if (
        "\\" in key
        or "\x00" in key
        or any(not part or part.startswith(".") for part in key.split("/"))
    ):
        raise MediaNotFound(key)
    return key


class MediaStorage(ABC):
    """A flat store of files by key. Writes are atomic: a reader sees the whole file or none."""

    @abstractmethod
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def read(self, key: str) -> bytes:
        """The file's bytes; MediaNotFound when there is none."""

    @abstractmethod
    def open(self, key: str) -> OpenedFile:
        """The file to stream; MediaNotFound when there is none."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""

    @abstractmethod
    def list(self, prefix: str) -> list[StoredFile]:
        """Every file whose key starts with prefix, in key order."""

    def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.delete(key)


class LocalStorage(MediaStorage):
    """Files in a folder. Each is written under a hidden name, then renamed into place."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        incoming = path.with_name(f".{path.name}-{secrets.token_hex(4)}")
        try:
            incoming.write_bytes(data)
            incoming.replace(path)
        finally:
            incoming.unlink(missing_ok=True)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise MediaNotFound(key) from error

    def open(self, key: str) -> OpenedFile:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise MediaNotFound(key) from error
        status = os.fstat(handle.fileno())
        return OpenedFile(
            chunks=iter(lambda: handle.read(CHUNK_BYTES), b""),
            size=status.st_size,
            modified=datetime.fromtimestamp(status.st_mtime, UTC),
            etag=f"{status.st_mtime_ns:x}-{status.st_size:x}",
            close=handle.close,
        )

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except MediaNotFound:
            return False

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        self._remove_empty_folders(path.parent)

    def _remove_empty_folders(self, folder: Path) -> None:
        # Folders are made by save() as needed; left empty they would pile up.
        while folder != self.root and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty, or already gone
                return
            folder = folder.parent

    def list(self, prefix: str) -> list[StoredFile]:
        # Only the folder the prefix is in is walked: the seed lists products/ of a big demo.
        start = self.root / prefix.rpartition("/")[0]
        if not start.is_dir():
            return []
        found = []
        for path in start.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix) and path.is_file() and not _is_hidden(key):
                modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                found.append(StoredFile(key, modified))
        return sorted(found, key=lambda stored: stored.key)


def _is_hidden(key: str) -> bool:
    return any(part.startswith(".") for part in key.split("/"))


def media_storage() -> MediaStorage:
    """The current app's storage, built once per app and again when its settings change
    (the tests point each test at its own folder or bucket)."""
    return storage_for(current_app)


def storage_for(app: Flask) -> MediaStorage:
    settings = _storage_settings(app.config)
    cached = app.extensions.get("media_storage")
    if cached is None or cached[0] != settings:
        cached = (settings, _build(app.config))
        app.extensions["media_storage"] = cached
    return cached[1]


def _storage_settings(config) -> tuple:
    return tuple(
        config.get(name)
        for name in (
            "MEDIA_STORAGE",
            "MEDIA_DIR",
            "MEDIA_S3_BUCKET",
            "MEDIA_S3_ENDPOINT_URL",
            "MEDIA_S3_REGION",
            "MEDIA_S3_ACCESS_KEY_ID",
        )
    )


def _build(config) -> MediaStorage:
    kind = config.get("MEDIA_STORAGE", "local")
    if kind == "local":
        return LocalStorage(config["MEDIA_DIR"])
    if kind == "s3":
        from shop.media.s3 import S3Storage  # boto3 is only imported when it is used

        return S3Storage.from_config(config)
    raise RuntimeError(f'MEDIA_STORAGE must be "local" or "s3", not {kind!r}.')


def check_media_settings(config) -> None:
    """Refuse to start with media settings that cannot work (raised by create_app)."""
    if config.get("MEDIA_STORAGE", "local") not in ("local", "s3"):
        raise RuntimeError('MEDIA_STORAGE must be "local" or "s3".')
    if config.get("MEDIA_STORAGE") == "s3" and not config.get("MEDIA_S3_BUCKET"):
        raise RuntimeError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET.")
    mode = config.get("MEDIA_URL_MODE", "app")
    if mode not in URL_MODES:
        raise RuntimeError('MEDIA_URL_MODE must be "app" or "direct".')
    if mode == "direct" and not config.get("MEDIA_PUBLIC_BASE_URL"):
        raise RuntimeError("MEDIA_URL_MODE=direct needs MEDIA_PUBLIC_BASE_URL.")


def media_url(key: str) -> str:
    """The address of a media file. The prefix is worked out once per request: a listing page
    has about 250 photo URLs, and url_for for each was a tenth of its render time."""
    return media_url_prefix() + quote(key)


def media_url_prefix() -> str:
    """What media_url() puts before the quoted key, for this request."""
    prefix = g.get("media_url_prefix")
    if prefix is None:
        if current_app.config.get("MEDIA_URL_MODE", "app") == "direct":
            prefix = current_app.config["MEDIA_PUBLIC_BASE_URL"].rstrip("/") + "/"
        else:
            prefix = url_for("media.serve", filename="_").removesuffix("_")
        g.media_url_prefix = prefix
    return prefix
