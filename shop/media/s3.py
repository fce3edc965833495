"""Media in a bucket of an S3-compatible object store (AWS S3, MinIO, Cloudflare R2, Wasabi...),
through boto3. Only shop/media/storage.py builds it (MEDIA_STORAGE=s3).

Objects are uploaded with a year-long immutable Cache-Control: each key is written once (a
photo's folder is new for every upload), so a CDN or browser in front of the bucket
(MEDIA_URL_MODE=direct) may keep them as long as the app's /media view lets it.
"""

from collections.abc import Iterable

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from shop.media.storage import (
    CHUNK_BYTES,
    IMMUTABLE_CACHE_CONTROL,
    MediaNotFound,
    MediaStorage,
    OpenedFile,
    StoredFile,
    check_key,
)

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
DELETE_BATCH = 1000  # the most DeleteObjects takes at once
# (connect, read) seconds and retries: a stalled store must not hold a web worker for long.
CLIENT_SETTINGS = BotoConfig(
    connect_timeout=3, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"}
)


class S3Storage(MediaStorage):
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config) -> "S3Storage":
        # Empty keys fall back to boto3's own chain (AWS_ACCESS_KEY_ID, an instance role...).
        client = boto3.client(
            "s3",
            endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL") or None,
            region_name=config.get("MEDIA_S3_REGION") or None,
            aws_access_key_id=config.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            config=CLIENT_SETTINGS,
        )
        return cls(client, config["MEDIA_S3_BUCKET"])

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl=IMMUTABLE_CACHE_CONTROL,
        )

    def read(self, key: str) -> bytes:
        opened = self.open(key)
        try:
            return b"".join(opened.chunks)
        finally:
            opened.close()

    def open(self, key: str) -> OpenedFile:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            raise _not_found_or(error, key) from error
        body = answer["Body"]
        return OpenedFile(
            chunks=body.iter_chunks(CHUNK_BYTES),
            size=answer["ContentLength"],
            modified=answer["LastModified"],
            etag=answer["ETag"].strip('"'),
            close=body.close,
        )

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except MediaNotFound:
            return False
        except ClientError as error:
            if _is_missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = [check_key(key) for key in keys]
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            if answer.get("Errors"):
                refused = answer["Errors"][:3]
                raise RuntimeError(f"the bucket {self.bucket} kept objects: {refused}")

    def list(self, prefix: str) -> list[StoredFile]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return [
            StoredFile(item["Key"], item["LastModified"])
            for page in pages
            for item in page.get("Contents", [])
        ]


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING_CODES


def _not_found_or(error: ClientError, key: str) -> Exception:
    return MediaNotFound(key) if _is_missing(error) else error
