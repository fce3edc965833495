"""Reading reviews: a product page's (visible only, with how many of each star, in one query
and one for the photos), an order's, a member's and a cooperative's."""

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Product
from shop.catalog.product_page import PageProduct
from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.pagination import Page, paginate
from shop.reviews.models import Review

REVIEWS_PER_PAGE = 10
STARS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class ProductReviews:
    """What a product page shows of its reviews: a page of them, newest first, and the
    number of visible reviews with each number of stars."""

    page: Page
    stars: dict[int, int] = field(default_factory=dict)

    @property
    def distribution(self) -> list[tuple[int, int, int]]:
        """(stars, reviews, percent of all), five stars first."""
        total = sum(self.stars.values()) or 1
        return [(n, self.stars.get(n, 0), round(100 * self.stars.get(n, 0) / total)) for n in STARS]


def product_reviews(product: Product | PageProduct, page_number: int) -> ProductReviews | None:
    """The visible reviews of a product, or None when it has none (and no query is run).
    The star counts ride on the page's rows as window sums, so reviews, counts and total
    cost one query, and the photos one more."""
    if not product.rating_count:
        return None
    per_star = [
        func.sum(case((Review.rating == n, 1), else_=0)).over().label(f"stars_{n}") for n in STARS
    ]
    statement = (
        select(Review, *per_star)
        .where(Review.product_id == product.id, Review.hidden_at.is_(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(REVIEWS_PER_PAGE)
        .offset((page_number - 1) * REVIEWS_PER_PAGE)
        .options(selectinload(Review.photos))
    )
    rows = db.session.execute(statement).all()
    stars = {n: int(getattr(rows[0], f"stars_{n}")) for n in STARS} if rows else {}
    page = Page(
        items=[row[0] for row in rows],
        number=page_number,
        per_page=REVIEWS_PER_PAGE,
        total=sum(stars.values()) if rows else product.rating_count,
    )
    return ProductReviews(page=page, stars=stars)


def reviews_of_order(order: Order) -> dict[int, Review]:
    """Order line id -> its review, for the order page (one query, photos with it)."""
    reviews = db.session.scalars(
        select(Review).where(Review.order_id == order.id).options(selectinload(Review.photos))
    )
    return {review.order_line_id: review for review in reviews}


def find_review(review_id: int) -> Review | None:
    return db.session.get(Review, review_id)


def member_reviews(member: Membership, page_number: int) -> Page:
    """Visible reviews of the member's products, newest first (a hidden one is the
    cooperative's business: its words may be abusive)."""
    statement = (
        select(Review)
        .where(Review.member_id == member.id, Review.hidden_at.is_(None))
        .options(selectinload(Review.photos))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return paginate(statement, page_number, REVIEWS_PER_PAGE)


def cooperative_reviews(cooperative: Cooperative, page_number: int, hidden_only: bool) -> Page:
    """Every review of the cooperative's products, newest first, or only the hidden ones."""
    statement = select(Review).where(Review.cooperative_id == cooperative.id)
    if hidden_only:
        statement = statement.where(Review.hidden_at.is_not(None))
    statement = statement.options(selectinload(Review.photos)).order_by(
        Review.created_at.desc(), Review.id.desc()
    )
    return paginate(statement, page_number, REVIEWS_PER_PAGE)
