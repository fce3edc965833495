"""Settings for Pasar Koperasi.

Three classes: `Config` (the embedded default: SQLite under instance/, mail printed to the
log, the built-in Midtrans simulator), `TestConfig` (the test suite) and `ProductionConfig`
(PostgreSQL, SMTP, real Midtrans keys, secure cookies). Every secret and every site-specific
URL comes from the environment; `.env.example` names each variable.

`APP_CONFIG` chooses the class when `create_app()` is called without one: `default`
(the embedded default) or `production`.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))

INSECURE_DEV_SECRET = "dev-only-insecure-secret-key"
# The test suite's key for the built-in Midtrans simulator. An installation never uses a fixed
# key: with no MIDTRANS_SERVER_KEY, it makes a random one in instance/midtrans_simulator_key
# (shop/payments/simulator/key.py), so nobody can act on its orders through the simulator.
SIMULATOR_SERVER_KEY = "SB-Mid-server-test-suite"
IRIS_KEYS = ("IRIS_CREATOR_KEY", "IRIS_APPROVER_KEY", "IRIS_MERCHANT_KEY")


def database_url(raw: str) -> str:
    """Point postgres URLs at psycopg 3, the driver we install (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def float_list(raw: str) -> tuple[float, ...]:
    """ "3.05,10" -> (3.05, 10.0)."""
    return tuple(float(part) for part in raw.split(",") if part.strip())


def fee_table(raw: str) -> dict[str, tuple[int, int]]:
    """ "qris=70:0,bank_transfer=0:4440" -> {"qris": (70, 0), ...}: basis points and fixed
    Rupiah per Midtrans payment_type."""
    table = {}
    for item in raw.split(","):
        if item.strip():
            method, _, rate = item.partition("=")
            rate_bp, _, fixed = rate.partition(":")
            table[method.strip()] = (int(rate_bp), int(fixed or 0))
    return table


def rate_limit_storage(redis_url: str) -> str:
    """The rate limits' storage on REDIS_URL: the limits library names a Redis socket
    redis+unix://, where redis-py (the queue, the page cache) takes unix://."""
    if redis_url.startswith("unix://"):
        return "redis+" + redis_url
    return redis_url or "memory://"


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # Signs sessions and tokens. The default is for the embedded demo only.
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_SECRET)

    # Database: an SQLite file under instance/ unless DATABASE_URL is set.
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'pasar.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Uploaded and generated images (product photos and their renditions), behind one
    # storage interface (shop/media/storage.py). MEDIA_STORAGE: "local", a folder (MEDIA_DIR,
    # the embedded default), or "s3", a bucket of any S3-compatible store (MEDIA_S3_*; empty
    # keys fall back to boto3's own chain: AWS_ACCESS_KEY_ID..., an instance role).
    MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
    MEDIA_DIR = os.environ.get("MEDIA_DIR", str(INSTANCE_DIR / "media"))
    MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
    MEDIA_S3_ENDPOINT_URL = os.environ.get("MEDIA_S3_ENDPOINT_URL", "")  # empty: AWS itself
    MEDIA_S3_REGION = os.environ.get("MEDIA_S3_REGION", "")
    MEDIA_S3_ACCESS_KEY_ID = os.environ.get("MEDIA_S3_ACCESS_KEY_ID", "")
    MEDIA_S3_SECRET_ACCESS_KEY = os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY", "")
    # Where pages point for media: "app", the /media view, streaming from the storage; or
    # "direct", MEDIA_PUBLIC_BASE_URL + the key (the bucket's public address, a CDN, or a
    # proxy serving MEDIA_DIR). Both send a year-long immutable Cache-Control for photos.
    MEDIA_URL_MODE = os.environ.get("MEDIA_URL_MODE", "app")
    MEDIA_PUBLIC_BASE_URL = os.environ.get("MEDIA_PUBLIC_BASE_URL", "")
    # Bytes per request; larger ones get the 413 page. A phone sends several 3-8 MB photos in
    # one product form; each photo is also held to 15 MB (shop/catalog/images.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH") or 64 * 1024 * 1024)

    # Languages: Indonesian first, English second.
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    # WTForms' own messages untranslated: it has no Indonesian catalog and its English one
    # says what the messages say, so the text is the same; Flask-WTF would otherwise look the
    # catalog up on disk (and read it, in English) in every request that builds a form.
    WTF_I18N_ENABLED = False

    # Mail: "log" prints each message to the log; "smtp" sends it through MAIL_SERVER.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Pasar Koperasi <noreply@pasar-koperasi.test>")

    # Links in e-mails and WhatsApp messages need an absolute address.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")

    # Account tokens: how long a password-reset link and an invitation stay valid.
    PASSWORD_RESET_MAX_AGE_SECONDS = 60 * 60
    INVITATION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60

    # Midtrans. With no server key, the built-in simulator (shop/payments/simulator) stands in
    # for the gateway under /simulator/midtrans, with a random key made once per installation
    # in instance/midtrans_simulator_key (filled in at start); setting a real sandbox or
    # production key switches it off and talks to Midtrans instead.
    MIDTRANS_SIMULATOR_ENABLED = not os.environ.get("MIDTRANS_SERVER_KEY")
    MIDTRANS_SERVER_KEY = os.environ.get("MIDTRANS_SERVER_KEY", "")
    MIDTRANS_CLIENT_KEY = os.environ.get("MIDTRANS_CLIENT_KEY", "")
    MIDTRANS_IS_PRODUCTION = env_flag("MIDTRANS_IS_PRODUCTION")
    # Where midtransclient is pointed while the simulator is on (its base URLs are replaced).
    MIDTRANS_SIMULATOR_URL = (
        os.environ.get("MIDTRANS_SIMULATOR_URL") or SITE_URL.rstrip("/") + "/simulator/midtrans"
    )
    # Where the simulator POSTs its notifications; real Midtrans takes this from its dashboard.
    MIDTRANS_NOTIFICATION_URL = (
        os.environ.get("MIDTRANS_NOTIFICATION_URL")
        or SITE_URL.rstrip("/") + "/payments/midtrans/notification"
    )
    # Seconds between the simulator's notification retries (Midtrans waits ~2, 10, 30, 90 and
    # 210 minutes); the last one repeats when more retries are due.
    MIDTRANS_SIMULATOR_RETRY_DELAYS = float_list(
        os.environ.get("MIDTRANS_SIMULATOR_RETRY_DELAYS") or "1,2,5"
    )
    # (connect, read) seconds for every call to Midtrans: the library itself sets none, so a
    # stalled gateway would hold a worker forever.
    MIDTRANS_TIMEOUT_SECONDS = float_list(os.environ.get("MIDTRANS_TIMEOUT_SECONDS") or "3.05,10")
    # How long a started payment stays open before Midtrans expires it (Snap "expiry").
    MIDTRANS_EXPIRY_MINUTES = int(os.environ.get("MIDTRANS_EXPIRY_MINUTES") or "1440")
    # What Midtrans charges per payment_type, as basis points:fixed Rupiah, VAT included
    # (MIDTRANS.md §6; your contract wins). Borne by the cooperative, posted at settlement.
    MIDTRANS_FEES = fee_table(
        os.environ.get("MIDTRANS_FEES")
        or "bank_transfer=0:4440,echannel=0:4440,credit_card=290:2000,gopay=222:0,"
        "shopeepay=222:0,qris=70:0,default=0:4440"
    )
    # Days after the ledger posted a payment within which Midtrans must have said it settled
    # it, or the daily reconciliation flags it (shop/reconciliation). Calendar days: the
    # settlement notification itself comes within minutes (a card's the next day); the
    # 3 business days of MIDTRANS.md §6 are until the money can be withdrawn.
    RECONCILIATION_SETTLEMENT_DAYS = int(os.environ.get("RECONCILIATION_SETTLEMENT_DAYS") or "3")
    # How approved payouts reach members' banks (shop/payouts/adapter.py): "manual", the admin
    # transfers and records the reference; "iris", Midtrans Iris transfers them (created with
    # the creator key, approved with the approver key, its notifications settle the ledger).
    PAYOUT_ADAPTER = os.environ.get("PAYOUT_ADAPTER", "manual")
    # Midtrans Iris (MIDTRANS.md §7), used when PAYOUT_ADAPTER is "iris". With no creator key,
    # the built-in Iris simulator (shop/payments/simulator/iris_views.py) stands in for it
    # under /simulator/iris, with keys derived from the installation's simulator key (filled
    # in at start); its page /simulator/iris/payouts completes or fails a transfer.
    IRIS_SIMULATOR_ENABLED = not os.environ.get("IRIS_CREATOR_KEY")
    IRIS_CREATOR_KEY = os.environ.get("IRIS_CREATOR_KEY", "")  # creates payouts
    IRIS_APPROVER_KEY = os.environ.get("IRIS_APPROVER_KEY", "")  # approves them
    IRIS_MERCHANT_KEY = os.environ.get("IRIS_MERCHANT_KEY", "")  # signs the notifications
    IRIS_IS_PRODUCTION = env_flag("IRIS_IS_PRODUCTION")
    # Where the adapter calls Iris: empty means the simulator while it is on, else Midtrans's
    # sandbox or production address by IRIS_IS_PRODUCTION.
    IRIS_BASE_URL = os.environ.get("IRIS_BASE_URL", "")
    # Where the simulator POSTs Iris notifications; real Iris takes it from its dashboard.
    IRIS_NOTIFICATION_URL = (
        os.environ.get("IRIS_NOTIFICATION_URL")
        or SITE_URL.rstrip("/") + "/payouts/iris/notification"
    )
    # (connect, read) seconds for every call to Iris.
    IRIS_TIMEOUT_SECONDS = float_list(os.environ.get("IRIS_TIMEOUT_SECONDS") or "3.05,10")
    # Where courier fees come from (shop/checkout/courier_rates.py): "zones", the rates each
    # cooperative's admin sets per destination zone; a rate API (RajaOngkir, Biteship) may
    # come later.
    SHIPPING_RATES = os.environ.get("SHIPPING_RATES", "zones")
    # The highest fee a cooperative may keep of its members' sales, in percent: the operator's
    # bound on what an admin can set (members must receive most of what they sell for).
    COOP_FEE_MAX_BP = round(float(os.environ.get("COOP_FEE_MAX_PERCENT") or "30") * 100)

    # Background jobs (shop/jobs/queue.py): "sqlite", a queue in a file under instance/ (the
    # embedded default; `make run` starts its consumer); "redis", on REDIS_URL, for consumers
    # on any number of hosts (the production default); "immediate", each task runs at once in
    # the process that queues it (tests). Read by the queue when it is imported, from the
    # environment like everything here.
    TASK_QUEUE = os.environ.get("TASK_QUEUE", "sqlite")
    TASK_QUEUE_PATH = os.environ.get("TASK_QUEUE_PATH", str(INSTANCE_DIR / "tasks.db"))

    # Shared state between processes (rate limits, page cache) when set; in memory otherwise.
    # Production refuses to start without it: each process would count and cache on its own.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = rate_limit_storage(REDIS_URL)
    # The back office's views are imported by a worker on the first request to one of their
    # pages (shop/lazy_views.py: ~6 MB a storefront worker never needs). False: all at start.
    LAZY_VIEWS = True
    # Rendered storefront pages for anonymous shoppers are kept this long (0: no page cache);
    # any catalog change invalidates them sooner. In Redis when REDIS_URL is set.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
    # In Redis, how long a process trusts the catalog version it read before asking again
    # (shop/pagecache.py PageStore): another host's change shows within this; 0: at once,
    # for one small round trip per cached page served.
    PAGE_CACHE_VERSION_SECONDS = float(os.environ.get("PAGE_CACHE_VERSION_SECONDS", "1"))
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Behind a reverse proxy, how many X-Forwarded-* hops to trust (rate limits key on the
    # client's address, and HTTPS detection needs the proxy's word). 0: no proxy.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

    # How many hosts run the app behind the proxy. Photos kept on the local disk (the "local"
    # media storage, MEDIA_DIR) are seen only by the host they were uploaded to, so with more
    # than one host production refuses to start unless MEDIA_SHARED says MEDIA_DIR is storage
    # every host mounts (NFS and the like), or the media go to object storage instead.
    APP_HOSTS = int(os.environ.get("APP_HOSTS") or "1")
    MEDIA_SHARED = env_flag("MEDIA_SHARED")

    # Cookies: HttpOnly and SameSite=Lax always; Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Strict-Transport-Security is only sent when the site is served over HTTPS.
    SEND_HSTS = False

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    @staticmethod
    def check(settings) -> None:
        """Refuse to start with settings that are unsafe for this class (none for the demo)."""


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    MAIL_BACKEND = "memory"
    SITE_URL = "http://localhost"
    MIDTRANS_SIMULATOR_ENABLED = True
    MIDTRANS_SERVER_KEY = SIMULATOR_SERVER_KEY
    MIDTRANS_SIMULATOR_URL = SITE_URL + "/simulator/midtrans"
    MIDTRANS_NOTIFICATION_URL = SITE_URL + "/payments/midtrans/notification"
    MIDTRANS_SIMULATOR_RETRY_DELAYS = (0.05,)
    PAYOUT_ADAPTER = "manual"  # the Iris tests switch to "iris" against a live simulator
    IRIS_SIMULATOR_ENABLED = True
    IRIS_CREATOR_KEY = "IRIS-creator-test-suite"
    IRIS_APPROVER_KEY = "IRIS-approver-test-suite"
    IRIS_MERCHANT_KEY = "IRIS-merchant-test-suite"
    IRIS_BASE_URL = ""
    IRIS_NOTIFICATION_URL = SITE_URL + "/payouts/iris/notification"
    # Tests post forms without tokens; one test switches CSRF on to prove it is enforced.
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # one test builds an app with limits on
    PAGE_CACHE_SECONDS = 0  # tests see every change at once; the cache's own tests switch it on
    PAGE_CACHE_VERSION_SECONDS = 0  # and every instance sees the others' changes at once
    TASK_QUEUE = "immediate"  # tasks run inside the test; the consumer's own tests use real ones
    DEMO_IMAGE_PX = 160  # demo pictures small enough to seed fast; one rendition each


class ProductionConfig(Config):
    TASK_QUEUE = os.environ.get("TASK_QUEUE", "redis")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SEND_HSTS = True
    PREFERRED_URL_SCHEME = "https"
    # Never the simulator in production: its payment page lets anyone mark an order paid.
    # check() refuses to start without MIDTRANS_SERVER_KEY.
    MIDTRANS_SIMULATOR_ENABLED = False
    MIDTRANS_SERVER_KEY = os.environ.get("MIDTRANS_SERVER_KEY", "")
    IRIS_SIMULATOR_ENABLED = False  # check() wants real Iris keys when PAYOUT_ADAPTER is iris

    @staticmethod
    def check(settings) -> None:
        secret = settings.get("SECRET_KEY") or ""
        if secret == INSECURE_DEV_SECRET or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in "
                'production, for example: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        if settings.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
            raise RuntimeError("DATABASE_URL must be set in production (PostgreSQL).")
        if not settings.get("MIDTRANS_SERVER_KEY"):
            raise RuntimeError("MIDTRANS_SERVER_KEY must be set in production (sandbox or live).")
        if settings.get("PAYOUT_ADAPTER") == "iris":
            missing = [name for name in IRIS_KEYS if not settings.get(name)]
            if missing:
                raise RuntimeError(f"PAYOUT_ADAPTER is iris: set {', '.join(missing)}.")
        if not settings.get("REDIS_URL"):
            raise RuntimeError(
                "REDIS_URL must be set in production: without it rate limits, the page cache and "
                "the task queue would each be private to one process."
            )
        hosts = settings.get("APP_HOSTS", 1)
        if settings.get("MEDIA_STORAGE", "local") == "local" and hosts > 1:
            if not settings.get("MEDIA_SHARED"):
                raise RuntimeError(
                    f"APP_HOSTS is {hosts} but media are stored on the local disk (MEDIA_DIR), "
                    "which each host would see alone: set MEDIA_SHARED=1 if MEDIA_DIR is a "
                    "mount every host shares, or store media in object storage (MEDIA_STORAGE)."
                )


TASK_QUEUE_KINDS = ("sqlite", "redis", "immediate")
REDIS_SCHEMES = ("redis", "rediss", "unix")
# The limits library's storages (limits/storage/*.py STORAGE_SCHEME; a test compares).
RATELIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel",
                     "valkey", "valkeys", "valkey+unix", "valkey+cluster", "valkey+sentinel",
                     "memcached", "mongodb", "mongodb+srv")  # fmt: skip


