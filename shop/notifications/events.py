"""What happened, and who must hear of it: one function per event, called by the service
that makes the change, inside its transaction (each flushes only)."""

from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, select

from shop.accounts.models import User
from shop.checkout.models import Order, OrderLine, OrderShipment, ShipmentStatus, ShippingMethod
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.notifications.services import (
    NewNotification,
    Recipient,
    record,
    record_for_all,
    record_many,
)
from shop.timeutil import utcnow

if TYPE_CHECKING:  # the payment's own values of a paid order; payments imports this module
    from shop.payments.paying import PaidOrder


def shopper_of(order: "Order | PaidOrder") -> Recipient:
    """The order's contact address, in the account's language (or the language the guest
    checked out in)."""
    user = db.session.get(User, order.user_id) if order.user_id else None
    language = user.language if user is not None else order.language
    return Recipient(order.user_id, order.contact_email, language)


def admins_of(cooperative_id: int) -> list[Recipient]:
    return admins_of_each([cooperative_id])[cooperative_id]


def admins_of_each(cooperative_ids: list[int]) -> dict[int, list[Recipient]]:
    """Each cooperative's active admins (by user id), in one query of the columns needed."""
    rows = db.session.execute(_admins_statement(), {"cooperative_ids": cooperative_ids})
    admins: dict[int, list[Recipient]] = {cooperative_id: [] for cooperative_id in cooperative_ids}
    for cooperative_id, user_id, email, language in rows:
        admins[cooperative_id].append(Recipient(user_id, email, language))
    return admins


@cache
def _admins_statement() -> Select:
    """admins_of_each()'s query, built once: a paid order runs it, with its cooperatives."""
    return (
        select(Membership.cooperative_id, User.id, User.email, User.language)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.cooperative_id.in_(bindparam("cooperative_ids", expanding=True)),
            Membership.role == Role.ADMIN,
            Membership.is_active.is_(True),
            User.is_active.is_(True),
        )
        .order_by(Membership.cooperative_id, User.id)
    )


def operators() -> list[Recipient]:
    users = db.session.scalars(
        select(User).where(User.is_operator.is_(True), User.is_active.is_(True)).order_by(User.id)
    ).all()
    return [Recipient.of(user) for user in users]


def _with_option(name: str, option: str) -> str:
    return f"{name} ({option})" if option else name


def _member(membership_id: int) -> tuple[Membership, Recipient]:
    membership = db.session.get(Membership, membership_id)
    return membership, Recipient.of(membership.user)


def order_placed(order: Order, access_token: str) -> None:
    params = {"number": order.number, "total": order.grand_total,
              "expires_at": order.expires_at.isoformat()}  # fmt: skip
    secret = access_token if order.user_id is None else None  # a guest's only way back
    placed = NewNotification("order_placed", shopper_of(order), order.number, params, secret)
    record_many([placed])


def _members(membership_ids: list[int]) -> dict[int, tuple[Recipient, int, str]]:
    """These memberships' users as recipients, with their cooperative's id and slug, in one
    query of the columns needed (not three rows' objects each)."""
    rows = db.session.execute(_members_statement(), {"membership_ids": membership_ids})
    return {
        membership_id: (Recipient(user_id, email, language), cooperative_id, slug)
        for membership_id, user_id, email, language, cooperative_id, slug in rows
    }


@cache
def _members_statement() -> Select:
    """_members()'s query, built once: a paid order runs it, with its members."""
    return (
        select(Membership.id, User.id, User.email, User.language, Cooperative.id, Cooperative.slug)
        .join(User, User.id == Membership.user_id)
        .join(Cooperative, Cooperative.id == Membership.cooperative_id)
        .where(Membership.id.in_(bindparam("membership_ids", expanding=True)))
    )


