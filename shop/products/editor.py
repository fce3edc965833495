"""Creating and editing a product: one service for the member's own products and for an
admin acting for any member of the cooperative.

Stock is never overwritten: a variant's new stock is applied as the change from what the
form showed (`stock_seen`), by one conditional UPDATE, so a unit sold while the form was open
stays sold; a decrease that would go below zero is refused with what is left now.
"""

import logging
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Category, Product, ProductStatus, ProductVariant
from shop.checkout.models import OrderLine
from shop.coops.models import Membership
from shop.coops.services import find_membership, slugify
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.pagecache import bump_catalog_version
from shop.products.permits import FOOD_ROOT, Permits, checked_permits
from shop.reports.period import today_in_jakarta

logger = logging.getLogger(__name__)

NAME_MIN, NAME_MAX = 3, 150
DESCRIPTION_MAX = 5000
PRICE_MAX = 1_000_000_000
STOCK_MAX = 100_000
WEIGHT_MAX_GRAMS = 100_000
SIZE_MAX_CM = 300
SKU = re.compile(r"[A-Za-z0-9._-]{1,64}")
TAG = re.compile(r"<[^>]*>")


class ProductRefused(ShopError):
    """Input the seller can fix; `field` names the form field (variants: variants-<n>-<f>)."""


class NotAllowed(ShopError):
    pass


@dataclass(frozen=True)
class VariantDraft:
    variant_id: int | None  # None: a new variant
    option_label: str
    price: int
    stock: int  # as typed
    weight_grams: int
    sku: str = ""
    stock_seen: int | None = None  # what the form showed; None for a new variant
    remove: bool = False


@dataclass(frozen=True)
class ProductDraft:
    name: str
    category_id: int
    description: str
    pre_order_days: int
    length_cm: int
    width_cm: int
    height_cm: int
    permits: Permits
    variants: list[VariantDraft] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    product: Product
    waits_for_review: bool  # the cooperative reviews it before it is (again) on sale


def may_manage(actor: User, maker: Membership) -> bool:
    """The maker themself, or an admin of the maker's cooperative."""
    if actor.id == maker.user_id:
        return maker.is_active
    own = find_membership(actor, maker.cooperative)
    return own is not None and own.is_admin


def save_product(
    actor: User, maker: Membership, product: Product | None, draft: ProductDraft, as_draft: bool
) -> Saved:
    """Create (product None) or update a product of `maker`. `as_draft` keeps a new or
    unpublished product out of review and off sale. Raises NotAllowed, ProductRefused (with
    the field), InvalidPermit, or ProductRefused for stock that changed meanwhile; then
    nothing is written."""
    try:
        if not may_manage(actor, maker):
            raise NotAllowed(_("You cannot manage this member's products."))
        if product is not None and product.member_id != maker.id:
            raise NotFound(_("No such product."))
        if product is not None and product.status == ProductStatus.ARCHIVED:
            raise ProductRefused(_("This product is archived: restore it to edit it."))
        values = _checked(draft)
        is_admin = actor.id != maker.user_id or _is_admin(actor, maker)
        if product is None:
            product = _new_product(maker, values)
            action, before = "product.created", {}
        else:
            action, before = "product.updated", _snapshot(product)
            for name, value in values.items():
                setattr(product, name, value)
        _save_variants(product, draft.variants)
        product.weight_grams = min(v.weight_grams for v in product.variants if not v.is_archived)
        target = _status_after_save(product, maker, is_admin, as_draft, action == "product.created")
        waits = target == ProductStatus.PENDING and product.status != ProductStatus.PENDING
        if target != product.status:
            if target == ProductStatus.ACTIVE and product.status != ProductStatus.PENDING:
                product.move_to(ProductStatus.PENDING)  # published at once: reviewed by its admin
            product.move_to(target)
            product.review_note = ""
        db.session.flush()
        after = _snapshot(product)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        record_audit(actor, maker.cooperative, action, product, {"changes": changes})
        from shop.notifications import events

        if waits:
            events.product_to_review(product)
        if action == "product.updated" and changes:
            events.product_changed_by_admin(product, actor, "edited")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    bump_catalog_version()  # stock moved by UPDATEs the page cache's flush hook cannot see
    logger.info("%s %s by user %s", action, product.id, actor.id)
    return Saved(product, waits)


