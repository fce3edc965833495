"""What search engines and link previews read: canonical addresses and the sitemap."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from sqlalchemy import func, select

from shop.catalog.listing import on_sale
from shop.catalog.models import Category, Product
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.pagination import parse_page_number

# Products per sitemap file; the protocol allows 50,000, smaller files are cheaper to make.
PRODUCTS_PER_SITEMAP = 10_000


def absolute_url(path: str) -> str:
    """An address on the public site (SITE_URL), whatever host the request came through."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def canonical_url() -> str:
    """This page's one address: the route and its page number, no other query arguments."""
    if request.endpoint is None or request.url_rule is None:
        return absolute_url(request.path)
    page = parse_page_number(request.args.get("page"))
    extra = {"page": page} if page > 1 else {}
    return absolute_url(url_for(request.endpoint, **(request.view_args or {}), **extra))


@dataclass(frozen=True)
class SitemapEntry:
    path: str


def sitemap_chunk_count() -> int:
    """Product sitemaps cut by id range, so each is one indexed range scan."""
    highest = db.session.scalar(select(func.max(Product.id))) or 0
    return highest // PRODUCTS_PER_SITEMAP + 1


def page_entries() -> list[str]:
    """Home, categories, cooperatives and members: the pages that are not products."""
    paths = [url_for("core.home")]
    paths += [
        url_for("catalog.category", slug=slug)
        for slug in db.session.scalars(select(Category.slug).order_by(Category.position))
    ]
    coops = db.session.execute(
        select(Cooperative.id, Cooperative.slug).where(Cooperative.is_active.is_(True))
    ).all()
    paths += [url_for("catalog.cooperative", coop_slug=slug) for _, slug in coops]
    slug_of = dict(coops)
    members = db.session.execute(
        select(Membership.cooperative_id, Membership.member_number).where(
            Membership.is_active.is_(True), Membership.cooperative_id.in_(slug_of)
        )
    ).all()
    paths += [
        url_for("catalog.member", coop_slug=slug_of[coop_id], member_number=number)
        for coop_id, number in members
    ]
    return paths


def product_entries(chunk: int) -> list[tuple[str, str]]:
    """(path, last modified date) of products on sale with ids in this chunk's range."""
    low, high = chunk * PRODUCTS_PER_SITEMAP, (chunk + 1) * PRODUCTS_PER_SITEMAP
    rows = db.session.execute(
        on_sale()
        .where(Product.id >= low, Product.id < high)
        .with_only_columns(Product.slug, Product.updated_at)
        .order_by(Product.id)
    ).all()
    return [
        (url_for("catalog.product", slug=slug), updated.date().isoformat())
        for slug, updated in rows
    ]
