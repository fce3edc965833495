"""Fingerprinted static files: /assets/css/site.3f9a1c2b7d.css, cacheable for a year.

Each file's name carries a hash of its content, computed once at start-up, so a changed
file gets a new URL and browsers may keep every version forever without asking again.
Templates call asset_url("css/site.css"). Flask's plain /static/ keeps working for
anything that must have a stable address.
"""

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for

from shop.auth.policy import public

bp = Blueprint("assets", __name__)

ONE_YEAR = 365 * 24 * 60 * 60


def _fingerprinted(relative: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:10]
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def build_manifest(static_folder: str) -> dict[str, str]:
    """{"css/site.css": "css/site.3f9a1c2b7d.css", ...} for every file under static/."""
    root = Path(static_folder)
    manifest = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            manifest[relative] = _fingerprinted(relative, path.read_bytes())
    return manifest


def init_assets(app: Flask) -> None:
    manifest = build_manifest(app.static_folder)
    app.extensions["asset_manifest"] = manifest
    app.extensions["asset_sources"] = {hashed: plain for plain, hashed in manifest.items()}
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)


def asset_url(filename: str) -> str:
    hashed = current_app.extensions["asset_manifest"].get(filename)
    if hashed is None:
        raise KeyError(f"no static file {filename!r}")
    return url_for("assets.serve", filename=hashed)


@bp.route("/assets/<path:filename>")
@public
def serve(filename: str):
    source = current_app.extensions["asset_sources"].get(filename) or abort(404)
    response = send_from_directory(current_app.static_folder, source, max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
