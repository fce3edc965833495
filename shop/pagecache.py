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
It is stored as raw bytes, "p<version>\n" and the encoded page (stored_page()): the cache's
serializer passes such a value through as it is (RawPages), so a hit unpickles nothing,
decodes nothing and encodes nothing, in Redis as in memory.
Anonymous visitors without cookies are served by shop/pagecache_hits.py before Flask.

In Redis (several hosts share it) each process also keeps the pages it read or rendered
(PageStore), so a hit need not fetch 30-40 KB from Redis: it checks the catalog version
only, and for PAGE_CACHE_VERSION_SECONDS after reading it trusts that version without asking
Redis again. A change made by this process is seen by it at once (bump_catalog_version tells
its store); one made by another process or host is seen within that many seconds (0: every
hit asks Redis for the version, one small round trip).
"""

import logging
import pickle
import threading
import time
import warnings
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_caching import Cache
from flask_caching.backends.rediscache import RedisCache
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
PLACEHOLDER_BYTES = TOKEN_PLACEHOLDER.encode()
PAGE_MARK = b"p"  # a stored page's first byte (RawPages)
VERSION_KEY = "catalog-version"
REDIS_PAGES = "shop.pagecache.RedisPages"  # Flask-Caching's CACHE_TYPE for Redis
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
        cache_type = REDIS_PAGES
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
    backend = app.extensions["cache"][cache]
    if hasattr(backend, "serializer"):  # NullCache has none
        backend.serializer = RawPages(backend.serializer)
    app.extensions["page_store"] = PageStore(
        backend,
        keep_locally=cache_type == REDIS_PAGES,
        version_seconds=app.config.get("PAGE_CACHE_VERSION_SECONDS", 0),
    )


class RedisPages(RedisCache):
    """Flask-Caching's Redis cache on our own client (shop/resp_client.py): a web worker
    never imports redis-py for its pages."""

    @classmethod
    def factory(cls, app: Flask, config: dict, args: list, kwargs: dict) -> "RedisPages":
        from shop.resp_client import RespClient

        client = RespClient(config["CACHE_REDIS_URL"])
        return cls(client, *args, key_prefix=config["CACHE_KEY_PREFIX"], **kwargs)


class PageStore:
    """Reads and writes stored pages (stored_page()) with the catalog version.

    When the cache is shared (Redis), the process keeps its own copy of up to LOCAL_PAGES
    pages and the version it last read, trusted for `version_seconds`: a hit then costs no
    round trip, or one for the version alone, instead of fetching the page."""

    LOCAL_PAGES = 300  # ~10 MB of pages per process at most

    def __init__(self, backend, keep_locally: bool, version_seconds: float):
        self.backend = backend
        self.local: dict[str, bytes] | None = {} if keep_locally else None
        self.version_seconds = version_seconds
        self.version: int | None = None
        self.version_read_at = 0.0
        self.lock = threading.Lock()

    def read(self, key: str) -> tuple[int, bytes | None]:
        """The current catalog version and the page under `key` if it is of that version."""
        if self.local is not None:
            return self._read_shared(key)
        version, stored = self.backend.get_many(VERSION_KEY, key)
        version = version or 0
        return version, page_of_version(stored, version)

    def _read_shared(self, key: str) -> tuple[int, bytes | None]:
        version = self.version
        if version is None or time.monotonic() - self.version_read_at >= self.version_seconds:
            version = self.note_version(self.backend.get(VERSION_KEY) or 0)
        body = page_of_version(self.local.get(key), version)
        if body is not None:
            return version, body
        stored = self.backend.get(key)
        body = page_of_version(stored, version)
        if body is not None:
            self._keep(key, stored)
        return version, body

    def write(self, key: str, version: int, body: bytes) -> None:
        stored = stored_page(version, body)
        self.backend.set(key, stored)
        if self.local is not None:
            self._keep(key, stored)

    def note_version(self, version: int) -> int:
        """The catalog version as just read from, or written to, the cache."""
        self.version, self.version_read_at = version, time.monotonic()
        return version

    def _keep(self, key: str, stored: bytes) -> None:
        with self.lock:
            if key not in self.local and len(self.local) >= self.LOCAL_PAGES:
                del self.local[next(iter(self.local))]  # the oldest kept
            self.local[key] = stored


class RawPages:
    """The backend's own serializer, except for stored pages: bytes beginning with PAGE_MARK
    are kept and returned as they are. Nothing else the app caches is such a value (the
    catalog version is an int, everything else goes through the wrapped serializer: Redis's
    pickles start with "!", its ints are digits; SimpleCache pickles everything)."""

    def __init__(self, inner):
        self.inner = inner

    def dumps(self, value, protocol: int = pickle.HIGHEST_PROTOCOL):
        if type(value) is bytes and value.startswith(PAGE_MARK):
            return value
        return self.inner.dumps(value, protocol)

    def loads(self, value):
        if type(value) is bytes and value.startswith(PAGE_MARK):
            return value
        return self.inner.loads(value)


def stored_page(version: int, body: bytes) -> bytes:
    """What the cache keeps for a page: its catalog version and its bytes, in one value."""
    return b"%s%d\n%s" % (PAGE_MARK, version, body)


def page_of_version(stored, version) -> bytes | None:
    """The page's bytes if `stored` (as read from the cache) was rendered at `version`."""
    if type(stored) is not bytes:
        return None
    head = b"%s%d\n" % (PAGE_MARK, version or 0)
    return stored[len(head) :] if stored.startswith(head) else None


