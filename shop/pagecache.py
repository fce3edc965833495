"""A short-lived cache of rendered storefront pages for anonymous shoppers.

Only pages that are the same for every anonymous visitor are cached: GET, nobody signed in,
no flash message waiting, no guest cart in the session (the header shows its count).
The key holds the language, the full path and a catalog version; any commit that touches
the catalog (products, variants, images, cooperatives, members, categories) bumps the
version, so a price or stock change is visible on the next request, and the short lifetime
bounds what a bulk UPDATE that bypasses the ORM could leave stale. The cart and checkout
are never cached.

Forms on cached pages keep their CSRF protection: the page is stored with a placeholder
where the token goes, and each response gets the visitor's own token: for a visitor with no
session, a stateless one (shop/anonymous_forms.py), so viewing a page never starts a session.

A hit costs one round trip to the cache: the page is stored with the catalog version it was
rendered at, and read together with the current version (get_many: one MGET in Redis).
Anonymous visitors without cookies are served by shop/pagecache_hits.py before Flask.
"""

import logging
import warnings
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_caching import Cache
from flask_login.config import COOKIE_NAME
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.anonymous_forms import token_for_visitor
from shop.cart.guest import SESSION_KEY as GUEST_CART_KEY
from shop.i18n import select_locale

logger = logging.getLogger(__name__)

cache = Cache()

TOKEN_PLACEHOLDER = "__csrf_token_for_this_visitor__"
VERSION_KEY = "catalog-version"
# Session keys that make a page personal (Flask-Login's user id, flashes, the guest cart).
PERSONAL_SESSION_KEYS = ("_user_id", "_flashes", GUEST_CART_KEY)
CATALOG_TABLES = frozenset(
    {"products", "product_variants", "product_images", "cooperatives", "memberships", "categories"}
)


def init_page_cache(app: Flask) -> None:
    from shop.pagecache_hits import PageCacheHits

    configure_backend(app)
    app.wsgi_app = PageCacheHits(app.wsgi_app, app)
    # Flask-WTF offers csrf_token() both as a global and from a context processor; ours,
    # registered after it, wins in both places.
    app.jinja_env.globals["csrf_token"] = csrf_token_for_page
    app.context_processor(lambda: {"csrf_token": csrf_token_for_page})


def configure_backend(app: Flask) -> None:
    """Memory, Redis or nothing, from PAGE_CACHE_SECONDS and REDIS_URL."""
    seconds = app.config["PAGE_CACHE_SECONDS"]
    if seconds <= 0:
        cache_type = "NullCache"
    elif app.config["REDIS_URL"]:
        cache_type = "RedisCache"
    else:
        cache_type = "SimpleCache"
    with warnings.catch_warnings():  # NullCache is our way of saying "off", not a mistake
        warnings.filterwarnings("ignore", message=".*NullCache.*")
        _init_cache(app, cache_type, seconds)


def _init_cache(app: Flask, cache_type: str, seconds: int) -> None:
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": cache_type,
            "CACHE_DEFAULT_TIMEOUT": seconds,
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            # The site's address in the key: two deployments sharing one Redis database
            # (staging and production, say) never serve each other's pages.
            "CACHE_KEY_PREFIX": f"pasar:{app.config['SITE_URL']}:",
            "CACHE_THRESHOLD": 2000,  # pages kept in memory per process (SimpleCache)
        },
    )


def csrf_token_for_page() -> str:
    """The CSRF token in templates: a placeholder while rendering a page for the cache; on
    the cacheable pages, the visitor's token (anonymous while they have no session)."""
    if g.get("rendering_for_cache"):
        return TOKEN_PLACEHOLDER
    return token_for_visitor() if g.get("cacheable_page") else generate_csrf()


def page_key(locale: str, full_path: str) -> str:
    return f"page:{locale}:{full_path}"


def read_page(key: str) -> tuple[int, str | None]:
    """The catalog version and the page stored under `key` if it is of that version, in one
    round trip to the cache."""
    version, stored = cache.get_many(VERSION_KEY, key)
    version = version or 0
    if stored is not None and stored[0] == version:
        return version, stored[1]
    return version, None


def _is_personal() -> bool:
    # A "remember me" cookie signs the visitor in on their next uncached request.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
    return remembered or any(key in session for key in PERSONAL_SESSION_KEYS)


def catalog_version() -> int:
    return cache.get(VERSION_KEY) or 0


def bump_catalog_version() -> None:
    """Make every cached page stale (called after a commit that changed the catalog)."""
    if not cache.add(VERSION_KEY, 1, timeout=0):
        try:
            cache.inc(VERSION_KEY)
        except Exception:  # a cache that cannot count still gets a fresh, unique-enough value
            cache.set(VERSION_KEY, catalog_version() + 1, timeout=0)


def cached_page(view: Callable) -> Callable:
    """Serve this view from the page cache when the visitor is anonymous (see module doc)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.cacheable_page = True
        if (
            current_app.config["PAGE_CACHE_SECONDS"] <= 0
            or request.method != "GET"
            or _is_personal()
        ):
            return view(*args, **kwargs)
        key = page_key(select_locale(), request.full_path)
        version, html = read_page(key)
        state = "hit"
        if html is None:
            state = "miss"
            g.rendering_for_cache = True
            response = make_response(view(*args, **kwargs))
            g.rendering_for_cache = False
            if response.status_code != 200 or response.mimetype != "text/html":
                return _with_tokens(response)
            html = response.get_data(as_text=True)
            cache.set(key, (version, html))
        response = make_response(_with_visitor_token(html))
        response.headers["X-Page-Cache"] = state
        return response

    return wrapper


def _with_tokens(response):
    """A response rendered for the cache but not stored: give it the real token."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        response.set_data(_with_visitor_token(response.get_data(as_text=True)))
    return response


def _with_visitor_token(html: str) -> str:
    if TOKEN_PLACEHOLDER not in html:
        return html
    return html.replace(TOKEN_PLACEHOLDER, token_for_visitor())


def _catalog_touched(session_: Session) -> bool:
    for instance in (*session_.new, *session_.dirty, *session_.deleted):
        if getattr(instance, "__tablename__", None) in CATALOG_TABLES:
            return True
    return False


@event.listens_for(Session, "after_flush")
def _remember_catalog_change(session_: Session, flush_context) -> None:
    if _catalog_touched(session_):
        session_.info["catalog_changed"] = True


@event.listens_for(Session, "after_commit")
def _invalidate_after_commit(session_: Session) -> None:
    if session_.info.pop("catalog_changed", False):
        try:
            bump_catalog_version()
        except RuntimeError:  # no app context (a script using the models directly)
            logger.debug("catalog changed outside an app context; cache left to expire")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session_: Session) -> None:
    session_.info.pop("catalog_changed", None)
