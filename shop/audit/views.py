"""The cooperative's audit log page: every change its people made, newest first. Read-only."""

from flask import Blueprint, render_template, request

from shop.audit.forms import audit_filter_form
from shop.audit.queries import actions_in_log, log_of, people_in_log
from shop.auth.policy import require_books_reader
from shop.pagination import parse_page_number
from shop.security import private_page

bp = Blueprint("audit", __name__)


@bp.route("/koperasi/<coop_slug>/kelola/audit")
@require_books_reader
def log(coop, membership):
    form = audit_filter_form(request.args, people_in_log(coop), actions_in_log(coop))
    page = log_of(coop, form.filters(), parse_page_number(request.args.get("page")))
    return private_page(render_template("audit/log.html", coop=coop, form=form, page=page))
