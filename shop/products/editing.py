"""Between the editor's form and its services: choices, the product into the form, the form
into a ProductDraft and PhotoChanges, and a service's refusal back onto its field."""

from flask import Request
from flask_babel import gettext as _

from shop.catalog.models import Product
from shop.errors import ShopError
from shop.i18n import current_language
from shop.products.editor import ProductDraft, VariantDraft
from shop.products.forms import ProductForm
from shop.products.gallery import PhotoChanges
from shop.products.permits import Permits
from shop.products.queries import leaf_categories

MAX_UPLOAD_FILES = 9


def prepare_form(form: ProductForm, makers: list | None) -> None:
    """Fill the choice lists; without `makers` (the member's own editor, or an admin editing
    an existing product) the member field is not shown nor checked."""
    language = current_language()
    form.category_id.choices = [(0, _("Choose a category"))] + [
        (id_, path_en if language == "en" else path_id)
        for id_, path_id, path_en in leaf_categories()
    ]
    if makers is None:
        del form.member_id
    else:
        form.member_id.choices = [(m.id, f"{m.display_name} ({m.member_number})") for m in makers]


def fill_form(form: ProductForm, product: Product) -> None:
    for name in ("name", "category_id", "description", "pre_order_days", "length_cm",
                 "width_cm", "height_cm", "pirt_number", "pirt_expires_on", "halal_number",
                 "bpom_number", "permit_exemption"):  # fmt: skip
        form[name].data = getattr(product, name)
    while len(form.variants):
        form.variants.pop_entry()
    for variant in product.variants:
        form.variants.append_entry(
            {"variant_id": str(variant.id), "stock_seen": str(variant.stock),
             "option_label": variant.option_label, "price": f"{variant.price:,}".replace(",", "."),
             "stock": variant.stock, "weight_grams": variant.weight_grams, "sku": variant.sku}
        )  # fmt: skip
    for position, image in enumerate(product.images, start=1):
        form.photos.append_entry(
            {"image_id": str(image.id), "alt_text": image.alt_text, "position": position}
        )


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def draft_from(form: ProductForm) -> ProductDraft:
    variants = [
        VariantDraft(
            variant_id=_int_or_none(row.variant_id.data),
            option_label=row.option_label.data or "",
            price=row.form.rupiah(),
            stock=row.stock.data,
            weight_grams=row.weight_grams.data,
            sku=row.sku.data or "",
            stock_seen=_int_or_none(row.stock_seen.data),
            remove=bool(row.remove.data),
        )
        for row in form.variants
    ]
    permits = Permits(
        pirt_number=form.pirt_number.data or "",
        pirt_expires_on=form.pirt_expires_on.data,
        halal_number=form.halal_number.data or "",
        bpom_number=form.bpom_number.data or "",
        exemption=form.permit_exemption.data or "",
    )
    return ProductDraft(
        name=form.name.data or "",
        category_id=form.category_id.data or 0,
        description=form.description.data or "",
        pre_order_days=form.pre_order_days.data or 0,
        length_cm=form.length_cm.data or 0,
        width_cm=form.width_cm.data or 0,
        height_cm=form.height_cm.data or 0,
        permits=permits,
        variants=variants,
    )


def photo_changes_from(form: ProductForm, request: Request) -> PhotoChanges:
    rows = [(row, _int_or_none(row.image_id.data)) for row in form.photos]
    rows = [(row, image_id) for row, image_id in rows if image_id is not None]
    ordered = sorted(rows, key=lambda pair: pair[0].position.data or 99)
    uploads = [
        (upload.filename or "foto", upload.read())
        for upload in request.files.getlist(form.new_photos.name)[: MAX_UPLOAD_FILES + 1]
        if upload and upload.filename
    ]
    return PhotoChanges(
        order=[image_id for _row, image_id in ordered],
        alt_texts={image_id: row.alt_text.data or "" for row, image_id in rows},
        removed=[image_id for row, image_id in rows if row.remove.data],
        uploads=uploads,
    )


def show_errors(form: ProductForm, error: ShopError) -> None:
    """Put a service's refusal on the field it names ("variants-0-price" is a row's field);
    on the form's top when it names none."""
    name = error.field or ""
    if name.startswith("variants-"):
        _prefix, index, field = name.split("-", 2)
        if index.isdigit() and int(index) < len(form.variants):
            form.variants[int(index)][field].errors = [error.message]
            return
    if name and name in form and name != "variants":
        form[name].errors = [error.message]
    else:
        form.form_errors.append(error.message)
