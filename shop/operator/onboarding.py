"""Onboarding a cooperative from the operator's page: the cooperative, and an invitation for
its first admin (`flask coop create` is the other way in, for an account that exists)."""

import logging
from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select

from shop.accounts.models import User
from shop.accounts.services import normalise_email
from shop.audit.services import record_audit
from shop.coops.models import Cooperative, Invitation, Role
from shop.coops.services import (
    CoopDetails,
    invite_member,
    province_as_listed,
    unique_coop_slug,
)
from shop.errors import ShopError
from shop.extensions import db

logger = logging.getLogger(__name__)


class DuplicateCooperative(ShopError):
    pass


def onboard_cooperative(
    details: CoopDetails, admin_email: str, operator: User
) -> tuple[Cooperative, Invitation, str]:
    """Create the cooperative (the fee, hold days and minimum payout at their defaults, for
    its admin to set) and e-mail its first admin an invitation. Returns (cooperative,
    invitation, link), the link for the operator to share too. Raises DuplicateCooperative
    when a cooperative already has this legal registration number, UnknownProvince for a
    province not in the list; then nothing is written."""
    try:
        details = replace(details, province=province_as_listed(details.province))
        _refuse_duplicate(details.registration_number)
        coop = Cooperative(slug=unique_coop_slug(details.name), **details.__dict__)
        db.session.add(coop)
        db.session.flush()
        record_audit(operator, coop, "coop.created", coop, {"admin": normalise_email(admin_email)})
        # Commits the cooperative with the invitation: one unit of work.
        invitation, link = invite_member(coop, admin_email, Role.ADMIN, operator)
    except Exception:
        db.session.rollback()
        raise
    logger.info("cooperative %s onboarded by user %s", coop.slug, operator.id)
    return coop, invitation, link


def _refuse_duplicate(registration_number: str) -> None:
    if not registration_number:
        return
    existing = db.session.scalar(
        select(Cooperative.name).where(Cooperative.registration_number == registration_number)
    )
    if existing is not None:
        raise DuplicateCooperative(
            _("%(coop)s already has this registration number.", coop=existing),
            field="registration_number",
        )
