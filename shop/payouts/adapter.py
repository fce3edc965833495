"""How an approved payout reaches the member's bank: the seam for a disbursement API.

"manual": the cooperative's admin transfers by hand and records the bank's reference
(mark_payout_paid). "iris": Midtrans Iris transfers it (shop/payouts/iris.py), and its
notifications settle the payout (shop/payouts/iris_webhook.py). config.PAYOUT_ADAPTER picks
the class.
"""

from collections.abc import Callable, Sequence
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

    def check_account(self, bank_name: str, account_number: str) -> str | None:
        """Before a member's bank account is accepted: the holder's name the bank gives, or
        None when this adapter cannot ask. Raises ShopError for an account it refuses."""
        ...

    # The batch hooks (maker-checker, shop/payouts/batches.py), each called after its commit.
    # Optional: an adapter that does not define them gets these, which do nothing until a
    # batch is approved and then submit each payout as a single approval would.

    def batch_prepared(self, payouts: Sequence[Payout]) -> None:
        """A batch of requested payouts was prepared: nothing is approved yet."""

    def batch_approved(self, payouts: Sequence[Payout]) -> list[SubmitResult]:
        """A second admin approved the batch (its money is in transit): start the transfers.
        One result per payout, in order; failures are reported in them, never raised."""
        return [self.submit(payout) for payout in payouts]

    def batch_abandoned(self, payouts: Sequence[Payout], reason: str) -> None:
        """Payouts left a prepared batch unapproved (the batch cancelled, or one taken out):
        they wait for approval again."""


class ManualTransfer(PayoutAdapter):
    """Nothing automatic: the admin transfers from the cooperative's bank account."""

    def submit(self, payout: Payout) -> SubmitResult:
        return SubmitResult(
            needs_manual_transfer=True,
            message=_(
                "Transfer it from the cooperative's bank account, then record the bank's "
                "transfer reference here."
            ),
        )

    def check_account(self, bank_name: str, account_number: str) -> str | None:
        return None  # the admin sees the holder's name when transferring


def _iris() -> PayoutAdapter:
    from shop.payouts.iris import IrisPayouts  # it imports SubmitResult from here

    return IrisPayouts()


ADAPTERS: dict[str, Callable[[], PayoutAdapter]] = {"manual": ManualTransfer, "iris": _iris}
# The adapters that transfer by themselves: a payout one of them did not take can be sent
# through it again (services.resend_payout) instead of by hand.
AUTOMATIC = frozenset({"iris"})


def transfers_automatically() -> bool:
    """Whether config.PAYOUT_ADAPTER names an adapter that transfers by itself."""
    return current_app.config.get("PAYOUT_ADAPTER", "manual") in AUTOMATIC


def payout_adapter() -> PayoutAdapter:
    """The adapter config.PAYOUT_ADAPTER names. An unknown name is a deployment mistake."""
    name = current_app.config.get("PAYOUT_ADAPTER", "manual")
    if name not in ADAPTERS:
        raise RuntimeError(f"PAYOUT_ADAPTER={name!r} is not one of {sorted(ADAPTERS)}")
    return ADAPTERS[name]()


def check_payout_account(bank_name: str, account_number: str) -> str | None:
    """Before a member's new bank account is saved: the holder's name the bank gives, or None
    when the adapter cannot ask (manual). Raises ShopError for an account to refuse."""
    return payout_adapter().check_account(bank_name, account_number)
