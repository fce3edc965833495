"""Pages of reviews: the shopper writes (or once edits) a review of a completed order line,
from their order page, signed in or through the order's link; the member reads the reviews
of their products and replies once; the admin reads every review of the cooperative and
hides or shows one. The product page shows them (shop/catalog/views.py).
"""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import public, require_coop_admin, require_member
from shop.checkout.models import ShipmentStatus
from shop.errors import NotFound, ShopError
from shop.forms_common import ButtonForm
from shop.ids import is_row_id
from shop.orders.access import can_view_order
from shop.orders.queries import find_order
from shop.pagination import parse_page_number
from shop.reviews import queries, services
from shop.reviews.forms import HideForm, ReplyForm, ReviewForm
from shop.reviews.html import review_html, review_photos_html
from shop.reviews.models import MAX_PHOTOS
from shop.security import private_page

bp = Blueprint("reviews", __name__)
bp.add_app_template_global(review_html, "review_html")
bp.add_app_template_global(review_photos_html, "review_photos_html")


@bp.app_template_filter("rating_number")
def rating_number(average: float) -> str:
    """4.8 in English, 4,8 in Indonesian."""
    return format_decimal(average, "0.0")


MEMBER = "/koperasi/<coop_slug>/anggota/ulasan"
ADMIN = "/koperasi/<coop_slug>/kelola/ulasan"


@bp.app_template_global("order_reviews")
def order_reviews(order) -> dict:
    """Order line id -> review, for reviews/_order_line_review.html: read once a request.
    A line is reviewed only once its part is completed, and a completed part stays so: an
    order with no completed part has no reviews to read."""
    if "order_reviews" not in g:
        has_completed_part = any(
            shipment.status == ShipmentStatus.COMPLETED for shipment in order.shipments
        )
        g.order_reviews = (
            queries.reviews_of_order(order) if order.paid_at and has_completed_part else {}
        )
    return g.order_reviews


def _order_or_404(number: str):
    order = find_order(number)
    # The order page's rule and its one 404 for "no such order" and "not yours".
    if order is None or not can_view_order(order, current_user, session, request.args.get("kunci")):
        abort(404)
    return order


def _removals() -> tuple[int, ...]:
    """The photos ticked for removal in an edit; a value that is no id is no photo (refused by
    the service as not the review's)."""
    values = request.form.getlist("remove_photo")[: MAX_PHOTOS + 1]
    return tuple(int(value) if value.isdigit() and len(value) < 12 else 0 for value in values)


def _uploads(form: ReviewForm) -> list[tuple[str, bytes]]:
    files = request.files.getlist(form.photos.name)[: MAX_PHOTOS + 1]  # one more: "too many"
    return [(upload.filename or "foto", upload.read()) for upload in files if upload.filename]


@bp.route("/pesanan/<number>/ulasan/<int:line_id>", methods=["GET", "POST"])
@public
def write(number, line_id):
    order = _order_or_404(number)
    try:
        line = services.reviewable_line(order, line_id) if is_row_id(line_id) else abort(404)
    except NotFound:
        abort(404)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(url_for("orders.detail", number=order.number))
    review = queries.reviews_of_order(order).get(line.id)
    if review is not None and not review.can_be_edited:
        flash(_("A review can be edited only once."), "error")
        return redirect(url_for("orders.detail", number=order.number))
    form = ReviewForm(obj=review)
    if form.validate_on_submit():
        given = services.ReviewInput(
            form.rating.data, form.text.data or "", _uploads(form), _removals()
        )
        try:
            if review is None:
                services.write_review(order, line.id, given)
            else:
                services.edit_review(review, given)
        except ShopError as error:
            getattr(form, error.field or "", form.rating).errors.append(error.message)
        else:
            flash(_("Thank you for your review."), "success")
            return redirect(url_for("orders.detail", number=order.number))
    html = render_template("reviews/write.html", order=order, line=line, review=review, form=form)
    return private_page(html), (422 if form.errors else 200)


@bp.route(MEMBER)
@require_member
def member_list(coop, membership):
    page = queries.member_reviews(membership, parse_page_number(request.args.get("page")))
    return render_template("reviews/member_list.html", coop=coop, page=page, form=ReplyForm())


@bp.route(MEMBER + "/<int:review_id>/balas", methods=["POST"])
@require_member
def reply(coop, membership, review_id):
    review = queries.find_review(review_id) if is_row_id(review_id) else None
    if review is None or review.member_id != membership.id:
        abort(404)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.text.errors)) or _("Write your reply."), "error")
    else:
        try:
            services.reply_to_review(review, membership, form.text.data)
        except ShopError as error:
            flash(error.message, "error")
        else:
            flash(_("Your reply is published."), "success")
    return redirect(url_for("reviews.member_list", coop_slug=coop.slug))


@bp.route(ADMIN)
@require_coop_admin
def admin_list(coop, membership):
    hidden_only = request.args.get("tersembunyi") == "1"
    page_number = parse_page_number(request.args.get("page"))
    page = queries.cooperative_reviews(coop, page_number, hidden_only)
    return render_template(
        "reviews/admin_list.html",
        coop=coop,
        page=page,
        hidden_only=hidden_only,
        form=HideForm(),
        show_form=ButtonForm(),
    )


def _coop_review_or_404(coop, review_id: int):
    review = queries.find_review(review_id) if is_row_id(review_id) else None
    if review is None or review.cooperative_id != coop.id:
        abort(404)
    return review


@bp.route(ADMIN + "/<int:review_id>/sembunyikan", methods=["POST"])
@require_coop_admin
def hide(coop, membership, review_id):
    review = _coop_review_or_404(coop, review_id)
    form = HideForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.reason.errors)) or _("Say why the review is hidden."), "error")
    else:
        try:
            services.hide_review(review, coop, current_user._get_current_object(), form.reason.data)
        except ShopError as error:
            flash(error.message, "error")
        else:
            flash(_("The review is hidden from the public."), "success")
    return redirect(url_for("reviews.admin_list", coop_slug=coop.slug))


@bp.route(ADMIN + "/<int:review_id>/tampilkan", methods=["POST"])
@require_coop_admin
def show(coop, membership, review_id):
    review = _coop_review_or_404(coop, review_id)
    if ButtonForm().validate_on_submit():
        try:
            services.show_review(review, coop, current_user._get_current_object())
        except ShopError as error:
            flash(error.message, "error")
        else:
            flash(_("The review is shown again."), "success")
    return redirect(url_for("reviews.admin_list", coop_slug=coop.slug, tersembunyi="1"))