def check_service_urls(settings) -> None:
    """Refuse to start with a TASK_QUEUE, REDIS_URL or RATELIMIT_STORAGE_URI that cannot work.

    Their libraries are imported at first use (the first task queued, the first rate-limited
    POST), so without this a typo would surface there, in a shopper's request. Syntax only:
    nothing imported, nothing connected to."""
    kind = settings.get("TASK_QUEUE", "sqlite")
    if kind not in TASK_QUEUE_KINDS:
        raise RuntimeError(f"TASK_QUEUE must be sqlite, redis or immediate, not {kind!r}.")
    redis_url = settings.get("REDIS_URL") or ""
    if kind == "redis" and not redis_url:
        raise RuntimeError("TASK_QUEUE=redis needs REDIS_URL.")
    if redis_url:
        _check_url("REDIS_URL", redis_url, REDIS_SCHEMES)
    storage = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    _check_url("RATELIMIT_STORAGE_URI", storage, RATELIMIT_SCHEMES)


def _check_url(name: str, url: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or "://" not in url:
        raise RuntimeError(f"{name} must start with one of {', '.join(schemes)} and ://")
    try:
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as error:
        raise RuntimeError(f"{name} has a port that is not a number.") from error
    if parts.scheme in ("redis", "rediss", "valkey", "valkeys"):
        if not parts.hostname:
            raise RuntimeError(f"{name} names no host (redis://host:6379/0).")
        if parts.path.strip("/") and not parts.path.strip("/").isdigit():
            raise RuntimeError(f"{name}: the database after the host must be a number.")


CONFIGS = {"default": Config, "production": ProductionConfig, "test": TestConfig}
