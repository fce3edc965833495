"""GET (and HEAD) /media/<path>: the photos stored under MEDIA_DIR.

In production the proxy (nginx, Caddy) or a CDN serves MEDIA_DIR itself, with the same
Cache-Control headers, and this route is only its origin; here it serves the embedded default
and the tests. It also gives templates the photo helpers of shop/catalog/images.py.
"""

from pathlib import PurePosixPath

from flask import Blueprint, abort, current_app, send_from_directory

from shop.auth.policy import public
from shop.catalog.images import is_fingerprinted, picture_sources

bp = Blueprint("media", __name__)
bp.add_app_template_global(picture_sources, "product_picture_sources")

ONE_YEAR = 365 * 24 * 60 * 60
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
    # Hidden names are work in progress (a photo being written, a demo reset's stash).
    if mimetype is None or any(part.startswith(".") for part in filename.split("/")):
        abort(404)
    is_immutable = is_fingerprinted(filename)
    # send_from_directory refuses paths that leave the folder (404) and answers
    # If-None-Match / If-Modified-Since with 304.
    response = send_from_directory(
        current_app.config["MEDIA_DIR"],
        filename,
        mimetype=mimetype,
        max_age=ONE_YEAR if is_immutable else ONE_HOUR,
    )
    response.cache_control.public = True
    if is_immutable:
        response.cache_control.immutable = True
    return response
