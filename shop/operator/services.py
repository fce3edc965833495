"""What the platform operator does to cooperatives, and the book check they start."""

import logging

from flask_babel import gettext as _

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.jobs.models import JobProgress
from shop.jobs.progress import start_job

logger = logging.getLogger(__name__)


def deactivate_cooperative(coop: Cooperative, actor: User) -> bool:
    """Close a cooperative: its shop leaves the storefront at once (the listing filters on
    is_active, and changing the row clears the page cache) and its console closes to its
    admins; its books and memberships stay. Audited. Returns False when it was closed."""
    return _set_active(coop, False, actor, "coop.deactivated")


def reactivate_cooperative(coop: Cooperative, actor: User) -> bool:
    """Open a closed cooperative again, as it was. Audited. Returns False when it was open."""
    return _set_active(coop, True, actor, "coop.reactivated")


def _set_active(coop: Cooperative, is_active: bool, actor: User, action: str) -> bool:
    if coop.is_active == is_active:
        return False
    try:
        # Through the ORM, not an UPDATE statement: the page cache listens for changed rows.
        coop.is_active = is_active
        record_audit(actor, coop, action, coop)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("%s: %s by user %s", action, coop.slug, actor.id)
    return True


def start_book_check(actor: User) -> JobProgress:
    """Queue a check of the whole ledger, watched on a progress page; returns its job."""
    from shop.operator.tasks import check_books

    job = start_job("check_books", actor.id, message=_("Checking the books"))
    enqueue_after_commit(check_books, job.id)
    db.session.commit()
    return job
