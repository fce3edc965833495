"""Pasar Koperasi: create_app() is the table of contents of the application."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_DIR") or None)
    config = config or CONFIGS[os.environ.get("APP_CONFIG", "default")]
    app.config.from_object(config)
    app.config.update(overrides)
    config.check(app.config)
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
    from shop.pagecache import init_page_cache
    from shop.ratelimits import init_rate_limits

    init_assets(app)
    init_page_cache(app)
    init_rate_limits(app)

    from shop.errors import register_error_pages
    from shop.i18n import register_filters
    from shop.security import add_security_headers

    register_error_pages(app)
    register_filters(app)
    add_security_headers(app)
    return app


def _init_extensions(app: Flask) -> None:
    from shop import models  # noqa: F401  (every model registered before the mappers configure)
    from shop.accounts.session import load_user
    from shop.extensions import babel, csrf, db, login_manager, migrate
    from shop.i18n import select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "strong"

    from shop.db_events import enable_sqlite_foreign_keys

    with app.app_context():
        enable_sqlite_foreign_keys(db.engine)


def _register_blueprints(app: Flask) -> None:
    from shop.accounts.views import bp as accounts_bp
    from shop.cart.views import bp as cart_bp
    from shop.catalog.views import bp as catalog_bp
    from shop.coops.views import bp as coops_bp
    from shop.core.views import bp as core_bp
    from shop.media.views import bp as media_bp
    from shop.operator.views import bp as operator_bp
    from shop.payments.simulator.views import bp as simulator_bp
    from shop.payments.views import bp as payments_bp
    from shop.search.views import bp as search_bp
    from shop.seo.views import bp as seo_bp

    blueprints = (core_bp, catalog_bp, search_bp, cart_bp, media_bp, accounts_bp, coops_bp)
    simulator = (simulator_bp,) if app.config["MIDTRANS_SIMULATOR_ENABLED"] else ()
    for blueprint in (*blueprints, operator_bp, seo_bp, payments_bp, *simulator):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from shop.accounts.cli import create_operator_command
    from shop.coops.cli import coop_cli
    from shop.demo.cli import seed_demo_command
    from shop.search.cli import search_cli

    app.cli.add_command(create_operator_command)
    app.cli.add_command(coop_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(search_cli)
