"""Language choice (Indonesian unless the visitor picks English) and the Jinja filters."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime

from shop.money import format_bp_as_percent, format_rupiah
from shop.seo.services import absolute_url, canonical_url

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    """The visitor's chosen language; Indonesian outside a request (CLI, mail jobs)."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in current_app.config["LANGUAGES"]:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


current_language = select_locale


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["percent_bp"] = format_bp_as_percent
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["canonical_url"] = canonical_url