def _is_admin(actor: User, maker: Membership) -> bool:
    own = find_membership(actor, maker.cooperative)
    return own is not None and own.is_admin


def _checked(draft: ProductDraft) -> dict:
    name = " ".join(draft.name.split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ProductRefused(
            _("Use %(min)d to %(max)d characters.", min=NAME_MIN, max=NAME_MAX), field="name"
        )
    category = db.session.get(Category, draft.category_id) if draft.category_id else None
    if category is None or category.children:
        raise ProductRefused(_("Choose a category from the list."), field="category_id")
    description = TAG.sub("", draft.description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ProductRefused(
            _("Use at most %(max)d characters.", max=DESCRIPTION_MAX), field="description"
        )
    if not 0 <= draft.pre_order_days <= 30:
        raise ProductRefused(_("Enter 0 (ready stock) to 30 days."), field="pre_order_days")
    for name_, value in (("length_cm", draft.length_cm), ("width_cm", draft.width_cm),
                         ("height_cm", draft.height_cm)):  # fmt: skip
        if not 0 <= value <= SIZE_MAX_CM:
            raise ProductRefused(_("Enter 0 to %(max)d cm.", max=SIZE_MAX_CM), field=name_)
    root = category.parent or category
    permits = checked_permits(draft.permits, root.slug == FOOD_ROOT, today_in_jakarta())
    return {
        "name": name,
        "category_id": category.id,
        "description": description,
        "pre_order_days": draft.pre_order_days,
        "length_cm": draft.length_cm,
        "width_cm": draft.width_cm,
        "height_cm": draft.height_cm,
        "pirt_number": permits.pirt_number,
        "pirt_expires_on": permits.pirt_expires_on,
        "halal_number": permits.halal_number,
        "bpom_number": permits.bpom_number,
        "permit_exemption": permits.exemption,
    }


def _new_product(maker: Membership, values: dict) -> Product:
    product = Product(
        cooperative_id=maker.cooperative_id,
        member_id=maker.id,
        slug=unique_slug(values["name"]),
        status=ProductStatus.DRAFT,
        weight_grams=1,  # set from the variants below
        **values,
    )
    db.session.add(product)
    db.session.flush()
    return product


def unique_slug(name: str) -> str:
    base = slugify(name)[:160] or "produk"
    slug = base
    while db.session.scalar(select(Product.id).where(Product.slug == slug)) is not None:
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def _save_variants(product: Product, drafts: list[VariantDraft]) -> None:
    existing = {variant.id: variant for variant in product.variants}
    kept = [d for d in drafts if not d.remove]
    if not kept:
        raise ProductRefused(_("A product needs at least one variant."), field="variants")
    labels = [" ".join(d.option_label.split()).lower() for d in kept]
    if len(set(labels)) != len(labels):
        raise ProductRefused(_("Two variants have the same option."), field="variants")
    position = 0
    for index, draft in enumerate(drafts):
        if draft.variant_id is not None and draft.variant_id not in existing:
            raise ProductRefused(_("This variant is not the product's."), field="variants")
        if draft.remove:
            if draft.variant_id is not None:
                _remove_variant(existing[draft.variant_id])
            continue
        _check_variant(draft, index)
        if draft.variant_id is None:
            _add_variant(product, draft, position)
        else:
            _update_variant(existing[draft.variant_id], draft, position, index)
        position += 1
    db.session.flush()
    db.session.refresh(product)


def _check_variant(draft: VariantDraft, index: int) -> None:
    def refuse(message: str, name: str):
        raise ProductRefused(message, field=f"variants-{index}-{name}")

    if len(draft.option_label.strip()) > 60:
        refuse(_("Use at most %(max)d characters.", max=60), "option_label")
    if not 0 < draft.price <= PRICE_MAX:
        refuse(_("Enter a price above Rp 0."), "price")
    if not 0 <= draft.stock <= STOCK_MAX:
        refuse(_("Enter 0 to %(max)d.", max=STOCK_MAX), "stock")
    if not 0 < draft.weight_grams <= WEIGHT_MAX_GRAMS:
        refuse(_("Enter the weight of one unit in grams, 1 to 100000."), "weight_grams")
    if draft.sku and not SKU.fullmatch(draft.sku.strip()):
        refuse(_("Letters, digits, dots, dashes and underscores only, at most 64."), "sku")


def _sku_taken(sku: str, variant_id: int | None) -> bool:
    query = select(ProductVariant.id).where(ProductVariant.sku == sku)
    if variant_id is not None:
        query = query.where(ProductVariant.id != variant_id)
    return db.session.scalar(query) is not None


def _add_variant(product: Product, draft: VariantDraft, position: int) -> None:
    sku = draft.sku.strip() or generated_sku(product)
    if _sku_taken(sku, None):
        raise ProductRefused(
            _("Another variant already has SKU %(sku)s.", sku=sku), field="variants"
        )
    db.session.add(
        ProductVariant(
            product_id=product.id,
            sku=sku,
            option_label=" ".join(draft.option_label.split()),
            price=draft.price,
            stock=draft.stock,
            weight_grams=draft.weight_grams,
            position=position,
        )
    )
    db.session.flush()


def generated_sku(product: Product) -> str:
    while True:
        sku = f"P{product.id}-{secrets.token_hex(3).upper()}"
        if not _sku_taken(sku, None):
            return sku


def _update_variant(variant: ProductVariant, draft: VariantDraft, position: int, index: int):
    sku = draft.sku.strip() or variant.sku
    if sku != variant.sku and _sku_taken(sku, variant.id):
        raise ProductRefused(
            _("Another variant already has SKU %(sku)s.", sku=sku), field=f"variants-{index}-sku"
        )
    variant.sku, variant.price, variant.weight_grams = sku, draft.price, draft.weight_grams
    variant.option_label, variant.position = " ".join(draft.option_label.split()), position
    variant.is_archived = False
    db.session.flush()
    seen = variant.stock if draft.stock_seen is None else draft.stock_seen
    change = draft.stock - seen
    if change:
        _change_stock(variant, change, index)


def _change_stock(variant: ProductVariant, change: int, index: int) -> None:
    """stock += change, unless that would go below zero (units sold meanwhile)."""
    moved = db.session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == variant.id, ProductVariant.stock + change >= 0)
        .values(stock=ProductVariant.stock + change)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(variant)
    if moved != 1:
        raise ProductRefused(
            _(
                "Units of %(variant)s sold while you were editing: %(left)d left now. "
                "Check the stock and save again.",
                variant=variant.option_label or variant.sku,
                left=variant.stock,
            ),
            field=f"variants-{index}-stock",
        )


def _remove_variant(variant: ProductVariant) -> None:
    """Deleted, unless an order names it: then archived, so the order keeps its line."""
    ordered = db.session.scalar(select(OrderLine.id).where(OrderLine.variant_id == variant.id))
    if ordered is None:
        db.session.delete(variant)
    else:
        variant.is_archived = True
    db.session.flush()


def _status_after_save(
    product: Product, maker: Membership, is_admin: bool, as_draft: bool, is_new: bool
) -> ProductStatus:
    coop = maker.cooperative
    status = product.status
    if not maker.is_active:  # an admin editing for a deactivated member: nothing goes on sale
        return status
    if status in (ProductStatus.DRAFT, ProductStatus.REJECTED):
        if as_draft:
            return ProductStatus.DRAFT if is_new or status == ProductStatus.DRAFT else status
        return (
            ProductStatus.ACTIVE
            if is_admin or not coop.reviews_new_products
            else (ProductStatus.PENDING)
        )
    if status == ProductStatus.ACTIVE and not is_admin and coop.reviews_edits:
        return ProductStatus.PENDING
    return status


def _snapshot(product: Product) -> dict:
    values = {
        name: getattr(product, name)
        for name in ("name", "category_id", "description", "pre_order_days", "length_cm",
                     "width_cm", "height_cm", "pirt_number", "halal_number", "bpom_number",
                     "permit_exemption", "status")
    }  # fmt: skip
    values["pirt_expires_on"] = str(product.pirt_expires_on or "")
    values["variants"] = [
        [v.sku, v.option_label, v.price, v.weight_grams, v.is_archived] for v in product.variants
    ]
    return {k: str(v) if not isinstance(v, (int, list)) else v for k, v in values.items()}
