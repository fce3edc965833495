"""The member's "my products", the admin's catalog console, and the product editor both use.

Member pages live under /koperasi/<slug>/anggota/produk (their own products only); admin
pages under /koperasi/<slug>/kelola/produk (every product of the cooperative). A product of
another member or cooperative answers 404, like one that does not exist.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_coop_admin, require_member
from shop.catalog.models import PRODUCT_STATUS_LABELS, ProductStatus, ProductVariant
from shop.coops.services import members_of
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.forms_common import ButtonForm
from shop.ids import is_row_id
from shop.money import parse_rupiah
from shop.products import catalog_file, copying, editor, importing, quick, review
from shop.products.editing import (
    draft_from,
    fill_form,
    photo_changes_from,
    prepare_form,
    show_errors,
)
from shop.products.forms import ImportForm, ProductForm, QuickEditForm, ReasonForm
from shop.products.gallery import update_photos
from shop.products.queries import (
    TABS,
    Filters,
    category_choices,
    product_of,
    products_of,
    tab_counts,
)
from shop.reports.exports import CSV_MIMETYPE, XLSX_MIMETYPE
from shop.security import private_page

bp = Blueprint("products", __name__)


@bp.app_template_filter("product_status")
def product_status_label(status: str) -> str:
    return str(PRODUCT_STATUS_LABELS.get(status, status))


MEMBER = "/koperasi/<coop_slug>/anggota/produk"
ADMIN = "/koperasi/<coop_slug>/kelola/produk"


def _own_product_or_404(coop, membership, product_id: int):
    product = product_of(coop, product_id) if is_row_id(product_id) else None
    if product is None or product.member_id != membership.id:
        abort(404)
    return product


def _coop_product_or_404(coop, product_id: int):
    product = product_of(coop, product_id) if is_row_id(product_id) else None
    return product or abort(404)


# --- the member --------------------------------------------------------------------------


@bp.route(MEMBER)
@require_member
def mine(coop, membership):
    tab = request.args.get("tab", "dijual")
    tab = tab if tab in TABS or tab == "semua" else "dijual"
    products = products_of(coop, Filters(tab=tab, member_id=membership.id))
    body = render_template(
        "products/mine.html", coop=coop, products=products, tab=tab,
        counts=tab_counts(coop, membership.id), form=ButtonForm(), quick_form=QuickEditForm(),
    )  # fmt: skip
    return private_page(body)


@bp.route(MEMBER + "/baru", methods=["GET", "POST"])
@require_member
def new(coop, membership):
    return _editor(coop, membership, maker=membership, product=None)


@bp.route(MEMBER + "/<int:product_id>", methods=["GET", "POST"])
@require_member
def edit(coop, membership, product_id: int):
    product = product_of(coop, product_id) if is_row_id(product_id) else None
    if product is not None and product.member_id != membership.id and membership.is_admin:
        return redirect(url_for("products.admin_edit", coop_slug=coop.slug, product_id=product.id))
    product = _own_product_or_404(coop, membership, product_id)
    return _editor(coop, membership, maker=membership, product=product)


@bp.route(MEMBER + "/<int:product_id>/<action>", methods=["POST"])
@require_member
def act(coop, membership, product_id: int, action: str):
    product = _own_product_or_404(coop, membership, product_id)
    return _act(coop, product, action, url_for("products.mine", coop_slug=coop.slug))


@bp.route(MEMBER + "/stok/<int:variant_id>", methods=["POST"])
@require_member
def quick_stock(coop, membership, variant_id: int):
    variant = db.session.get(ProductVariant, variant_id) if is_row_id(variant_id) else None
    if variant is None or variant.product.member_id != membership.id:
        abort(404)
    form = QuickEditForm()
    back = url_for("products.mine", coop_slug=coop.slug, tab=request.args.get("tab", "dijual"))
    if not form.validate_on_submit() or not (form.stock_seen.data or "").isdigit():
        flash(_("Enter the price in Rupiah and the stock as a number from 0."), "error")
        return redirect(back)
    try:
        seen = int(form.stock_seen.data)
        quick.quick_edit(current_user, variant, form.rupiah(), form.stock.data, seen)
        flash(_("Saved."), "success")
    except ShopError as error:
        flash(error.message, "error")
    return redirect(back)


# --- the cooperative's admin -------------------------------------------------------------


@bp.route(ADMIN)
@require_coop_admin
def console(coop, membership):
    filters = _filters()
    body = render_template(
        "products/console.html", coop=coop, products=products_of(coop, filters),
        filters=filters, members=members_of(coop), counts=tab_counts(coop, None),
        categories=category_choices(),
        form=ButtonForm(), reason_form=ReasonForm(),
    )  # fmt: skip
    return private_page(body)


def _filters() -> Filters:
    args = request.args
    member_id = args.get("anggota", type=int)
    category_id = args.get("kategori", type=int)
    return Filters(
        tab=args.get("status", "") if args.get("status") in (*TABS, "semua") else "",
        member_id=member_id if member_id and is_row_id(member_id) else None,
        category_id=category_id if category_id and is_row_id(category_id) else None,
        text=(args.get("q") or "").strip()[:100],
        low_stock=args.get("stok_menipis") == "1",
        expired_permit=args.get("izin_kedaluwarsa") == "1",
    )


@bp.route(ADMIN + "/baru", methods=["GET", "POST"])
@require_coop_admin
def admin_new(coop, membership):
    return _editor(coop, membership, maker=None, product=None)


@bp.route(ADMIN + "/<int:product_id>", methods=["GET", "POST"])
@require_coop_admin
def admin_edit(coop, membership, product_id: int):
    product = _coop_product_or_404(coop, product_id)
    return _editor(coop, membership, maker=product.member, product=product)


@bp.route(ADMIN + "/<int:product_id>/<action>", methods=["POST"])
@require_coop_admin
def admin_act(coop, membership, product_id: int, action: str):
    product = _coop_product_or_404(coop, product_id)
    back = request.form.get("back") or ""
    back = back if back.startswith(f"/koperasi/{coop.slug}/kelola/produk") else None
    return _act(coop, product, action, back or url_for("products.console", coop_slug=coop.slug))


@bp.route(ADMIN + "/massal", methods=["POST"])
@require_coop_admin
def bulk(coop, membership):
    if not ButtonForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    amount = _bulk_amount(action, request.form.get("amount", ""))
    if action in VALUED_ACTIONS and amount is None:
        flash(_("Enter the new price (Rp) or stock for the chosen products."), "error")
        return redirect(url_for("products.console", coop_slug=coop.slug))
    ids = [int(i) for i in request.form.getlist("product") if i.isdigit() and is_row_id(int(i))]
    if action not in BULK_ACTIONS or not ids:
        flash(_("Choose products and an action."), "error")
        return redirect(url_for("products.console", coop_slug=coop.slug))
    done, failed = 0, []
    for product_id in ids:
        product = product_of(coop, product_id)
        if product is None:
            continue
        try:
            BULK_ACTIONS[action](product, amount)
            done += 1
        except ShopError as error:
            failed.append(f"{product.name}: {error.message}")
    flash(_("%(count)d product(s) changed.", count=done), "success")
    for line in failed:
        flash(line, "error")
    return redirect(url_for("products.console", coop_slug=coop.slug))


BULK_ACTIONS = {
    "approve": lambda product, _amount: review.approve_product(product, current_user),
    "archive": lambda product, _amount: review.archive_product(product, current_user),
    "feature": lambda product, _amount: review.set_featured(product, current_user, True),
    "unfeature": lambda product, _amount: review.set_featured(product, current_user, False),
    "price": lambda product, amount: quick.set_price_or_stock(current_user, product, price=amount),
    "stock": lambda product, amount: quick.set_price_or_stock(current_user, product, stock=amount),
}
VALUED_ACTIONS = {"price", "stock"}


def _bulk_amount(action: str, text: str) -> int | None:
    if action == "price":
        return parse_rupiah(text)
    text = text.strip()
    return (
        int(text)
        if action == "stock" and text.isascii() and text.isdigit() and len(text) < 7
        else None
    )


# --- shared ------------------------------------------------------------------------------


def _act(coop, product, action: str, back: str):
    """One button on a product: archive, restore, duplicate, and the admin's own."""
    actions = {
        "arsip": lambda: review.archive_product(product, current_user),
        "pulihkan": lambda: review.restore_product(product, current_user),
        "salin": lambda: copying.duplicate_product(current_user, product),
        "setujui": lambda: review.approve_product(product, current_user),
        "unggulkan": lambda: review.set_featured(product, current_user, True),
        "batal-unggulan": lambda: review.set_featured(product, current_user, False),
    }
    if action == "tolak":
        form = ReasonForm()
        if not form.validate_on_submit():
            flash(_("Say why you reject it: the member reads it."), "error")
            return redirect(back)
        actions["tolak"] = lambda: review.reject_product(product, current_user, form.reason.data)
    elif not ButtonForm().validate_on_submit():
        abort(400)
    if action not in actions:
        abort(404)
    try:
        actions[action]()
        flash(_("Saved."), "success")
    except (ShopError, InvalidTransition) as error:
        flash(error.message, "error")
    return redirect(back)