def order_paid(order: "Order | PaidOrder") -> None:
    """The shopper; each member with lines in it (what to prepare); each cooperative's admins.
    Three statements however many members and cooperatives: the members, the admins, and
    the one INSERT that records them all."""
    number = order.number
    notifications = [
        NewNotification("order_paid", shopper_of(order), number,
                        {"number": number, "total": order.grand_total})
    ]  # fmt: skip
    lines = order.lines  # by id; read already by the payment rules that called here
    by_member: dict[int, list[dict]] = defaultdict(list)
    by_coop: dict[int, list[OrderLine]] = defaultdict(list)
    for line in lines:
        name = (
            f"{line.product_name} ({line.variant_label})"
            if line.variant_label
            else line.product_name
        )
        by_member[line.member_id].append({"name": name, "quantity": line.quantity})
        by_coop[line.cooperative_id].append(line)
    members, slugs = _members(list(by_member)), {}
    for member_id, items in by_member.items():
        recipient, cooperative_id, slugs[cooperative_id] = members[member_id]
        params = {"number": number, "items": items, "coop_slug": slugs[cooperative_id]}
        notifications.append(NewNotification("member_new_order", recipient, number, params))
    admins = admins_of_each(list(by_coop))
    for cooperative_id, coop_lines in by_coop.items():
        # Every cooperative of the order has a member with lines in it: its slug is known.
        params = {"number": number, "coop_slug": slugs[cooperative_id],
                  "count": sum(line.quantity for line in coop_lines),
                  "total": sum(line.line_total for line in coop_lines)}  # fmt: skip
        notifications += [
            NewNotification("admin_new_order", admin, number, params)
            for admin in admins[cooperative_id]
        ]
    record_many(notifications)


def order_closed(order: Order, status: str) -> None:
    record("order_closed", shopper_of(order), order.number,
           {"number": order.number, "status": str(status)})  # fmt: skip


SHOPPER_KIND_FOR_MOVE = {
    ShipmentStatus.PACKED: "part_packed",
    ShipmentStatus.SHIPPED: "part_shipped",
    ShipmentStatus.DELIVERED: "part_delivered",
    ShipmentStatus.COMPLETED: "part_completed",
}


def shipment_moved(order: Order, shipment: OrderShipment) -> None:
    kind = SHOPPER_KIND_FOR_MOVE[shipment.status]
    params = {"number": order.number, "coop": shipment.cooperative.name,
              "method": str(shipment.method), "tracking": shipment.tracking_number}  # fmt: skip
    if shipment.method == ShippingMethod.PICKUP and shipment.status == ShipmentStatus.SHIPPED:
        # Ready for pickup: where and when to collect it, as they were at that moment.
        params |= {"pickup_place": shipment.cooperative.pickup_place,
                   "opening_hours": shipment.cooperative.opening_hours}  # fmt: skip
    record(kind, shopper_of(order), f"{order.number}:{shipment.cooperative_id}", params)


def part_completed_for_members(order: Order, cooperative_id: int, amounts: dict[int, int]) -> None:
    """Each member whose pending earnings on the part just became available."""
    for member_id, amount in sorted(amounts.items()):
        if amount > 0:
            membership, recipient = _member(member_id)
            params = {"number": order.number, "amount": amount,
                      "coop_slug": membership.cooperative.slug}  # fmt: skip
            record("member_part_completed", recipient, f"{order.number}:{cooperative_id}", params)


def order_refunded(
    order: Order, refund_key: str, amount: int, items: list[dict], bank_reference: str | None
) -> None:
    """bank_reference: the transfer the cooperative made, for a refund Midtrans could not
    make (None: Midtrans refunded the payment method)."""
    params = {"number": order.number, "amount": amount, "items": items,
              "bank_reference": bank_reference}  # fmt: skip
    record("order_refunded", shopper_of(order), refund_key, params)


def refund_to_allocate(order: Order, refund) -> None:
    """A refund made at Midtrans (its dashboard): the admins of every cooperative in the order
    are asked to say which of their lines it was for."""
    coop_ids = sorted({line.cooperative_id for line in order.lines})
    for coop_id in coop_ids:
        coop = db.session.get(Cooperative, coop_id)
        params = {"number": order.number, "coop_slug": coop.slug, "amount": refund.amount}
        record_for_all(
            "admin_refund_to_allocate", admins_of(coop_id), refund.gateway_refund_key, params
        )


