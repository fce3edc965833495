"""sitemap.xml (an index of smaller sitemaps) and robots.txt."""

from flask import Blueprint, abort, render_template, url_for

from shop.auth.policy import public
from shop.seo import services

bp = Blueprint("seo", __name__)

XML = {"Content-Type": "application/xml; charset=utf-8"}


@bp.route("/sitemap.xml")
@public
def sitemap_index():
    files = [url_for("seo.sitemap_pages")] + [
        url_for("seo.sitemap_products", chunk=chunk)
        for chunk in range(services.sitemap_chunk_count())
    ]
    return render_template("seo/sitemap_index.xml", files=files), 200, XML


@bp.route("/sitemap-halaman.xml")
@public
def sitemap_pages():
    entries = [(path, None) for path in services.page_entries()]
    return render_template("seo/sitemap.xml", entries=entries), 200, XML


@bp.route("/sitemap-produk-<int:chunk>.xml")
@public
def sitemap_products(chunk: int):
    if chunk >= services.sitemap_chunk_count():
        abort(404)
    entries = services.product_entries(chunk)
    return render_template("seo/sitemap.xml", entries=entries), 200, XML


@bp.route("/robots.txt")
@public
def robots():
    body = render_template(
        "seo/robots.txt", sitemap=services.absolute_url(url_for("seo.sitemap_index"))
    )
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}