def _editor(coop, membership, maker, product):
    """The editor for a new product (product None) or an existing one. `maker` is None when
    an admin creates a product and chooses the member on the form."""
    form = ProductForm() if request.method == "POST" else ProductForm(formdata=None)
    makers = members_of(coop) if membership.is_admin and maker is None else None
    prepare_form(form, makers)
    if request.method == "GET" and product is not None:
        fill_form(form, product)
    if request.method == "POST" and "add_variant" in request.form:
        form.variants.append_entry()
        return _render(coop, form, product, membership)
    if request.method == "POST" and form.validate_on_submit():
        chosen = maker or _chosen_maker(coop, form)
        try:
            saved = editor.save_product(
                current_user,
                chosen,
                product,
                draft_from(form),
                as_draft="save_draft" in request.form,
            )
        except ShopError as error:
            show_errors(form, error)
            return _render(coop, form, product, membership)
        refused = update_photos(current_user, saved.product, photo_changes_from(form, request))
        for problem in refused:
            flash(f"{problem.filename}: {problem.message}", "error")
        if saved.waits_for_review:
            flash(_("Product saved. It is off sale until an admin approves it."), "success")
        else:
            flash(_("Product saved."), "success")
        return redirect(_edit_url(coop, membership, saved.product))
    return _render(coop, form, product, membership)


