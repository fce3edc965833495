"""GET (and HEAD) /media/<path>: the media files, streamed from the storage (a folder or a
bucket, shop/media/storage.py).

With MEDIA_URL_MODE=app pages link here; with MEDIA_URL_MODE=direct they link to
MEDIA_PUBLIC_BASE_URL (a proxy serving the folder, the bucket, or a CDN), and this route is
only a fallback origin. Either way a photo's files carry the same year-long Cache-Control.
It also gives templates the photo helpers of shop/catalog/images.py.
"""

from pathlib import PurePosixPath

from flask import Blueprint, Response, abort, request

from shop.auth.policy import public
from shop.catalog.images import is_fingerprinted, picture_sources
from shop.media.storage import ONE_YEAR_SECONDS, MediaNotFound, media_storage

bp = Blueprint("media", __name__)
bp.add_app_template_global(picture_sources, "product_picture_sources")

ONE_HOUR = 60 * 60  # files without a content hash in their name may still change
SERVED_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@bp.route("/media/<path:filename>")
@public
def serve(filename: str):
    mimetype = SERVED_TYPES.get(PurePosixPath(filename).suffix.lower())
    if mimetype is None:
        abort(404)
    try:
        # Refuses keys that leave the media root or name hidden files (work in progress).
        opened = media_storage().open(filename)
    except MediaNotFound:
        abort(404)
    response = Response(opened.chunks, mimetype=mimetype, direct_passthrough=True)
    response.call_on_close(opened.close)
    response.content_length = opened.size
    response.last_modified = opened.modified
    response.set_etag(opened.etag)
    is_immutable = is_fingerprinted(filename)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR_SECONDS if is_immutable else ONE_HOUR
    if is_immutable:
        response.cache_control.immutable = True
    # Answers If-None-Match / If-Modified-Since with 304 (and closes the file unread).
    return response.make_conditional(request)
