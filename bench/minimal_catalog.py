"""The yardstick for uncached storefront pages: the least a Flask catalog can do to show the
same listings, on the same database, so that storefront_ratios.py can compare the app with it
in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pasar_bench_10k \
        .venv/bin/gunicorn -w 2 --chdir bench -b 127.0.0.1:8110 'minimal_catalog:app'

Flask + Flask-SQLAlchemy + Jinja, nothing else: no sessions, no translations, no page cache.
  - /kategori/<slug>: the 24 newest active products of a category and its subcategories,
    each with its category and seller joined and its lowest price; a count query and a page
    query (plus the category by slug: 3 queries); a base template of about 10 KB; an
    add-to-cart form on each card.
  - /produk/<slug>: one product with its category and seller, and 4 more by the same seller.
  - /cari?q=: products whose name contains the words (ILIKE), counted and paged the same way.
"""

import os
from datetime import datetime

from flask import Flask, abort, request
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import ForeignKey, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

PER_PAGE = 24
RELATED = 4

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)


class Category(db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None]
    slug: Mapped[str]
    name_en: Mapped[str]


class Member(db.Model):
    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_name: Mapped[str]


class Variant(db.Model):
    __tablename__ = "product_variants"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    price: Mapped[int]


class Product(db.Model):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"))
    name: Mapped[str]
    slug: Mapped[str]
    description: Mapped[str]
    status: Mapped[str]
    created_at: Mapped[datetime]
    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    seller: Mapped[Member] = relationship(lazy="joined", innerjoin=True)


LOWEST_PRICE = (
    select(func.min(Variant.price)).where(Variant.product_id == Product.id).scalar_subquery()
)

_NAV = "".join(
    f'<li><a href="/kategori/kategori-{n}">Kategori nomor {n} pilihan koperasi</a></li>\n'
    for n in range(60)
)
_FOOTER = "<p>Pasar Koperasi menghubungkan pembeli dengan koperasi di seluruh Indonesia.</p>\n"
TEMPLATES = {
    "base.html": """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · Pasar Koperasi</title>
<link rel="stylesheet" href="/static/app.css"></head><body>
<header><a href="/">Pasar Koperasi</a><form action="/cari"><input name="q"
value="{{ request.args.get('q', '') }}"><button>Cari</button></form>
<nav><ul>"""
    + _NAV
    + """</ul></nav></header><main>{% block main %}{% endblock %}</main><footer>"""
    + _FOOTER * 40
    + """</footer></body></html>""",
    "cards.html": """{% macro card(row) %}<li class="product-card">
<a href="/produk/{{ row.Product.slug }}">{{ row.Product.name }}</a>
<p>Rp {{ "{:,}".format(row.price or 0).replace(",", ".") }}</p>
<p>{{ row.Product.category.name_en }} · {{ row.Product.seller.business_name }}</p>
<form method="post" action="/keranjang"><input type="hidden" name="product"
value="{{ row.Product.id }}"><button>Tambah</button></form></li>{% endmacro %}""",
    "list.html": """{% extends "base.html" %}{% from "cards.html" import card %}
{% block title %}{{ title }}{% endblock %}{% block main %}<h1>{{ title }}</h1>
<p>{{ total }} produk</p><ul class="product-grid">{% for row in rows %}{{ card(row) }}
{% endfor %}</ul>{% endblock %}""",
    "product.html": """{% extends "base.html" %}{% from "cards.html" import card %}
{% block title %}{{ product.name }}{% endblock %}{% block main %}<h1>{{ product.name }}</h1>
<p>{{ product.category.name_en }} · {{ product.seller.business_name }}</p>
<p>{{ product.description }}</p><form method="post" action="/keranjang"><input
type="hidden" name="product" value="{{ product.id }}"><button>Tambah</button></form>
<ul class="product-grid">{% for row in related %}{{ card(row) }}{% endfor %}</ul>{% endblock %}""",
}
app.jinja_loader = DictLoader(TEMPLATES)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@app.after_request
def headers(response):
    response.headers.update(SECURITY_HEADERS)
    return response


@app.get("/healthz")
def healthz():
    return "ok"


def listed(*conditions):
    return select(Product, LOWEST_PRICE.label("price")).where(
        Product.status == "active", *conditions
    )


def page_of(*conditions):
    """The count query and the page query."""
    page = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(
        select(func.count()).select_from(Product).where(Product.status == "active", *conditions)
    )
    rows = db.session.execute(
        listed(*conditions)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return total, rows


@app.get("/kategori/<slug>")
def category(slug: str):
    chosen = db.session.scalar(select(Category).where(Category.slug == slug)) or abort(404)
    children = select(Category.id).where(Category.parent_id == chosen.id)
    total, rows = page_of(or_(Product.category_id == chosen.id, Product.category_id.in_(children)))
    return app.jinja_env.get_template("list.html").render(
        title=chosen.name_en, total=total, rows=rows, request=request
    )


@app.get("/produk/<slug>")
def product(slug: str):
    found = db.session.scalar(
        select(Product).where(Product.slug == slug, Product.status == "active")
    ) or abort(404)
    related = db.session.execute(
        listed(Product.member_id == found.member_id, Product.id != found.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(RELATED)
    ).all()
    return app.jinja_env.get_template("product.html").render(
        product=found, related=related, request=request
    )


@app.get("/cari")
def search():
    words = request.args.get("q", "").split()[:8]
    conditions = [Product.name.ilike(f"%{word}%") for word in words]
    total, rows = page_of(*conditions)
    return app.jinja_env.get_template("list.html").render(
        title=" ".join(words), total=total, rows=rows, request=request
    )
