"""Pages that belong to no single feature: home, language, health check."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop.accounts.services import set_language as remember_language
from shop.auth.policy import public
from shop.catalog import storefront
from shop.extensions import db
from shop.pagecache import cached_page
from shop.security import safe_next_url

bp = Blueprint("core", __name__)


@bp.route("/")
@public
@cached_page
def home():
    return render_template("core/home.html", home=storefront.home_page())


@bp.route("/bahasa/<language>")
@public
def set_language(language: str):
    """A link, not a form: choosing a language changes nothing but the visitor's own view, so
    it needs no CSRF token, and pages without other forms stay free of a session cookie."""
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            remember_language(current_user, language)
    return redirect(safe_next_url(request.args.get("next"), url_for("core.home")))


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