def refund_failed(order: Order, cooperative_id: int, attempt: str, amount: int, reason: str):
    coop = db.session.get(Cooperative, cooperative_id)
    params = {"number": order.number, "coop_slug": coop.slug, "amount": amount,
              "reason": reason[:300]}  # fmt: skip
    record_for_all("admin_refund_failed", admins_of(cooperative_id), attempt, params)


def payout_requested(payout) -> None:
    membership = db.session.get(Membership, payout.member_id)
    params = {"member": membership.display_name, "amount": payout.amount,
              "coop_slug": membership.cooperative.slug}  # fmt: skip
    record_for_all("admin_payout_requested", admins_of(payout.cooperative_id), str(payout.id),
                   params)  # fmt: skip


def payout_batch_prepared(batch, payouts: list, preparer: User) -> None:
    """A batch of payouts waits for a second admin: every other active admin hears."""
    coop = db.session.get(Cooperative, batch.cooperative_id)
    params = {"admin": preparer.name, "count": len(payouts),
              "total": sum(payout.amount for payout in payouts), "coop_slug": coop.slug,
              "batch_id": batch.id}  # fmt: skip
    admins = [admin for admin in admins_of(coop.id) if admin.user_id != preparer.id]
    record_for_all("admin_payout_batch_prepared", admins, str(batch.id), params)


def payout_decided(payout, kind: str) -> None:
    """payout_approved, payout_paid (with the transfer reference) or payout_rejected (with
    the reason), to the member."""
    membership, recipient = _member(payout.member_id)
    params = {"amount": payout.amount, "coop_slug": membership.cooperative.slug,
              "reference": payout.transfer_reference or "",
              "reason": payout.rejection_reason or ""}  # fmt: skip
    record(kind, recipient, str(payout.id), params)


def payout_returned(payout) -> None:
    """A paid payout the bank sent back: the member and the cooperative's admins hear."""
    membership, recipient = _member(payout.member_id)
    params = {"amount": payout.amount, "coop_slug": membership.cooperative.slug,
              "member": membership.display_name,
              "reference": payout.iris_reference or payout.transfer_reference or ""}  # fmt: skip
    record("payout_returned", recipient, str(payout.id), params)
    record_for_all("admin_payout_returned", admins_of(payout.cooperative_id), str(payout.id),
                   params)  # fmt: skip


def invitation_accepted(membership: Membership) -> None:
    user = membership.user
    coop = membership.cooperative
    params = {"name": user.name, "email": user.email, "coop": coop.name, "coop_slug": coop.slug}
    admins = [admin for admin in admins_of(coop.id) if admin.user_id != user.id]
    record_for_all("admin_invitation_accepted", admins, str(membership.id), params)


def stock_fell(variant_stock: dict[int, tuple[int, int]]) -> None:
    """variant id -> (stock before, stock after) of a reservation: the maker and the
    cooperative's admins hear when a variant falls to or below the maker's threshold, once
    per crossing. place_order passes only the variants that crossed it: most orders none."""
    from shop.catalog.models import Product, ProductVariant

    if not variant_stock:
        return

    rows = db.session.execute(
        select(ProductVariant, Product, Membership)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Membership, Membership.id == Product.member_id)
        .where(ProductVariant.id.in_(list(variant_stock)))
        .order_by(ProductVariant.id)
    ).all()
    for variant, product, membership in rows:
        before, after = variant_stock[variant.id]
        threshold = membership.low_stock_threshold
        if after <= threshold < before:
            name = (
                f"{product.name} ({variant.option_label})" if variant.option_label else product.name
            )
            params = {"name": name, "stock": after, "product_slug": product.slug}
            recipients = [Recipient.of(membership.user), *admins_of(product.cooperative_id)]
            record_for_all("low_stock", recipients, f"{variant.id}:{before}:{after}", params)


def reconciliation_flagged(cooperative_id: int, day: str, params: dict) -> None:
    record_for_all("reconciliation_flagged", admins_of(cooperative_id), day, params)


