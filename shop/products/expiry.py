"""Each day: products on sale whose P-IRT expired are flagged to their member and admins (the
product page already stops showing the number)."""

from sqlalchemy import select

from shop.catalog.models import Product, ProductStatus
from shop.extensions import db
from shop.reports.period import today_in_jakarta


def flag_expired_permits() -> int:
    """Notify once per product and expiry date; returns how many products are flagged."""
    from shop.notifications import events

    today = today_in_jakarta()
    products = db.session.scalars(
        select(Product)
        .where(Product.status == ProductStatus.ACTIVE, Product.pirt_expires_on < today)
        .order_by(Product.id)
    ).all()
    for product in products:
        events.permit_expired(product, product.pirt_expires_on.isoformat())
    db.session.commit()
    return len(products)
