"""Language choice (Indonesian unless the visitor picks English) and the Jinja filters."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_timedelta

from shop.money import format_bp_as_percent, format_rupiah, member_receives
from shop.seo.services import absolute_url, canonical_url
from shop.timeutil import utcnow

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
    app.jinja_env.globals["member_receives"] = member_receives
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    # How long ago, in words ("3 hari"): how late a waiting order is.
    app.jinja_env.filters["age"] = lambda moment: (
        format_timedelta(utcnow() - moment, threshold=1) if moment else ""
    )
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["canonical_url"] = canonical_url
