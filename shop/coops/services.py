"""Cooperative rules: onboarding, memberships, invitations, profiles."""

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import contains_eager

from shop.accounts.models import User
from shop.accounts.services import add_user, find_user_by_email, normalise_email
from shop.audit.services import record_audit
from shop.checkout.regions import province_named
from shop.coops.membership_admin import restore_suspended_products
from shop.coops.models import Cooperative, Invitation, Membership, Role
from shop.errors import ShopError
from shop.extensions import db
from shop.ids import is_row_id
from shop.money import format_bp_as_percent
from shop.notifications import events
from shop.outbox.services import queue_mail
from shop.reports.period import in_jakarta
from shop.timeutil import utcnow
from shop.tokens import hash_token, new_token

logger = logging.getLogger(__name__)


class AlreadyMember(ShopError):
    pass


class InvalidInvitation(ShopError):
    pass


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "item"


def get_coop_by_slug(slug: str) -> Cooperative | None:
    return db.session.scalar(
        select(Cooperative).where(Cooperative.slug == slug, Cooperative.is_active.is_(True))
    )


def find_membership(
    user: User, coop: Cooperative, include_former: bool = False
) -> Membership | None:
    """The user's active membership of the cooperative, if any; with include_former, also a
    deactivated one (a former member still sees and asks for what they are owed)."""
    query = select(Membership).where(
        Membership.user_id == user.id, Membership.cooperative_id == coop.id
    )
    if not include_former:
        query = query.where(Membership.is_active.is_(True))
    return db.session.scalar(query)


def memberships_of(user: User, include_former: bool = False) -> list[Membership]:
    query = (
        select(Membership)
        .join(Cooperative)
        .where(Membership.user_id == user.id, Cooperative.is_active.is_(True))
        .order_by(Cooperative.name)
    )
    if not include_former:
        query = query.where(Membership.is_active.is_(True))
    return list(db.session.scalars(query))


def members_of(coop: Cooperative) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .options(contains_eager(Membership.user))
            .where(Membership.cooperative_id == coop.id)
            .order_by(Membership.member_number)
        )
    )


def pending_invitations(coop: Cooperative) -> list[Invitation]:
    """Invitations that can still be accepted: not accepted, revoked or expired."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.cooperative_id == coop.id, _is_open())
            .where(Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        )
    )


def _is_open():
    return and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


def membership_in(coop: Cooperative, membership_id: int) -> Membership | None:
    """A membership of this cooperative, active or not; None for another cooperative's."""
    if not is_row_id(membership_id):
        return None
    membership = db.session.get(Membership, membership_id)
    return membership if membership is not None and membership.cooperative_id == coop.id else None


def invitation_in(coop: Cooperative, invitation_id: int) -> Invitation | None:
    if not is_row_id(invitation_id):
        return None
    invitation = db.session.get(Invitation, invitation_id)
    return invitation if invitation is not None and invitation.cooperative_id == coop.id else None


