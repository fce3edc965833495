"""Every kind of notification: who gets it, and its words in the reader's language.

Each kind renders its stored params into a Message: a title (the in-app line and the mail's
subject), a few lines of detail, and the page where the reader acts on it. Rendering runs
under the reader's locale (flask_babel.force_locale), so money reads "Rp 25.000" and times
are in Jakarta time in either language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.money import format_rupiah

SHOPPER, MEMBER, ADMIN, OPERATOR = "shopper", "member", "admin", "operator"


@dataclass(frozen=True)
class Message:
    title: str
    lines: list[str] = field(default_factory=list)
    endpoint: str = "notifications.index"
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    name: str
    audience: str
    label: str  # lazy: what the settings page calls this kind
    render: Callable[[dict], Message]
    mail_template: str = ""  # a fuller mail body than the lines, given the order


KINDS: dict[str, Kind] = {}


def kind(name: str, audience: str, label, mail_template: str = "") -> Callable:
    def register(render: Callable[[dict], Message]) -> Callable[[dict], Message]:
        KINDS[name] = Kind(name, audience, label, render, mail_template)
        return render

    return register


def _when(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso), "medium")


def _order_page(number: str) -> dict:
    return {"number": number}


# --- the shopper ---------------------------------------------------------------------------


@kind("order_placed", SHOPPER, _l("Order placed"), "orders/mail/placed.txt")
def _order_placed(p: dict) -> Message:
    return Message(
        _("Your order %(number)s: waiting for payment", number=p["number"]),
        [
            _("Total to pay: %(amount)s", amount=format_rupiah(p["total"])),
            _("Please pay before %(deadline)s WIB.", deadline=_when(p["expires_at"])),
        ],
        "orders.detail",
        _order_page(p["number"]),
    )


@kind("order_paid", SHOPPER, _l("Payment received"), "orders/mail/paid.txt")
def _order_paid(p: dict) -> Message:
    return Message(
        _("Payment received for order %(number)s", number=p["number"]),
        [_("We received %(amount)s. Each cooperative now packs its part.",
           amount=format_rupiah(p["total"]))],
        "orders.detail",
        _order_page(p["number"]),
    )  # fmt: skip


@kind("part_packed", SHOPPER, _l("Order packed"))
def _part_packed(p: dict) -> Message:
    return Message(
        _("%(coop)s packed your order %(number)s", coop=p["coop"], number=p["number"]),
        [],
        "orders.detail",
        _order_page(p["number"]),
    )


@kind("part_shipped", SHOPPER, _l("Order shipped or ready for pickup"))
def _part_shipped(p: dict) -> Message:
    if p.get("method") == "pickup":
        title = _(
            "Your order %(number)s is ready for pickup at %(coop)s",
            number=p["number"],
            coop=p["coop"],
        )
    else:
        title = _("%(coop)s sent your order %(number)s", coop=p["coop"], number=p["number"])
    lines = (
        [_("Tracking number: %(tracking)s", tracking=p["tracking"])] if p.get("tracking") else []
    )
    if p.get("pickup_place"):  # older notifications were recorded without it
        lines.append(_("Pick up at %(place)s", place=p["pickup_place"]))
    if p.get("opening_hours"):
        lines.append(_("Opening hours: %(hours)s", hours=p["opening_hours"]))
    return Message(title, lines, "orders.detail", _order_page(p["number"]))


@kind("part_delivered", SHOPPER, _l("Order delivered"))
def _part_delivered(p: dict) -> Message:
    if p.get("method") == "pickup":
        title = _("You collected your order %(number)s from %(coop)s",
                  number=p["number"], coop=p["coop"])  # fmt: skip
    else:
        title = _("Your order %(number)s from %(coop)s was delivered",
                  number=p["number"], coop=p["coop"])  # fmt: skip
    return Message(
        title,
        [_("Something wrong? Contact the cooperative before the order is completed.")],
        "orders.detail",
        _order_page(p["number"]),
    )


@kind("part_completed", SHOPPER, _l("Order completed"))
def _part_completed(p: dict) -> Message:
    return Message(
        _("Your order %(number)s from %(coop)s is completed", number=p["number"], coop=p["coop"]),
        [_("Thank you for buying from the cooperative's members.")],
        "orders.detail",
        _order_page(p["number"]),
    )


@kind("order_refunded", SHOPPER, _l("Money refunded"))
def _order_refunded(p: dict) -> Message:
    return Message(
        _(
            "%(amount)s refunded for order %(number)s",
            amount=format_rupiah(p["amount"]),
            number=p["number"],
        ),  # fmt: skip
        [_("Refunded items:")]
        + [f"- {item['name']} x {item['quantity']}" for item in p["items"]]
        + [_refund_method_text(p.get("bank_reference"))],
        "orders.detail",
        _order_page(p["number"]),
    )


def _refund_method_text(bank_reference: str | None) -> str:
    if bank_reference:
        return _(
            "The cooperative transferred the money to your bank account, reference %(reference)s.",
            reference=bank_reference,
        )
    return _("The money goes back to the payment method you paid with.")


@kind("order_closed", SHOPPER, _l("Payment expired or refused"))
def _order_closed(p: dict) -> Message:
    if p["status"] == "denied":
        title = _("The payment for order %(number)s was refused", number=p["number"])
    elif p["status"] == "cancelled":
        title = _("Order %(number)s was cancelled", number=p["number"])
    else:
        title = _("Order %(number)s expired: it was not paid in time", number=p["number"])
    return Message(
        title,
        [_("Nothing was charged. The items are back on sale: you can order them again.")],
        "orders.detail",
        _order_page(p["number"]),
    )


# --- the member ----------------------------------------------------------------------------


@kind("member_new_order", MEMBER, _l("New order to prepare"))
def _member_new_order(p: dict) -> Message:
    return Message(
        _("New paid order %(number)s: please prepare", number=p["number"]),
        [f"- {item['name']} x {item['quantity']}" for item in p["items"]],
        "reports.statement",
        {"coop_slug": p["coop_slug"]},
    )


@kind("member_part_completed", MEMBER, _l("Money available"))
def _member_part_completed(p: dict) -> Message:
    return Message(
        _(
            "%(amount)s from order %(number)s is now available",
            amount=format_rupiah(p["amount"]),
            number=p["number"],
        ),  # fmt: skip
        [_("You can ask for a payout of your available balance.")],
        "payouts.mine",
        {"coop_slug": p["coop_slug"]},
    )


@kind("member_shu_shared", MEMBER, _l("Your SHU share"))
def _member_shu_shared(p: dict) -> Message:
    if p["destination"] == "sukarela":
        where = _("It was added to your simpanan sukarela.")
    else:
        where = _("It was added to your available balance: you can ask for a payout.")
    return Message(
        _("Your SHU of %(year)s: %(amount)s", year=p["year"], amount=format_rupiah(p["amount"])),
        [where],
        "shu.mine_year",
        {"coop_slug": p["coop_slug"], "year": p["year"]},
    )


@kind("review_received", MEMBER, _l("New review"))
def _review_received(p: dict) -> Message:
    return Message(
        _("%(stars)d★ review of %(name)s", stars=p["rating"], name=p["name"]),
        [p["excerpt"]] if p["excerpt"] else [],
        "reviews.member_list",
        {"coop_slug": p["coop_slug"]},
    )


@kind("membership_changed", MEMBER, _l("Your membership changed"))
def _membership_changed(p: dict) -> Message:
    titles = {
        "deactivated": _("Your membership of %(coop)s has ended", coop=p["coop"]),
        "reactivated": _("Your membership of %(coop)s is active again", coop=p["coop"]),
        "admin": _("You are now an admin of %(coop)s", coop=p["coop"]),
        "member": _("You are now a member (not an admin) of %(coop)s", coop=p["coop"]),
        "pengawas": _(
            "You are now on the supervisory board (pengawas) of %(coop)s", coop=p["coop"]
        ),
    }
    lines = {
        "deactivated": [
            _("Your products are off sale. Your balance stays yours: you can still ask for a "
              "payout of what you are owed."),
        ],
        "reactivated": [_("Your products that were on sale are on sale again.")],
        "pengawas": [_("You can read all of the cooperative's books and write the supervision "
                       "report.")],
    }  # fmt: skip
    return Message(
        titles[p["change"]],
        [*lines.get(p["change"], []), _("Changed by %(admin)s.", admin=p["admin"])],
        "dashboards.member_home",
        {"coop_slug": p["coop_slug"]},
    )


@kind("payout_approved", MEMBER, _l("Payout approved"))
def _payout_approved(p: dict) -> Message:
    return Message(
        _("Your payout of %(amount)s was approved", amount=format_rupiah(p["amount"])),
        [_("The cooperative will transfer it to your bank account.")],
        "payouts.mine",
        {"coop_slug": p["coop_slug"]},
    )


@kind("payout_paid", MEMBER, _l("Payout transferred"))
def _payout_paid(p: dict) -> Message:
    return Message(
        _("Your payout of %(amount)s was transferred", amount=format_rupiah(p["amount"])),
        [_("Transfer reference: %(reference)s", reference=p["reference"])],
        "payouts.mine",
        {"coop_slug": p["coop_slug"]},
    )


@kind("payout_rejected", MEMBER, _l("Payout rejected"))
def _payout_rejected(p: dict) -> Message:
    return Message(
        _("Your payout of %(amount)s was rejected", amount=format_rupiah(p["amount"])),
        [_("Reason: %(reason)s", reason=p["reason"]),
         _("The amount is back in your available balance.")],
        "payouts.mine",
        {"coop_slug": p["coop_slug"]},
    )  # fmt: skip


@kind("payout_returned", MEMBER, _l("Payout returned by the bank"))
def _payout_returned(p: dict) -> Message:
    return Message(
        _("Your payout of %(amount)s came back from the bank", amount=format_rupiah(p["amount"])),
        [_("The amount is back in your available balance."),
         _("Check the bank account in your member profile before asking again.")],
        "payouts.mine",
        {"coop_slug": p["coop_slug"]},
    )  # fmt: skip


@kind("low_stock", MEMBER, _l("Stock running low"))
def _low_stock(p: dict) -> Message:
    return Message(
        _("Only %(stock)d left of %(name)s", stock=p["stock"], name=p["name"]),
        [_("Add stock so that shoppers can keep buying it.")],
        "catalog.product",
        {"slug": p["product_slug"]},
    )


@kind("product_approved", MEMBER, _l("Product approved"))
def _product_approved(p: dict) -> Message:
    return Message(
        _("%(name)s is approved and on sale", name=p["name"]),
        [],
        "catalog.product",
        {"slug": p["slug"]},
    )


@kind("product_rejected", MEMBER, _l("Product rejected"))
def _product_rejected(p: dict) -> Message:
    return Message(
        _("%(name)s was not approved", name=p["name"]),
        [_("Reason: %(reason)s", reason=p["reason"]),
         _("Change it and send it for review again.")],
        "products.edit",
        {"coop_slug": p["coop_slug"], "product_id": p["product_id"]},
    )  # fmt: skip


@kind("product_changed_by_admin", MEMBER, _l("Product changed by an admin"))
def _product_changed_by_admin(p: dict) -> Message:
    said = {
        "archived": _("An admin archived %(name)s: it is off sale", name=p["name"]),
        "edited": _("An admin changed %(name)s", name=p["name"]),
    }
    return Message(
        said[p["change"]],
        [_("Changed by %(admin)s.", admin=p["admin"])],
        "products.edit",
        {"coop_slug": p["coop_slug"], "product_id": p["product_id"]},
    )


@kind("permit_expired", MEMBER, _l("Permit expired"))
def _permit_expired(p: dict) -> Message:
    return Message(
        _("The P-IRT of %(name)s expired on %(day)s", name=p["name"], day=p["expired_on"]),
        [_("The permit is no longer shown to shoppers. Renew it and enter the new number.")],
        "products.edit",
        {"coop_slug": p["coop_slug"], "product_id": p["product_id"]},
    )


# --- the cooperative's admins --------------------------------------------------------------


@kind("admin_new_order", ADMIN, _l("New order to fulfil"))
def _admin_new_order(p: dict) -> Message:
    return Message(
        _("New paid order %(number)s to fulfil", number=p["number"]),
        [_("%(count)d item(s), %(amount)s", count=p["count"], amount=format_rupiah(p["total"]))],
        "fulfilment.order",
        {"coop_slug": p["coop_slug"], "number": p["number"]},
    )


@kind("admin_payout_returned", ADMIN, _l("Payout returned by the bank"))
def _admin_payout_returned(p: dict) -> Message:
    return Message(
        _(
            "The payout of %(amount)s to %(member)s came back from the bank",
            member=p["member"],
            amount=format_rupiah(p["amount"]),
        ),  # fmt: skip
        [_("It is back in the member's available balance. Iris reference: %(reference)s",
           reference=p["reference"])],
        "payouts.review",
        {"coop_slug": p["coop_slug"]},
    )  # fmt: skip


@kind("admin_payout_requested", ADMIN, _l("Payout request waiting"))
def _admin_payout_requested(p: dict) -> Message:
    return Message(
        _(
            "%(member)s asks for a payout of %(amount)s",
            member=p["member"],
            amount=format_rupiah(p["amount"]),
        ),  # fmt: skip
        [_("Approve or reject it on the payouts page.")],
        "payouts.review",
        {"coop_slug": p["coop_slug"]},
    )


@kind("admin_payout_batch_prepared", ADMIN, _l("Payout batch waiting for your approval"))
def _admin_payout_batch_prepared(p: dict) -> Message:
    return Message(
        ngettext(
            "%(admin)s prepared a batch of %(num)d payout, %(total)s, for your approval",
            "%(admin)s prepared a batch of %(num)d payouts, %(total)s, for your approval",
            p["count"],
            admin=p["admin"],
            total=format_rupiah(p["total"]),
        ),
        [_("Check the batch and approve it, or cancel it. Its preparer cannot approve it.")],
        "payouts.batch_detail",
        {"coop_slug": p["coop_slug"], "batch_id": p["batch_id"]},
    )


@kind("admin_product_to_review", ADMIN, _l("Product waiting for review"))
def _admin_product_to_review(p: dict) -> Message:
    return Message(
        _("%(member)s sent %(name)s for review", member=p["member"], name=p["name"]),
        [_("Approve or reject it in the review queue.")],
        "products.console",
        {"coop_slug": p["coop_slug"], "status": "ditinjau"},
    )


@kind("admin_refund_failed", ADMIN, _l("Refund failed"))
def _admin_refund_failed(p: dict) -> Message:
    return Message(
        _(
            "A refund of %(amount)s for order %(number)s failed",
            amount=format_rupiah(p["amount"]),
            number=p["number"],
        ),  # fmt: skip
        [_("Midtrans said: %(reason)s", reason=p["reason"])],
        "fulfilment.order",
        {"coop_slug": p["coop_slug"], "number": p["number"]},
    )


@kind("admin_refund_to_allocate", ADMIN, _l("Refund made at Midtrans, to allocate"))
def _admin_refund_to_allocate(p: dict) -> Message:
    return Message(
        _(
            "A refund of %(amount)s for order %(number)s was made at Midtrans",
            amount=format_rupiah(p["amount"]),
            number=p["number"],
        ),  # fmt: skip
        [_("Say which items it was for. Until then the order's members cannot be paid out.")],
        "fulfilment.order",
        {"coop_slug": p["coop_slug"], "number": p["number"]},
    )


@kind("admin_invitation_accepted", ADMIN, _l("Invitation accepted"))
def _admin_invitation_accepted(p: dict) -> Message:
    return Message(
        _("%(name)s accepted the invitation to %(coop)s", name=p["name"], coop=p["coop"]),
        [p["email"]],
        "coops.members",
        {"coop_slug": p["coop_slug"]},
    )


@kind("reconciliation_flagged", ADMIN, _l("Payments that do not agree with Midtrans"))
def _reconciliation_flagged(p: dict) -> Message:
    return Message(
        _(
            "%(count)d order(s) of %(day)s do not agree with what Midtrans settled",
            count=p["count"],
            day=p["day"],
        ),  # fmt: skip
        [_("Open the reconciliation report for that day to see why.")],
        "reports.index",
        {"coop_slug": p["coop_slug"]},
    )


@kind("admin_reconciliation_exceptions", ADMIN, _l("New reconciliation exceptions"))
def _admin_reconciliation_exceptions(p: dict) -> Message:
    return Message(
        ngettext(
            "The daily reconciliation found %(num)d new exception",
            "The daily reconciliation found %(num)d new exceptions",
            p["count"],
        ),
        [_("Open the exceptions page to see each one, what it is about and what to do.")],
        "reconciliation.exceptions",
        {"coop_slug": p["coop_slug"]},
    )


@kind("admin_supervision_report", ADMIN, _l("Supervision report submitted"))
def _admin_supervision_report(p: dict) -> Message:
    return Message(
        _("%(pengawas)s submitted the supervision report “%(title)s”",
          pengawas=p["pengawas"], title=p["title"]),
        [_("It is kept with the RAT of %(year)s and can no longer be changed.", year=p["year"])],
        "supervision.report",
        {"coop_slug": p["coop_slug"], "report_id": p["report_id"]},
    )  # fmt: skip


# --- the platform operator -----------------------------------------------------------------


@kind("ledger_check_failed", OPERATOR, _l("Ledger check failed"))
def _ledger_check_failed(p: dict) -> Message:
    return Message(
        _("The nightly ledger check found %(count)d problem(s)", count=p["count"]),
        [f"- {problem}" for problem in p["problems"]],
        "operator.jobs",
        {},
    )


@kind("job_failed", OPERATOR, _l("Background job failed"))
def _job_failed(p: dict) -> Message:
    return Message(
        _("A background job failed after its retries: %(task)s", task=p["task"]),
        [p["error"]],
        "operator.jobs",
        {},
    )


def kinds_for(audiences: set[str]) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.audience in audiences]
