"""Payout pages: a member's balance and requests; the cooperative admin's queue."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_books_reader, require_member_or_former
from shop.errors import ShopError
from shop.ledger.models import PayoutStatus
from shop.money import format_rupiah
from shop.payouts import services
from shop.payouts.forms import DECISION_FORMS, PayoutRequestForm, decision_form
from shop.payouts.queries import (
    available_by_member,
    find_payout,
    payout_summary,
    payouts_of,
    review_queue,
)
from shop.security import private_page

bp = Blueprint("payouts", __name__)


@bp.app_template_filter("payout_status")
def status_label(status: str) -> str:
    labels = {
        PayoutStatus.REQUESTED: _("Waiting for approval"),
        PayoutStatus.APPROVED: _("Approved, being transferred"),
        PayoutStatus.PAID: _("Paid"),
        PayoutStatus.REJECTED: _("Rejected"),
    }
    return labels.get(status, status)


@bp.route("/koperasi/<coop_slug>/anggota/saldo", methods=["GET", "POST"])
@require_member_or_former
def mine(coop, membership):
    form = PayoutRequestForm()
    if form.validate_on_submit():
        try:
            payout = services.request_payout(
                membership, form.rupiah(), current_user._get_current_object()
            )
        except ShopError as error:
            form.amount.errors.append(error.message)
        else:
            flash(
                _(
                    "You asked for %(amount)s. The cooperative's admin will transfer it.",
                    amount=format_rupiah(payout.amount),
                ),
                "success",
            )
            return redirect(url_for("payouts.mine", coop_slug=coop.slug))
    html = render_template(
        "payouts/mine.html",
        coop=coop,
        membership=membership,
        form=form,
        summary=payout_summary(membership),
        payouts=payouts_of(membership),
    )
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/pencairan", methods=["GET", "POST"])
@require_books_reader
def review(coop, membership):
    posted = None
    if request.method == "POST":
        payout, action, form = _posted_decision(coop)
        if form.validate_on_submit():
            try:
                message = _decide(action, payout, form)
            except ShopError as error:
                if error.field not in form:  # the payout's state or balance: not a typo
                    flash(error.message, "error")
                    return redirect(url_for("payouts.review", coop_slug=coop.slug))
                form[error.field].errors.append(error.message)
            else:
                flash(message, "success")
                return redirect(url_for("payouts.review", coop_slug=coop.slug))
        posted = (payout.id, action, form)
    queue = review_queue(coop)
    html = render_template(
        "payouts/review.html",
        coop=coop,
        queue=queue,
        forms=_page_forms(queue, posted),
        available=available_by_member(coop),
    )
    return private_page(html)


def _posted_decision(coop):
    """The payout, action and bound form a POST names; 404 for a payout of another
    cooperative or none, 400 for an action that does not exist."""
    action = request.form.get("action", "")
    if action not in DECISION_FORMS:
        abort(400)
    payout = find_payout(coop, request.form.get("payout", type=int) or 0)
    if payout is None:
        abort(404)
    return payout, action, decision_form(action, payout.id, posted=True)


def _decide(action: str, payout, form) -> str:
    actor = current_user._get_current_object()
    amount = format_rupiah(payout.amount)
    if action == "approve":
        submission = services.approve_payout(payout, actor)
        return _("Payout of %(amount)s approved.", amount=amount) + " " + submission.message
    if action == "pay":
        services.mark_payout_paid(payout, form.transfer_reference.data, actor)
        return _("Payout of %(amount)s recorded as paid.", amount=amount)
    services.reject_payout(payout, form.reason.data, actor)
    return _("Payout of %(amount)s rejected.", amount=amount)


def _page_forms(queue, posted) -> dict:
    """Every open payout's decision forms by (payout id, action); the one just posted with
    an error keeps what was typed."""
    actions = {
        PayoutStatus.REQUESTED: ("approve", "reject"),
        PayoutStatus.APPROVED: ("pay", "reject"),
    }
    forms = {}
    for row in queue.requested + queue.approved:
        for action in actions[row.payout.status]:
            forms[(row.payout.id, action)] = decision_form(action, row.payout.id)
    if posted is not None:
        payout_id, action, form = posted
        forms[(payout_id, action)] = form
    return forms
