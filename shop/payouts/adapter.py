"""How an approved payout reaches the member's bank: the seam for a disbursement API.

Today the cooperative's admin transfers by hand and records the bank's reference
(mark_payout_paid). A disbursement API such as Midtrans Iris (MIDTRANS.md §7) would be one
more class here: submit() creates the transfer there and says what happened; its webhook would
then call mark_payout_paid or reject_payout. config.PAYOUT_ADAPTER picks the class.
"""

from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _

from shop.ledger.models import Payout


@dataclass(frozen=True)
class SubmitResult:
    """What the adapter did with an approved payout."""

    needs_manual_transfer: bool  # the admin must transfer it and record the reference
    message: str  # for the admin, translated
    reference: str = ""  # the disbursement API's own id for the transfer, when there is one


class PayoutAdapter(Protocol):
    def submit(self, payout: Payout) -> SubmitResult:
        """Start the transfer of an approved payout. Called after the approval committed, so
        a failing API leaves the payout approved (money in transit), for a retry or a manual
        transfer; an adapter reports such failures in its result rather than raising."""
        ...


class ManualTransfer:
    """Nothing automatic: the admin transfers from the cooperative's bank account."""

    def submit(self, payout: Payout) -> SubmitResult:
        return SubmitResult(
            needs_manual_transfer=True,
            message=_(
                "Transfer it from the cooperative's bank account, then record the bank's "
                "transfer reference here."
            ),
        )


ADAPTERS: dict[str, type[PayoutAdapter]] = {"manual": ManualTransfer}


def payout_adapter() -> PayoutAdapter:
    """The adapter config.PAYOUT_ADAPTER names. An unknown name is a deployment mistake."""
    name = current_app.config.get("PAYOUT_ADAPTER", "manual")
    if name not in ADAPTERS:
        raise RuntimeError(f"PAYOUT_ADAPTER={name!r} is not one of {sorted(ADAPTERS)}")
    return ADAPTERS[name]()
