"""Pasar Koperasi: create_app() is the table of contents of the application."""

import logging
import os
from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, check_service_urls
from shop.app_class import ShopFlask
from shop.media.storage import check_media_settings

# Each of these packages has a views.py defining `bp`.
FEATURES_WITH_PAGES = (
    "core", "catalog", "search", "cart", "media", "accounts",
    "coops", "operator", "seo", "payments", "checkout", "orders",
    "fulfilment", "payouts", "reports", "notifications", "jobs", "products",
    "dashboards", "sales", "audit", "reviews", "savings", "shu", "reconciliation",
    "rat", "supervision",
)  # fmt: skip


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = ShopFlask(__name__, instance_path=os.environ.get("INSTANCE_DIR") or None)
    config = config or CONFIGS[os.environ.get("APP_CONFIG", "default")]
    app.config.from_object(config)
    app.config.update(overrides)
    config.check(app.config)
    check_media_settings(app.config)
    check_service_urls(app.config)  # their libraries load at first use: check their URLs now
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXY_HOPS"]:
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from shop.assets import init_assets
    from shop.guards import init_guards
    from shop.jobs.queue import init_queue
    from shop.pagecache import init_page_cache
    from shop.ratelimits import init_rate_limits

    init_guards(app)  # first of the before-request hooks, whatever the order here
    init_assets(app)
    init_queue(app)
    init_page_cache(app)
    init_rate_limits(app)

    from shop.errors import register_error_pages
    from shop.i18n import register_filters
    from shop.page_frame import init_page_frame
    from shop.security import add_security_headers
    from shop.template_context import init_template_context

    register_error_pages(app)
    init_template_context(app)
    register_filters(app)
    init_page_frame(app)  # after the filters: its canonical_url replaces theirs
    add_security_headers(app)
    return app


def _init_extensions(app: Flask) -> None:
    from shop import models  # noqa: F401  (every model registered before the mappers configure)
    from shop.accounts.session import load_user
    from shop.db_events import enable_sqlite_foreign_keys, ping_on_checkout, takes_over_pre_ping
    from shop.extensions import babel, csrf, db, init_migrations, login_manager
    from shop.i18n import RequestCachedDomain, load_locale_data, select_locale_kept
    from shop.kept_keys import install as install_kept_keys
    from shop.visitor_session import VisitorSessionInterface

    app.session_interface = VisitorSessionInterface()
    pings_on_checkout = takes_over_pre_ping(app.config)
    db.init_app(app)
    init_migrations(app, os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    csrf.init_app(app)
    install_kept_keys()  # Flask-WTF's tokens signed with keys derived once
    babel.init_app(app, locale_selector=select_locale_kept)
    babel.domain_instance = RequestCachedDomain()  # what gettext() uses: see its docstring
    load_locale_data(app.config["LANGUAGES"])
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "strong"

    with app.app_context():
        enable_sqlite_foreign_keys(db.engine)
        if pings_on_checkout:
            ping_on_checkout(db.engine)


def _register_blueprints(app: Flask) -> None:
    from shop.lazy_routes import BLUEPRINTS
    from shop.lazy_views import register_lazily

    modules = [f"shop.{feature}.views" for feature in FEATURES_WITH_PAGES]
    modules.append("shop.payouts.iris_webhook")
    if app.config["MIDTRANS_SIMULATOR_ENABLED"]:  # never beside real Midtrans keys
        modules.append("shop.payments.simulator.views")
    if app.config.get("IRIS_SIMULATOR_ENABLED"):  # never beside real Iris keys
        modules.append("shop.payments.simulator.iris_views")
    for module in modules:
        if app.config["LAZY_VIEWS"] and module in BLUEPRINTS:  # imported on first use
            register_lazily(app, module, BLUEPRINTS[module])
        else:
            app.register_blueprint(import_module(module).bp)


def _register_cli(app: Flask) -> None:
    from shop.cli_commands import CommandsOnFirstUse

    commands_on_first_use = CommandsOnFirstUse(app.cli.name)
    for name, command in app.cli.commands.items():  # any a Flask extension added already
        commands_on_first_use.add_command(command, name)
    app.cli = commands_on_first_use