def unique_coop_slug(name: str) -> str:
    base = slugify(name)[:70]
    slug, n = base, 2
    while db.session.scalar(select(Cooperative.id).where(Cooperative.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _next_member_number(coop: Cooperative) -> str:
    count = db.session.scalar(
        select(func.count(Membership.id)).where(Membership.cooperative_id == coop.id)
    )
    return f"{count + 1:04d}"


def _add_membership(user: User, coop: Cooperative, role: Role, **profile) -> Membership:
    membership = Membership(
        user_id=user.id,
        cooperative_id=coop.id,
        role=role,
        member_number=_next_member_number(coop),
        **profile,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


@dataclass(frozen=True)
class CoopDetails:
    name: str
    city: str
    province: str
    registration_number: str = ""
    address: str = ""
    phone: str = ""
    whatsapp: str = ""
    description: str = ""
    pickup_address: str = ""
    opening_hours: str = ""
    fee_bp: int = 500
    hold_days: int = 3
    min_payout: int = 50_000
    reviews_new_products: bool = True
    reviews_edits: bool = False
    payouts_need_two_admins: bool = True


def create_cooperative(
    details: CoopDetails, admin_email: str, admin_name: str, admin_password: str | None
) -> tuple[Cooperative, Membership]:
    """Onboard a cooperative with its first admin (an existing account, or a new one when a
    password is given). Raises UnknownProvince, FeeTooHigh, or ShopError when the admin
    account is missing."""
    try:
        details = replace(details, province=province_as_listed(details.province))
        check_fee(details.fee_bp)
        coop = Cooperative(slug=unique_coop_slug(details.name), **details.__dict__)
        db.session.add(coop)
        db.session.flush()
        admin = find_user_by_email(admin_email)
        if admin is None:
            if not admin_password:
                raise ShopError(
                    _("No account with this e-mail exists; give a password to create it.")
                )
            admin = add_user(admin_email, admin_name, admin_password)
        membership = _add_membership(admin, coop, Role.ADMIN)
        record_audit(None, coop, "coop.created", coop, {"admin": admin.email})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("cooperative %s onboarded", coop.slug)
    return coop, membership


COOP_NUMBER_FIELDS = ("fee_bp", "hold_days", "min_payout")
COOP_FLAG_FIELDS = ("reviews_new_products", "reviews_edits", "payouts_need_two_admins")
COOP_TEXT_FIELDS = tuple(
    field
    for field in CoopDetails.__dataclass_fields__
    if field not in COOP_NUMBER_FIELDS + COOP_FLAG_FIELDS
)


class FeeTooHigh(ShopError):
    pass


class UnknownProvince(ShopError):
    pass


def province_as_listed(province: str, stored: str | None = None) -> str:
    """The province as regions.PROVINCES writes it ("di yogyakarta" -> "DI Yogyakarta"): the
    courier zones "same province" and "same island group" match only that spelling.

    Raises UnknownProvince for one not in the list, except `stored`, the value the
    cooperative already has, given back unchanged: a profile saved before the list keeps
    its province until an admin chooses one (their profile page asks them to), and a save of
    other fields does not rewrite it behind their back."""
    if stored is not None and province == stored:
        return stored
    listed = province_named(province)
    if listed is None:
        raise UnknownProvince(
            _("Choose one of Indonesia's 38 provinces from the list."), field="province"
        )
    return listed


def check_fee(fee_bp: int) -> None:
    """Raises FeeTooHigh above the operator's bound (COOP_FEE_MAX_BP)."""
    highest = current_app.config["COOP_FEE_MAX_BP"]
    if fee_bp > highest:
        raise FeeTooHigh(
            _("The fee can be at most %(max)s%%.", max=format_bp_as_percent(highest)),
            field="fee_percent",
        )


def update_coop_profile(coop: Cooperative, actor: User, details: CoopDetails) -> None:
    """Change a cooperative's profile, fee, hold period, minimum payout and review rules; the
    audit log keeps what changed. Raises FeeTooHigh, UnknownProvince (province_as_listed)."""
    details = replace(details, province=province_as_listed(details.province, coop.province))
    check_fee(details.fee_bp)
    changes = {}
    for field, value in details.__dict__.items():
        if getattr(coop, field) != value:
            changes[field] = [getattr(coop, field), value]
            setattr(coop, field, value)
    if changes:
        record_audit(actor, coop, "coop.profile_updated", coop, changes)
    db.session.commit()


@dataclass(frozen=True)
class MemberProfile:
    business_name: str
    story: str
    whatsapp: str
    bank_name: str
    bank_account_number: str
    bank_account_holder: str


MEMBER_PROFILE_FIELDS = tuple(MemberProfile.__dataclass_fields__)


def update_member_profile(membership: Membership, actor: User, profile: MemberProfile) -> None:
    """A member's own UMKM profile and payout account. Payout-account changes are audited,
    because they decide where money goes."""
    payout_fields = ("bank_name", "bank_account_number", "bank_account_holder")
    payout_changes = {
        field: [getattr(membership, field), getattr(profile, field)]
        for field in payout_fields
        if getattr(membership, field) != getattr(profile, field)
    }
    for field, value in profile.__dict__.items():
        setattr(membership, field, value)
    if payout_changes:
        record_audit(
            actor,
            membership.cooperative,
            "member.payout_account_changed",
            membership,
            payout_changes,
        )
    db.session.commit()


def invite_member(
    coop: Cooperative, email: str, role: Role, invited_by: User
) -> tuple[Invitation, str]:
    """Create an invitation and mail its link. Returns (invitation, link).
    Raises AlreadyMember when the address already belongs to a member."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None and find_membership(existing, coop) is not None:
        raise AlreadyMember(_("This person is already a member of the cooperative."), field="email")
    token, token_hash = new_token()
    max_age = current_app.config["INVITATION_MAX_AGE_SECONDS"]
    invitation = Invitation(
        cooperative_id=coop.id,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(seconds=max_age),
    )
    link = invitation_link(token)
    try:
        db.session.add(invitation)
        db.session.flush()
        record_audit(
            invited_by, coop, "member.invited", invitation, {"email": email, "role": role.value}
        )
        _queue_invitation_mail(email, coop, link, invited_by)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return invitation, link


def resend_invitation(invitation: Invitation, actor: User) -> str:
    """A new link for an invitation not yet accepted or revoked: the old link stops working
    (only a token's hash is stored, so a link cannot be shown twice), the expiry starts again
    and the new link is mailed. Returns the link. Raises InvalidInvitation."""
    token, token_hash = new_token()
    max_age = current_app.config["INVITATION_MAX_AGE_SECONDS"]
    before, expires_at = invitation.expires_at, utcnow() + timedelta(seconds=max_age)
    try:
        # Conditional, so an invitation accepted or revoked meanwhile is left alone.
        renewed = db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.token_hash == invitation.token_hash,  # not resent meanwhile
                _is_open(),
            )
            .values(token_hash=token_hash, expires_at=expires_at)
        ).rowcount
        if renewed != 1:
            raise InvalidInvitation(_("This invitation was accepted or revoked meanwhile."))
        link = invitation_link(token)
        valid_until = [in_jakarta(moment).date().isoformat() for moment in (before, expires_at)]
        record_audit(actor, invitation.cooperative, "member.invitation_resent", invitation,
                     {"valid_until": valid_until})  # fmt: skip
        _queue_invitation_mail(invitation.email, invitation.cooperative, link, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return link


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    """The invitation's link stops working for good. Raises InvalidInvitation when it was
    accepted or revoked already."""
    try:
        revoked = db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.token_hash == invitation.token_hash,  # not resent meanwhile
                _is_open(),
            )
            .values(revoked_at=utcnow())
        ).rowcount
        if revoked != 1:
            raise InvalidInvitation(_("This invitation was accepted or revoked already."))
        record_audit(actor, invitation.cooperative, "member.invitation_revoked", invitation,
                     {"email": invitation.email})  # fmt: skip
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("invitation %s revoked by user %s", invitation.id, actor.id)


def _queue_invitation_mail(email: str, coop: Cooperative, link: str, inviter: User) -> None:
    # The invitee's language is unknown: the invitation speaks the platform's default. If the
    # mail cannot be sent the invitation stands: the admin has the link to share on WhatsApp.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Invitation to join %(coop)s on Pasar Koperasi", coop=coop.name)
        body = render_template("coops/mail/invitation.txt", coop=coop, link=link, inviter=inviter)
    queue_mail(email, subject, body)


def invitation_link(token: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + f"/undangan/{token}"


def find_open_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= utcnow()
    ):
        return None
    if not invitation.cooperative.is_active:
        return None
    return invitation


def accept_invitation(
    token: str, user: User | None, name: str = "", password: str = ""
) -> tuple[User, Membership]:
    """Accept an invitation: as the signed-in user, or by creating the account for the invited
    address. Raises InvalidInvitation, AlreadyMember, EmailTaken."""
    try:
        invitation = find_open_invitation(token)
        if invitation is None:
            raise InvalidInvitation(_("This invitation is invalid, expired or already used."))
        coop = invitation.cooperative
        if user is None:
            user = add_user(invitation.email, name, password)
        membership = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.cooperative_id == coop.id
            )
        )
        if membership is not None and membership.is_active:
            raise AlreadyMember(_("You are already a member of this cooperative."))
        if membership is None:
            membership = _add_membership(user, coop, invitation.role)
            action, details = "member.joined", {"role": invitation.role.value}
        else:  # a former member coming back keeps their member number, and their products
            # The role before, for the role history (shop/coops/role_history.py).
            action = "member.rejoined"
            details = {"role": [membership.role.value, invitation.role.value],
                       "is_active": [False, True]}  # fmt: skip
            membership.is_active, membership.role = True, invitation.role
            restore_suspended_products(membership)
        # Claimed with a conditional UPDATE, so of two simultaneous acceptances one loses, and
        # so does an acceptance racing the admin's revoke.
        claimed = db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.token_hash == invitation.token_hash,  # not resent meanwhile
                _is_open(),
            )
            .values(accepted_at=utcnow(), accepted_by_id=user.id)
        ).rowcount
        if claimed != 1:
            raise InvalidInvitation(_("This invitation is invalid, expired or already used."))
        record_audit(user, coop, action, membership, details)
        events.invitation_accepted(membership)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("user %s joined cooperative %s", user.id, coop.slug)
    return user, membership
