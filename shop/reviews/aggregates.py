"""What cards and product pages show without counting rows: each product's visible reviews
(rating_count, rating_sum, rating_average_centi) and its units sold (sold_count).

Services change them by relative UPDATEs inside their own transaction, so two reviews or
refunds of one product at once both count (the row lock orders them). `flask reviews
recount` computes them all again from the rows, for data older than the columns.

sold_count is "units in paid orders less units refunded": the payment rules add the units
when an order is paid (shop/payments/services.py), take_back_sold() removes refunded ones.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import case, func, select, update

from shop.catalog.models import Product
from shop.checkout.models import Order, OrderLine
from shop.extensions import db
from shop.ledger.models import RefundLine
from shop.payments.services import PAID_OR_LATER
from shop.reviews.models import Review


def _average_centi(count, stars):
    """The average x 100, rounded half up, in integer SQL arithmetic (0 when no review)."""
    return case((count > 0, (stars * 200 + count) // (count * 2)), else_=0)


def add_to_rating(product_id: int, count: int, stars: int) -> None:
    """Add count reviews worth stars in all (negative to take them away). Flushes."""
    new_count, new_stars = Product.rating_count + count, Product.rating_sum + stars
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(
            rating_count=new_count,
            rating_sum=new_stars,
            rating_average_centi=_average_centi(new_count, new_stars),
        )
        .execution_options(synchronize_session=False)
    )


def take_back_sold(units_by_line: Iterable[tuple[OrderLine, int]]) -> None:
    """Refunded units are no longer sold: lower the products' sold_count. Flushes."""
    units: dict[int, int] = defaultdict(int)
    for line, quantity in units_by_line:
        units[line.product_id] += quantity
    for product_id in sorted(units):  # a fixed order, like every other multi-row update
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(sold_count=Product.sold_count - units[product_id])
            .execution_options(synchronize_session=False)
        )


def recount_all() -> int:
    """Compute every product's sold and rating columns from the orders, refunds and visible
    reviews; commits. Returns how many products changed."""
    sold = _sums(
        select(OrderLine.product_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(PAID_OR_LATER))
        .group_by(OrderLine.product_id)
    )
    refunded = _sums(
        select(OrderLine.product_id, func.sum(RefundLine.quantity))
        .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
        .group_by(OrderLine.product_id)
    )
    ratings = {
        product_id: (int(count), int(stars))
        for product_id, count, stars in db.session.execute(
            select(Review.product_id, func.count(), func.sum(Review.rating))
            .where(Review.hidden_at.is_(None))
            .group_by(Review.product_id)
        )
    }
    changed = 0
    for product in db.session.scalars(select(Product).order_by(Product.id)):
        count, stars = ratings.get(product.id, (0, 0))
        values = {
            "sold_count": sold.get(product.id, 0) - refunded.get(product.id, 0),
            "rating_count": count,
            "rating_sum": stars,
            "rating_average_centi": (stars * 200 + count) // (count * 2) if count else 0,
        }
        if any(getattr(product, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(product, name, value)
            changed += 1
    db.session.commit()
    return changed


def _sums(statement) -> dict[int, int]:
    return {product_id: int(total) for product_id, total in db.session.execute(statement)}