def _chosen_maker(coop, form):
    member = next((m for m in members_of(coop) if m.id == form.member_id.data), None)
    return member or abort(400)


def _edit_url(coop, membership, product) -> str:
    if product.member_id == membership.id:
        return url_for("products.edit", coop_slug=coop.slug, product_id=product.id)
    return url_for("products.admin_edit", coop_slug=coop.slug, product_id=product.id)


def _render(coop, form, product, membership):
    reviewed_edit = (
        product is not None
        and product.status == ProductStatus.ACTIVE
        and coop.reviews_edits
        and product.member_id == membership.id
        and not membership.is_admin
    )
    body = render_template(
        "products/editor.html", coop=coop, form=form, product=product,
        is_admin=membership.is_admin, reviewed_edit=reviewed_edit,
        reviews_new=coop.reviews_new_products and not membership.is_admin,
    )  # fmt: skip
    return private_page(body)


# --- import and export -------------------------------------------------------------------

FILE_KINDS = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}


@bp.route(MEMBER + "/impor", methods=["GET", "POST"])
@require_member
def import_mine(coop, membership):
    return _import_page(coop, importer=membership, home="products.mine")


@bp.route(ADMIN + "/impor", methods=["GET", "POST"])
@require_coop_admin
def import_all(coop, membership):
    return _import_page(coop, importer=None, home="products.console")


@bp.route(MEMBER + "/impor/<int:import_id>", methods=["POST"])
@require_member
def start_import_mine(coop, membership, import_id: int):
    return _start_import(coop, import_id)


@bp.route(ADMIN + "/impor/<int:import_id>", methods=["POST"])
@require_coop_admin
def start_import_all(coop, membership, import_id: int):
    return _start_import(coop, import_id)


@bp.route(MEMBER + "/berkas/<kind>.<fmt>")
@require_member
def file_mine(coop, membership, kind: str, fmt: str):
    return _download(coop, membership.id, kind, fmt)


@bp.route(ADMIN + "/berkas/<kind>.<fmt>")
@require_coop_admin
def file_all(coop, membership, kind: str, fmt: str):
    member_id = request.args.get("anggota", type=int)
    return _download(coop, member_id if member_id and is_row_id(member_id) else None, kind, fmt)


def _import_page(coop, importer, home: str):
    """Upload, then the preview: counts and every invalid row, or a button to import."""
    form, plan, stored = ImportForm(), None, None
    if form.validate_on_submit():
        upload = form.catalog_file.data
        data = upload.read()
        photos = form.photos_zip.data.read() if form.photos_zip.data else None
        try:
            plan = importing.preview_import(
                current_user, coop, importer, upload.filename, data, photos_zip=photos
            )
            if not plan.problems:
                stored = importing.store_import(
                    current_user, coop, importer, upload.filename, data, plan, photos_zip=photos
                )
        except ShopError as error:
            form.catalog_file.errors = [error.message]
    body = render_template(
        "products/import.html", coop=coop, form=form, plan=plan, stored=stored,
        is_admin=importer is None, home=home, button=ButtonForm(),
    )  # fmt: skip
    return private_page(body)


def _start_import(coop, import_id: int):
    stored = importing.import_of(current_user, coop, import_id) if is_row_id(import_id) else None
    if stored is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    job = importing.start_import(stored.id)
    return redirect(url_for("jobs.progress", job_id=job.id))


def _download(coop, member_id: int | None, kind: str, fmt: str):
    if kind not in ("templat", "ekspor") or fmt not in FILE_KINDS:
        abort(404)
    if kind == "templat":
        content = catalog_file.template(fmt)
    else:
        rows = catalog_file.export_rows(coop, member_id)
        content = catalog_file.write_csv(rows) if fmt == "csv" else catalog_file.write_xlsx(rows)
    response = Response(content, mimetype=FILE_KINDS[fmt])
    name = f"produk-{coop.slug}-{kind}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private_page(response)
