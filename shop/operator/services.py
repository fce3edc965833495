"""Platform-wide figures for the operator."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.catalog.models import Product, ProductStatus
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.jobs.models import JobProgress
from shop.jobs.progress import start_job


@dataclass(frozen=True)
class CoopFigures:
    cooperative: Cooperative
    member_count: int
    active_product_count: int


def platform_figures() -> list[CoopFigures]:
    """Each cooperative with its active members and products on sale, in two queries."""
    members = dict(
        db.session.execute(
            select(Membership.cooperative_id, func.count())
            .where(Membership.is_active.is_(True))
            .group_by(Membership.cooperative_id)
        ).all()
    )
    products = dict(
        db.session.execute(
            select(Product.cooperative_id, func.count())
            .where(Product.status == ProductStatus.ACTIVE)
            .group_by(Product.cooperative_id)
        ).all()
    )
    coops = db.session.scalars(select(Cooperative).order_by(Cooperative.name))
    return [CoopFigures(coop, members.get(coop.id, 0), products.get(coop.id, 0)) for coop in coops]


def start_book_check(actor: User) -> JobProgress:
    """Queue a check of the whole ledger, watched on a progress page; returns its job."""
    from shop.operator.tasks import check_books

    job = start_job("check_books", actor.id, message=_("Checking the books"))
    enqueue_after_commit(check_books, job.id)
    db.session.commit()
    return job
