"""Duplicating a product: a draft to start a similar one from."""

from flask_babel import gettext as _

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.extensions import db
from shop.products.editor import NAME_MAX, NotAllowed, generated_sku, may_manage, unique_slug


def duplicate_product(actor: User, product: Product) -> Product:
    """A draft copy to start a similar product from: same details and variants (new SKUs,
    no stock), no photos. Raises NotAllowed."""
    try:
        maker = product.member
        if not may_manage(actor, maker):
            raise NotAllowed(_("You cannot manage this member's products."))
        copy = Product(
            cooperative_id=product.cooperative_id,
            member_id=product.member_id,
            category_id=product.category_id,
            name=_("%(name)s (copy)", name=product.name)[:NAME_MAX],
            slug=unique_slug(product.name),
            description=product.description,
            status=ProductStatus.DRAFT,
            **{name: getattr(product, name) for name in COPIED},
        )
        db.session.add(copy)
        db.session.flush()
        for variant in product.variants:
            db.session.add(
                ProductVariant(product_id=copy.id, sku=generated_sku(copy), price=variant.price,
                               option_label=variant.option_label, stock=0,
                               weight_grams=variant.weight_grams, position=variant.position)
            )  # fmt: skip
        db.session.flush()
        record_audit(actor, maker.cooperative, "product.duplicated", copy, {"from": product.id})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return copy


COPIED = ("weight_grams", "length_cm", "width_cm", "height_cm", "pre_order_days", "pirt_number",
          "pirt_expires_on", "halal_number", "bpom_number", "permit_exemption")  # fmt: skip
