"""The storefront: cooperative, member, category and product pages."""

from functools import cache

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from shop.auth.policy import public
from shop.catalog import profiles, storefront
from shop.catalog.addresses import category_path, external_product_url
from shop.catalog.card_html import product_grid_html
from shop.catalog.images import rendition_url, rendition_widths
from shop.catalog.member_links import member_links_html
from shop.catalog.product_html import product_content_html
from shop.catalog.product_page import product_page
from shop.i18n import current_language
from shop.money import format_rupiah
from shop.pagecache import cached_page
from shop.pagination import parse_page_number
from shop.reviews.queries import product_reviews
from shop.search.listing import list_products
from shop.search.services import FilterChoices, filter_categories, ordered_categories
from shop.seo.services import absolute_url
from shop.seo.structured_data import product_data
from shop.whatsapp import chat_url, share_url

bp = Blueprint("catalog", __name__)
bp.add_app_template_global(product_grid_html, "product_grid_html")
bp.add_app_template_global(member_links_html, "member_links_html")
bp.add_app_template_global(category_path, "category_path")


def _page_number() -> int:
    return parse_page_number(request.args.get("page"))


SHARE_IMAGE_WIDTH = 640


@bp.route("/koperasi/<coop_slug>")
@public
@cached_page
def cooperative(coop_slug: str):
    coop, members = profiles.cooperative_with_members(coop_slug) or abort(404)
    choices = FilterChoices(categories=filter_categories(), cooperatives=[])
    return render_template(
        "catalog/cooperative.html",
        coop=coop,
        members=members,
        listing=list_products(request.args, choices, fixed={"cooperative": coop.slug}),
        chat_link=chat_url(coop.whatsapp, _("Hello %(coop)s, ", coop=coop.name)),
    )


@bp.route("/koperasi/<coop_slug>/umkm/<member_number>")
@public
@cached_page
def member(coop_slug: str, member_number: str):
    maker = profiles.find_member(coop_slug, member_number) or abort(404)
    choices = FilterChoices(categories=filter_categories(), cooperatives=[])
    fixed = {"cooperative": maker.cooperative.slug, "member_id": maker.id}
    return render_template(
        "catalog/member.html",
        coop=maker.cooperative,
        maker=maker,
        listing=list_products(request.args, choices, fixed=fixed),
        chat_link=chat_url(maker.whatsapp, _("Hello %(name)s, ", name=maker.display_name)),
    )


@bp.route("/kategori/<slug>")
@public
@cached_page
def category(slug: str):
    lists = storefront.catalog_lists()
    tree = lists.categories
    found = storefront.find_category(tree, slug) or abort(404)
    choices = FilterChoices(categories=ordered_categories(tree), cooperatives=lists.cooperatives)
    return render_template(
        "catalog/category.html",
        category=found,
        tree=tree,
        listing=list_products(request.args, choices, fixed={"category": found.slug}),
    )


@cache
def _chat_text(language: str) -> str:
    """The message a chat with the maker starts with, translated once a process for each
    language (the request's language is `language`); without variables Flask-Babel returns
    it unformatted, and the view puts them in as its % would."""
    return _("Hello, I am interested in %(product)s: %(url)s")


def share_image_url(item) -> str | None:
    """The photo a WhatsApp or Facebook preview shows: the first one, up to 640 px."""
    if not item.images:
        return None
    image = item.images[0]
    widths = [width for width in rendition_widths(image) if width <= SHARE_IMAGE_WIDTH]
    if not image.rendition_key or not widths:
        return None
    return absolute_url(rendition_url(image, widths[-1], "jpg"))


@bp.route("/produk/<slug>")
@public
@cached_page
def product(slug: str):
    shown = product_page(slug) or abort(404)
    item = shown.product
    url = external_product_url(item.slug)
    lowest = min(variant.price for variant in item.variants)
    og_image = share_image_url(item)
    reviews = product_reviews(item, _page_number())
    chat_link = chat_url(
        item.member.whatsapp, _chat_text(current_language()) % {"product": item.name, "url": url}
    )
    share_link = share_url(f"{item.name} – {format_rupiah(lowest)} {url}")
    return render_template(
        "catalog/product.html",
        product=item,
        og_image=og_image,
        lowest_price=lowest,
        structured_data=product_data(item, og_image, reviews.page.items if reviews else None),
        content=product_content_html(item, reviews, shown.related, chat_link, share_link),
    )
