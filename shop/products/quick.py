"""Changes from the lists, without the editor: one variant's price and stock from the
member's list, and the admin's price or stock for many products at once."""

from flask_babel import gettext as _

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Product, ProductVariant
from shop.extensions import db
from shop.notifications import events
from shop.pagecache import bump_catalog_version
from shop.products.editor import (
    PRICE_MAX,
    STOCK_MAX,
    NotAllowed,
    ProductRefused,
    _change_stock,
    may_manage,
)


def _check(price: int | None, stock: int | None) -> None:
    if price is not None and not 0 < price <= PRICE_MAX:
        raise ProductRefused(_("Enter a price above Rp 0."), field="price")
    if stock is not None and not 0 <= stock <= STOCK_MAX:
        raise ProductRefused(_("Enter 0 to %(max)d.", max=STOCK_MAX), field="stock")


def quick_edit(
    actor: User, variant: ProductVariant, price: int, stock: int, stock_seen: int
) -> None:
    """The member list's edit of one variant: the price as typed, the stock as a change from
    what the list showed (a sale meanwhile stays sold). Raises NotAllowed, ProductRefused."""
    try:
        maker = variant.product.member
        if not may_manage(actor, maker):
            raise NotAllowed(_("You cannot manage this member's products."))
        _check(price, stock)
        before = [variant.price, variant.stock]
        variant.price = price
        db.session.flush()
        _change_stock(variant, stock - stock_seen, 0)
        details = {"variant": variant.sku, "price_stock": [before, [price, variant.stock]]}
        record_audit(actor, maker.cooperative, "product.quick_edit", variant.product, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    bump_catalog_version()


def set_price_or_stock(
    actor: User, product: Product, price: int | None = None, stock: int | None = None
) -> None:
    """The admin's bulk action: every live variant of the product at this price, or this
    stock (as an absolute number, what the admin chose for all). Raises NotAllowed,
    ProductRefused."""
    try:
        if not may_manage(actor, product.member):
            raise NotAllowed(_("You cannot manage this member's products."))
        _check(price, stock)
        before = [[v.sku, v.price, v.stock] for v in product.variants]
        for variant in product.variants:
            if price is not None:
                variant.price = price
            if stock is not None:
                variant.stock = stock
        db.session.flush()
        after = [[v.sku, v.price, v.stock] for v in product.variants]
        record_audit(actor, product.cooperative, "product.bulk_edit", product,
                     {"variants": [before, after]})  # fmt: skip
        if before != after:
            events.product_changed_by_admin(product, actor, "edited")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    bump_catalog_version()