def reconciliation_exceptions_opened(coop: Cooperative, count: int, run_at: str) -> None:
    """The daily reconciliation opened `count` new exceptions: the admins hear once a run."""
    params = {"count": count, "coop_slug": coop.slug}
    record_for_all("admin_reconciliation_exceptions", admins_of(coop.id), run_at, params)


def supervision_report_submitted(report, pengawas: User) -> None:
    """The pengawas handed a report to the pengurus: the admins hear."""
    coop = db.session.get(Cooperative, report.cooperative_id)
    params = {"pengawas": pengawas.name, "title": report.title, "year": report.year,
              "coop_slug": coop.slug, "report_id": report.id}  # fmt: skip
    record_for_all("admin_supervision_report", admins_of(coop.id), str(report.id), params)


def product_to_review(product) -> None:
    """A member's new product or edit waits for the cooperative's admins."""
    membership = db.session.get(Membership, product.member_id)
    params = {"name": product.name, "member": membership.display_name,
              "coop_slug": membership.cooperative.slug}  # fmt: skip
    event = f"{product.id}:{product.updated_at.isoformat()}"
    record_for_all("admin_product_to_review", admins_of(product.cooperative_id), event, params)


def product_reviewed(product, approved: bool) -> None:
    membership, recipient = _member(product.member_id)
    params = {"name": product.name, "reason": product.review_note, "product_id": product.id,
              "coop_slug": membership.cooperative.slug, "slug": product.slug}  # fmt: skip
    kind = "product_approved" if approved else "product_rejected"
    record(kind, recipient, f"{product.id}:{product.updated_at.isoformat()}", params)


def product_changed_by_admin(product, admin: User, change: str) -> None:
    """The maker hears when an admin archives or edits their product (not their own)."""
    membership, recipient = _member(product.member_id)
    if admin.id == membership.user_id:
        return
    params = {"name": product.name, "product_id": product.id, "change": change,
              "admin": admin.name, "coop_slug": membership.cooperative.slug}  # fmt: skip
    record("product_changed_by_admin", recipient,
           f"{product.id}:{change}:{product.updated_at.isoformat()}", params)  # fmt: skip


def review_received(review) -> None:
    """The maker hears of a new review of their product, to read and perhaps reply."""
    membership, recipient = _member(review.member_id)
    excerpt = review.text if len(review.text) <= 140 else review.text[:139].rstrip() + "…"
    params = {"rating": review.rating, "name": review.item_name, "excerpt": excerpt,
              "coop_slug": membership.cooperative.slug}  # fmt: skip
    record("review_received", recipient, str(review.id), params)


def membership_changed(membership: Membership, change: str, admin: User) -> None:
    """The member hears that an admin deactivated, reactivated or changed their role
    (change: "deactivated", "reactivated", "admin" or "member"); not of their own doing."""
    if admin.id == membership.user_id:
        return
    params = {"change": change, "coop": membership.cooperative.name, "admin": admin.name,
              "coop_slug": membership.cooperative.slug}  # fmt: skip
    event = f"{membership.id}:{change}:{utcnow().isoformat()}"
    record("membership_changed", Recipient.of(membership.user), event, params)


def permit_expired(product, day: str) -> None:
    """The member and the admins, once per product and expiry date."""
    membership, recipient = _member(product.member_id)
    params = {"name": product.name, "product_id": product.id, "expired_on": day,
              "coop_slug": membership.cooperative.slug}  # fmt: skip
    event = f"{product.id}:{day}"
    record_for_all("permit_expired", [recipient, *admins_of(product.cooperative_id)], event, params)


def operators_told(kind: str, event: str, params: dict) -> None:
    record_for_all(kind, operators(), event, params)


def shu_shared(distribution) -> None:
    """Each member given a share of the year's SHU: how much and where it went."""
    coop = db.session.get(Cooperative, distribution.cooperative_id)
    for share in distribution.shares:
        if share.total > 0:
            recipient = _member(share.member_id)[1]
            params = {"year": distribution.year, "amount": share.total, "coop_slug": coop.slug,
                      "destination": str(distribution.destination)}  # fmt: skip
            record("member_shu_shared", recipient, f"{coop.id}:{distribution.year}", params)
