"""The reconciliation's exceptions of a cooperative: open, and resolved lately."""

from flask import Blueprint, render_template

from shop.auth.policy import require_books_reader
from shop.reconciliation.services import open_exceptions, recently_resolved
from shop.security import private_page

bp = Blueprint("reconciliation", __name__)


@bp.route("/koperasi/<coop_slug>/kelola/rekonsiliasi/pengecualian")
@require_books_reader
def exceptions(coop, membership):
    return private_page(
        render_template(
            "reconciliation/exceptions.html",
            coop=coop,
            membership=membership,
            open=open_exceptions(coop),
            resolved=recently_resolved(coop),
        )
    )
