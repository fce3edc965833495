"""The baseline for the throughput benchmark: Flask with one view that returns a fixed page.

    BARE_PAGE_FILE=bench/results/category.html .venv/bin/gunicorn -w 2 \
        --chdir bench -b 127.0.0.1:8101 'bare_app:app'

The page is read once at start-up from BARE_PAGE_FILE (throughput.py saves the category
page it is compared with there, so both send the same bytes), or is BARE_PAGE_SIZE bytes of
filler. BARE_PAGES_FILE instead names a JSON object of path -> file (storefront_ratios.py):
each path gets its own page's bytes. The headers resemble the real app's (content type, the
security headers), so the difference measured is the app's work, not the size of the response.
"""

import argparse
import json
import os
from pathlib import Path

from flask import Flask, Response, request

DEFAULT_SIZE = 20_000  # bytes, when no file is given

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def load_page() -> bytes:
    path = os.environ.get("BARE_PAGE_FILE")
    if path:
        return Path(path).read_bytes()
    size = int(os.environ.get("BARE_PAGE_SIZE", DEFAULT_SIZE))
    filler = b"<p>Keripik singkong balado dari koperasi.</p>\n"
    body = (filler * (size // len(filler) + 1))[: max(0, size - 40)]
    return b"<!doctype html><html><body>" + body + b"</body></html>"


def load_pages() -> dict[str, bytes]:
    path = os.environ.get("BARE_PAGES_FILE")
    if not path:
        return {}
    return {
        page: Path(file).read_bytes() for page, file in json.loads(Path(path).read_text()).items()
    }


PAGE = load_page()
PAGES = load_pages()
app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def static_page(path: str) -> Response:
    response = Response(PAGES.get(request.path, PAGE), mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    return response


if __name__ == "__main__":  # Flask's development server, to look at the page by hand
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8101)
    app.run(port=parser.parse_args().port)
