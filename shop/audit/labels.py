"""What each kind of audit row says to a reader. An action missing here (a feature added one
since) still shows, as its raw name."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "coop.created": _l("Cooperative created"),
    "coop.profile_updated": _l("Profile, fee or review rules changed"),
    "coop.shipping_updated": _l("Shipping settings changed"),
    "coop.deactivated": _l("Cooperative closed by the platform"),
    "coop.reactivated": _l("Cooperative reopened by the platform"),
    "member.invited": _l("Member invited"),
    "member.invitation_resent": _l("Invitation sent again with a new link"),
    "member.invitation_revoked": _l("Invitation revoked"),
    "member.joined": _l("Member joined"),
    "member.rejoined": _l("Former member rejoined"),
    "member.role_changed": _l("Role changed"),
    "member.deactivated": _l("Member deactivated"),
    "member.reactivated": _l("Member reactivated"),
    "member.payout_account_changed": _l("Payout account changed"),
    "product.created": _l("Product created"),
    "product.updated": _l("Product edited"),
    "product.duplicated": _l("Product duplicated"),
    "product.photos": _l("Product photos changed"),
    "product.quick_edit": _l("Price or stock changed"),
    "product.bulk_edit": _l("Price or stock changed for several products"),
    "product.imported": _l("Products imported"),
    "product.approved": _l("Product approved"),
    "product.rejected": _l("Product rejected"),
    "product.archived": _l("Product archived"),
    "product.restored": _l("Product restored"),
    "product.featured": _l("Product featured on the home page"),
    "product.unfeatured": _l("Product no longer featured"),
    "shipment.packed": _l("Order packed"),
    "shipment.shipped": _l("Order shipped"),
    "shipment.delivered": _l("Order delivered"),
    "shipment.completed": _l("Order completed"),
    "order.refunded": _l("Refund"),
    "order.refund_refused": _l("Refund refused by the payment service"),
    "review.hidden": _l("Review hidden"),
    "review.shown": _l("Hidden review shown again"),
    "payout.requested": _l("Payout requested"),
    "payout.approved": _l("Payout approved"),
    "payout.paid": _l("Payout paid"),
    "payout.rejected": _l("Payout rejected"),
    "payout.returned": _l("Payout returned by the bank"),
    "payout.resent": _l("Payout sent through Midtrans Iris again"),
    "payout_batch.prepared": _l("Payout batch prepared"),
    "payout_batch.approved": _l("Payout batch approved"),
    "payout_batch.cancelled": _l("Payout batch cancelled"),
    "payout_batch.payout_removed": _l("Payout taken out of a batch"),
    "savings.settings": _l("Simpanan amounts changed"),
    "savings.deposit": _l("Simpanan deposit recorded"),
    "savings.withdrawal": _l("Simpanan withdrawal recorded"),
    "shu.settings": _l("SHU percentages changed"),
    "shu.confirmed": _l("SHU shared out"),
    "rat.recorded": _l("RAT recorded"),
    "supervision.written": _l("Supervision report drafted"),
    "supervision.edited": _l("Supervision report draft edited"),
    "supervision.submitted": _l("Supervision report submitted"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# The names of the details most rows carry; any other shows as stored.
DETAIL_LABELS = {
    "name": _l("Name"), "city": _l("City or regency"), "province": _l("Province"),
    "registration_number": _l("Legal registration number"), "address": _l("Address"),
    "phone": _l("Phone"), "whatsapp": _l("WhatsApp"), "description": _l("Description"),
    "pickup_address": _l("Pickup address"), "opening_hours": _l("Opening hours for pickup"),
    "fee_bp": _l("Cooperative fee (%)"),
    "hold_days": _l("Days after delivery before members can withdraw"),
    "min_payout": _l("Minimum payout"), "reviews_new_products": _l("Review new products"),
    "reviews_edits": _l("Review edits of products on sale"), "business_name": _l("Business"),
    "story": _l("Story"), "bank_name": _l("Bank"), "bank_account_number": _l("Account number"),
    "bank_account_holder": _l("Account holder"), "account": _l("Account number"),
    "role": _l("Role"), "is_active": _l("Active"), "email": _l("E-mail"),
    "amount": _l("Amount"), "reference": _l("Transfer reference"), "reason": _l("Reason"),
    "products_suspended": _l("Products taken off sale"),
    "products_restored": _l("Products back on sale"), "valid_until": _l("Valid until"),
    "status": _l("Status"), "price": _l("Price"), "stock": _l("Stock"),
    "attempt": _l("Attempt"),
}  # fmt: skip
ROLE_LABELS = {"admin": _l("Admin"), "member": _l("Member")}


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key