def csrf_token_for_page() -> str:
    """The CSRF token in templates: a placeholder while rendering a page for the cache; on
    the cacheable pages, the visitor's token (anonymous while they have no session)."""
    if g.get("rendering_for_cache"):
        return TOKEN_PLACEHOLDER
    return token_for_visitor() if g.get("cacheable_page") else generate_csrf()


def page_key(locale: str, full_path: str) -> str:
    return f"page:{locale}:{full_path}"


def page_store(app: Flask | None = None) -> PageStore:
    return (app or current_app).extensions["page_store"]


def _is_personal() -> bool:
    # A "remember me" cookie signs the visitor in on their next uncached request.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
    return remembered or any(key in session for key in PERSONAL_SESSION_KEYS)


def catalog_version() -> int:
    return cache.get(VERSION_KEY) or 0


def bump_catalog_version() -> None:
    """Make every cached page stale (called after a commit that changed the catalog)."""
    version = 1
    if not cache.add(VERSION_KEY, version, timeout=0):
        try:
            version = cache.inc(VERSION_KEY)
        except Exception:  # a cache that cannot count still gets a fresh, unique-enough value
            version = catalog_version() + 1
            cache.set(VERSION_KEY, version, timeout=0)
    if isinstance(version, int) and "page_store" in current_app.extensions:
        page_store().note_version(version)


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
        store = page_store()
        version, body = store.read(key)
        state = "hit"
        if body is None:
            state = "miss"
            g.rendering_for_cache = True
            response = make_response(view(*args, **kwargs))
            g.rendering_for_cache = False
            if response.status_code != 200 or response.mimetype != "text/html":
                return _with_tokens(response)
            body = response.get_data()
            store.write(key, version, body)
        response = make_response(_with_visitor_token(body))
        response.headers["X-Page-Cache"] = state
        return response

    return wrapper


def _with_tokens(response):
    """A response rendered for the cache but not stored: give it the real token."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        response.set_data(_with_visitor_token(response.get_data()))
    return response


def _with_visitor_token(body: bytes) -> bytes:
    if PLACEHOLDER_BYTES not in body:
        return body
    return body.replace(PLACEHOLDER_BYTES, token_for_visitor().encode())


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
