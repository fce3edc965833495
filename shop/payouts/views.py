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

from shop.auth.policy import require_books_reader, require_coop_admin, require_member_or_former
from shop.errors import ShopError
from shop.ledger.models import PayoutStatus
from shop.money import format_rupiah
from shop.payouts import batches, services
from shop.payouts.adapter import transfers_automatically
from shop.payouts.forms import (
    DECISION_FORMS,
    ApproveForm,
    PayoutRequestForm,
    PrepareBatchForm,
    RemoveFromBatchForm,
    decision_form,
)
from shop.payouts.maker_checker import maker_checker_on
from shop.payouts.models import BatchStatus
from shop.payouts.queries import (
    available_by_member,
    batch_candidates,
    batch_list,
    batch_payouts,
    batch_trail,
    find_batch,
    find_payout,
    payout_summary,
    payouts_of,
    review_queue,
)
from shop.savings.services import settings_of
from shop.security import private_page

bp = Blueprint("payouts", __name__)


@bp.app_template_filter("batch_status")
def batch_status_label(status: str) -> str:
    labels = {
        BatchStatus.PREPARED: _("Waiting for a second admin"),
        BatchStatus.APPROVED: _("Approved"),
        BatchStatus.CANCELLED: _("Cancelled"),
    }
    return labels.get(status, status)


@bp.app_template_filter("batch_action")
def batch_action_label(action: str) -> str:
    labels = {
        "payout_batch.prepared": _("Prepared"),
        "payout_batch.payout_removed": _("Took a payout out"),
        "payout_batch.approved": _("Approved"),
        "payout_batch.cancelled": _("Cancelled"),
    }
    return labels.get(action, action)


@bp.app_template_filter("payout_status")
def status_label(status: str) -> str:
    labels = {
        PayoutStatus.REQUESTED: _("Waiting for approval"),
        PayoutStatus.APPROVED: _("Approved, being transferred"),
        PayoutStatus.PAID: _("Paid"),
        PayoutStatus.REJECTED: _("Rejected"),
        PayoutStatus.RETURNED: _("Returned by the bank"),
    }
    return labels.get(status, status)


@bp.route("/koperasi/<coop_slug>/anggota/saldo", methods=["GET", "POST"])
@require_member_or_former
def mine(coop, membership):
    form = PayoutRequestForm()
    if form.validate_on_submit():
        try:
            payout = services.request_payout(
                membership,
                form.rupiah(),
                current_user._get_current_object(),
                deduct_wajib=bool(form.deduct_wajib.data),
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
        wajib_amount=settings_of(coop).wajib_amount,
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
        maker_checker=maker_checker_on(coop),
        can_resend=transfers_automatically(),
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
    if action == "resend":
        submission = services.resend_payout(payout, actor)
        return _("Payout of %(amount)s sent again.", amount=amount) + " " + submission.message
    services.reject_payout(payout, form.reason.data, actor)
    return _("Payout of %(amount)s rejected.", amount=amount)


def _page_forms(queue, posted) -> dict:
    """Every open payout's decision forms by (payout id, action); the one just posted with
    an error keeps what was typed."""
    actions = {
        PayoutStatus.REQUESTED: ("approve", "reject"),
        PayoutStatus.APPROVED: ("pay", "reject", "resend"),
    }
    forms = {}
    for row in queue.requested + queue.approved:
        for action in actions[row.payout.status]:
            forms[(row.payout.id, action)] = decision_form(action, row.payout.id)
    if posted is not None:
        payout_id, action, form = posted
        forms[(payout_id, action)] = form
    return forms


BATCHES = "/koperasi/<coop_slug>/kelola/pencairan/batch"


@bp.route(BATCHES)
@require_books_reader
def batch_index(coop, membership):
    html = render_template(
        "payouts/batches.html",
        coop=coop,
        rows=batch_list(coop),
        maker_checker=maker_checker_on(coop),
        waiting=len(batch_candidates(coop)),
    )
    return private_page(html)


@bp.route(f"{BATCHES}/baru", methods=["GET", "POST"])
@require_coop_admin
def batch_prepare(coop, membership):
    form = PrepareBatchForm()
    if form.validate_on_submit():
        try:
            batch = batches.prepare_batch(coop, form.ids(), current_user._get_current_object())
        except ShopError as error:
            form.payouts.errors.append(error.message)
        else:
            flash(_("Batch prepared. Another admin of the cooperative approves it."), "success")
            return redirect(url_for("payouts.batch_detail", coop_slug=coop.slug, batch_id=batch.id))
    rows = batch_candidates(coop)
    html = render_template(
        "payouts/batch_prepare.html",
        coop=coop,
        form=form,
        rows=rows,
        total=sum(row.payout.amount for row in rows),
        chosen=set(form.payouts.data or ()),
        maker_checker=maker_checker_on(coop),
    )
    return private_page(html)


@bp.route(f"{BATCHES}/<int:batch_id>")
@require_books_reader
def batch_detail(coop, membership, batch_id):
    batch = find_batch(coop, batch_id) or abort(404)
    rows = batch_payouts(batch)
    html = render_template(
        "payouts/batch.html",
        coop=coop,
        batch=batch,
        rows=rows,
        total=sum(row.payout.amount for row in rows),
        mismatched=sum(1 for row in rows if not row.holder_matches),
        trail=batch_trail(batch),
        is_preparer=batch.prepared_by_id == current_user.id,
        button=ApproveForm(formdata=None),
        remove=RemoveFromBatchForm(formdata=None),
    )
    return private_page(html)


@bp.route(f"{BATCHES}/<int:batch_id>/setujui", methods=["POST"])
@require_coop_admin
def batch_approve(coop, membership, batch_id):
    def approve(batch, actor):
        results = batches.approve_batch(batch, actor)
        notes = sorted({result.message for result in results})
        return " ".join([_("Batch approved: its payouts are on their way."), *notes])

    return _batch_action(coop, batch_id, ApproveForm(), approve)


@bp.route(f"{BATCHES}/<int:batch_id>/batalkan", methods=["POST"])
@require_coop_admin
def batch_cancel(coop, membership, batch_id):
    def cancel(batch, actor):
        batches.cancel_batch(batch, actor)
        return _("Batch cancelled: its payouts wait for approval again.")

    return _batch_action(coop, batch_id, ApproveForm(), cancel)


@bp.route(f"{BATCHES}/<int:batch_id>/keluarkan", methods=["POST"])
@require_coop_admin
def batch_remove(coop, membership, batch_id):
    form = RemoveFromBatchForm()

    def remove(batch, actor):
        payout = find_payout(coop, form.payout_id()) or abort(404)
        batches.remove_from_batch(batch, payout, actor)
        return _("Payout taken out of the batch: it waits for approval again.")

    return _batch_action(coop, batch_id, form, remove)


def _batch_action(coop, batch_id: int, form, action):
    """Load the batch (404 if not this cooperative's), check the form, run one service and
    say what happened on the batch's page."""
    batch = find_batch(coop, batch_id) or abort(404)
    if not form.validate_on_submit():
        abort(400)
    try:
        flash(action(batch, current_user._get_current_object()), "success")
    except ShopError as error:
        flash(error.message, "error")
    return redirect(url_for("payouts.batch_detail", coop_slug=coop.slug, batch_id=batch.id))
