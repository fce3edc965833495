"""Midtrans Iris, the disbursement API (MIDTRANS.md §7): the "iris" payout adapter.

midtransclient has no Iris client, so this module talks to Iris itself with requests: HTTP
Basic with a key as user and no password, amounts as strings, X-Idempotency-Key on creation.
Iris is maker–checker like our payouts: the creator key creates a payout (Iris answers
"queued" and a reference_no, which we keep on our Payout), the approver key approves it,
and Iris then reports processed, completed or failed to our notification URL
(shop/payouts/iris_webhook.py). The adapter has those two steps apart, create() and
approve(), so that a batch prepared by one admin can be created at Iris then, and approved
there when a second admin approves it; submit() does both at once for today's single
approval.

Nothing here moves money in our ledger: the approval did (available -> in transit) and the
notifications do the rest.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from shop.errors import ShopError
from shop.extensions import db
from shop.ledger.models import Payout, PayoutStatus
from shop.payouts.adapter import SubmitResult

logger = logging.getLogger(__name__)

SANDBOX_URL = "https://app.sandbox.midtrans.com/iris/api/v1"
PRODUCTION_URL = "https://app.midtrans.com/iris/api/v1"
MAX_IDEMPOTENCY_KEY = 100  # Iris's limit
MAX_NOTES = 100  # what we send; Iris refuses long notes
# Our bank names (shop/coops/forms.py BANKS) -> Iris's bank codes (GET /beneficiary_banks).
# A bank missing here cannot be paid through Iris: the member is asked for another account.
IRIS_BANK_CODES = {
    "BCA": "bca",
    "BRI": "bri",
    "BNI": "bni",
    "Mandiri": "mandiri",
    "BSI": "bsm",  # Bank Syariah Indonesia keeps Bank Syariah Mandiri's code
    "BTN": "btn",
    "CIMB Niaga": "cimb",
    "Danamon": "danamon",
    "Permata": "permata",
}
# Iris's payout statuses (MIDTRANS.md §7): queued -> approved -> processed -> completed, or
# failed (even after completed); rejected is final.
COMPLETED, FAILED, REJECTED = "completed", "failed", "rejected"


class IrisError(ShopError):
    """Iris did not do what we asked. `message` is translated and safe to show; `detail` is
    what Iris (or the network) said, for the logs."""

    def __init__(self, message: str, detail: str = "", http_status: int | None = None):
        super().__init__(message)
        self.detail = detail
        self.http_status = http_status


class IrisUnavailable(IrisError):
    """Network error, timeout, 5xx or an answer that is not JSON: trying again may work."""


class IrisRejected(IrisError):
    """Iris refused the request (4xx): retrying the same won't help."""


class AccountRefused(ShopError):
    """Iris says this bank account cannot be paid (it does not exist, or the bank is not
    one Iris pays to)."""


@dataclass(frozen=True)
class IrisPayoutStatus:
    reference_no: str
    status: str
    amount: int  # whole Rupiah, from "95000.00"
    error_message: str = ""


def iris_bank_code(bank_name: str) -> str | None:
    return IRIS_BANK_CODES.get(bank_name)


def iris_base_url(config: Mapping) -> str:
    if config.get("IRIS_BASE_URL"):
        return config["IRIS_BASE_URL"].rstrip("/")
    if config.get("IRIS_SIMULATOR_ENABLED"):
        return config["SITE_URL"].rstrip("/") + "/simulator/iris/api/v1"
    return PRODUCTION_URL if config.get("IRIS_IS_PRODUCTION") else SANDBOX_URL


def _rupiah(raw) -> int:
    """ "95000.00" -> 95000; Iris sends amounts as strings (whole Rupiah in practice)."""
    value = float(str(raw))
    if value != int(value):
        raise ValueError(f"not whole Rupiah: {raw!r}")
    return int(value)


class IrisClient:
    def __init__(
        self,
        base_url: str,
        creator_key: str,
        approver_key: str,
        timeout: tuple[float, ...] = (3.05, 10),
        trust_env: bool = True,
    ):
        self.base_url = base_url.rstrip("/")
        self._creator_key = creator_key
        self._approver_key = approver_key
        import requests  # on first use: see tests/test_worker_imports.py

        self._session = requests.Session()
        self._session.trust_env = trust_env  # a local simulator must not go through a proxy
        self._timeout = timeout

    def _call(self, method: str, path: str, key: str, body=None, params=None, headers=None):
        """Iris's JSON answer. Raises IrisUnavailable or IrisRejected."""
        import requests

        try:
            response = self._session.request(
                method,
                self.base_url + path,
                json=body,
                params=params,
                auth=(key, ""),
                headers={"Accept": "application/json", **(headers or {})},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            raise IrisUnavailable(
                _("Midtrans Iris cannot be reached just now."), repr(error)
            ) from error
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 500 or answer is None:
            raise IrisUnavailable(
                _("Midtrans Iris cannot be reached just now."),
                response.text[:300],
                response.status_code,
            )
        if response.status_code >= 400:
            detail = answer.get("error_message", "") if isinstance(answer, dict) else ""
            raise IrisRejected(
                _("Midtrans Iris refused: %(detail)s", detail=detail or response.status_code),
                str(answer)[:500],
                response.status_code,
            )
        return answer

    def validate_account(self, bank_code: str, account: str) -> str:
        """The account's holder name as the bank knows it. Raises AccountRefused for an
        account Iris says does not exist, IrisError when Iris cannot be asked."""
        try:
            answer = self._call(
                "GET",
                "/account_validation",
                self._creator_key,
                params={"bank": bank_code, "account": account},
            )
        except IrisRejected as error:
            if error.http_status in (400, 404, 422):
                raise AccountRefused(
                    _("The bank says this account does not exist. Check the bank and number.")
                ) from error
            raise
        return str(answer.get("account_name") or "")

    def create_payout(
        self, idempotency_key: str, name: str, account: str, bank_code: str, amount: int, notes: str
    ) -> str:
        """A new payout at Iris (queued); its reference_no. The same idempotency key gives
        the same payout back, so a retry after a lost answer creates nothing twice."""
        body = {
            "payouts": [
                {
                    "beneficiary_name": name,
                    "beneficiary_account": account,
                    "beneficiary_bank": bank_code,
                    "amount": str(amount),
                    "notes": notes[:MAX_NOTES],
                }
            ]
        }
        headers = {"X-Idempotency-Key": idempotency_key[:MAX_IDEMPOTENCY_KEY]}
        answer = self._call("POST", "/payouts", self._creator_key, body=body, headers=headers)
        try:
            return str(answer["payouts"][0]["reference_no"])
        except (KeyError, IndexError, TypeError) as error:
            raise IrisUnavailable(
                _("Midtrans Iris gave an answer we cannot read."), str(answer)[:300]
            ) from error

    def approve(self, reference_nos: list[str], otp: str = "") -> None:
        body = {"reference_nos": reference_nos}
        if otp:
            body["otp"] = otp
        self._call("POST", "/payouts/approve", self._approver_key, body=body)

    def reject(self, reference_nos: list[str], reason: str) -> None:
        body = {"reference_nos": reference_nos, "reject_reason": reason[:MAX_NOTES]}
        self._call("POST", "/payouts/reject", self._approver_key, body=body)

    def payout_status(self, reference_no: str) -> IrisPayoutStatus:
        answer = self._call("GET", f"/payouts/{reference_no}", self._creator_key)
        try:
            return IrisPayoutStatus(
                reference_no=str(answer["reference_no"]),
                status=str(answer["status"]),
                amount=_rupiah(answer["amount"]),
                error_message=str(answer.get("error_message") or ""),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise IrisUnavailable(
                _("Midtrans Iris gave an answer we cannot read."), str(answer)[:300]
            ) from error

    def balance(self) -> int:
        return _rupiah(self._call("GET", "/balance", self._creator_key)["balance"])

    def beneficiary_banks(self) -> dict[str, str]:
        """The banks Iris pays to: {code: name}."""
        answer = self._call("GET", "/beneficiary_banks", self._creator_key)
        try:
            return {
                str(bank["code"]): str(bank.get("name", "")) for bank in answer["beneficiary_banks"]
            }
        except (KeyError, TypeError) as error:
            raise IrisUnavailable(
                _("Midtrans Iris gave an answer we cannot read."), str(answer)[:300]
            ) from error


def iris_client(config: Mapping) -> IrisClient:
    return IrisClient(
        iris_base_url(config),
        config["IRIS_CREATOR_KEY"],
        config["IRIS_APPROVER_KEY"],
        tuple(config.get("IRIS_TIMEOUT_SECONDS") or (3.05, 10)),
        trust_env=not config.get("IRIS_SIMULATOR_ENABLED"),
    )


def idempotency_key(payout: Payout) -> str:
    """Stable for one payout, and unlike another installation's payout of the same id
    sharing the Iris account (staging and production on one sandbox). A payout in a batch
    has the batch in its key: once a cancelled batch's payout was rejected at Iris, a new
    batch (or a single approval) creates it there afresh instead of getting the rejected one."""
    key = f"pasar-payout-{payout.id}-{payout.requested_at:%Y%m%d%H%M%S%f}"
    if payout.batch_id is not None:
        key = f"{key}-batch-{payout.batch_id}"
    # Sent again by an admin after Iris withdrew it: a fresh payout there, not the withdrawn one.
    return key if not payout.iris_attempt else f"{key}-attempt-{payout.iris_attempt}"


class IrisPayouts:
    """The "iris" payout adapter (config PAYOUT_ADAPTER=iris)."""

    def __init__(self, client: IrisClient | None = None):
        self.client = client or iris_client(current_app.config)

    def create(self, payouts: Iterable[Payout]) -> list[str]:
        """Create each payout at Iris (creator key) that is not there yet, and keep its
        reference_no on our Payout (committed). Requested or approved payouts only: Iris
        transfers nothing until approve(). Returns the reference_nos, in order. Raises
        IrisError at the first payout Iris does not take; those before it keep theirs."""
        references = []
        for payout in payouts:
            if payout.status not in (PayoutStatus.REQUESTED, PayoutStatus.APPROVED):
                raise IrisRejected(_("Only a requested or approved payout can go to Iris."))
            if payout.iris_reference is None:
                references.append(self._create_one(payout))
            else:
                references.append(payout.iris_reference)
        return references

    def _create_one(self, payout: Payout) -> str:
        bank_code = iris_bank_code(payout.bank_name)
        if bank_code is None:
            raise IrisRejected(
                _("Midtrans Iris does not transfer to %(bank)s.", bank=payout.bank_name)
            )
        reference = self.client.create_payout(
            idempotency_key(payout),
            payout.bank_account_holder,
            payout.bank_account_number,
            bank_code,
            payout.amount,
            f"Pasar Koperasi payout {payout.id}",
        )
        try:
            # Conditional: a retry that raced this one stored the same reference (idempotency);
            # and a payout recorded as paid or rejected by hand meanwhile is not Iris's to send.
            db.session.execute(
                update(Payout)
                .where(
                    Payout.id == payout.id,
                    Payout.iris_reference.is_(None),
                    Payout.status.in_((PayoutStatus.REQUESTED, PayoutStatus.APPROVED)),
                )
                .values(iris_reference=reference)
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        payout.iris_reference = db.session.scalar(
            select(Payout.iris_reference).where(Payout.id == payout.id)
        )
        if payout.iris_reference is None:
            # Settled by hand while Iris created it: withdraw it there, never transfer twice.
            self.client.reject([reference], "settled by the cooperative")
            raise IrisRejected(
                _("This payout was settled by hand meanwhile; Iris will not send it.")
            )
        if payout.iris_reference != reference:
            # Two admins sent it again at once (two attempts, two keys): one payout at Iris
            # is ours, the other is withdrawn. Left queued it would never move; withdrawn,
            # nobody wonders about it.
            self._withdraw_quietly(reference)
        logger.info("payout %s created at Iris: %s", payout.id, payout.iris_reference)
        return payout.iris_reference

    def _withdraw_quietly(self, reference: str) -> None:
        try:
            self.client.reject([reference], "duplicate attempt")
        except IrisError as error:
            logger.warning("duplicate Iris payout %s not withdrawn: %s", reference, error.detail)

    def approve(self, payouts: Iterable[Payout], otp: str = "") -> None:
        """Approve at Iris (approver key) payouts created there, after our own approval
        moved their money to payouts in transit. Raises IrisError."""
        references = [payout.iris_reference for payout in payouts]
        if None in references:
            raise IrisRejected(_("Create the payouts at Iris before approving them there."))
        if references:
            self.client.approve(references, otp)
            logger.info("payouts approved at Iris: %s", references)

    def reject(self, payouts: Iterable[Payout], reason: str) -> None:
        """Reject at Iris payouts created there and not approved (a batch abandoned)."""
        references = [p.iris_reference for p in payouts if p.iris_reference is not None]
        if references:
            self.client.reject(references, reason)

    # The batch hooks (shop/payouts/adapter.py PayoutAdapter): the two keys of Iris follow
    # the two admins of a batch.

    def batch_prepared(self, payouts: Sequence[Payout]) -> None:
        """Create the batch's payouts at Iris (queued). A failure waits for the approval,
        which creates what is missing before approving."""
        try:
            self.create(payouts)
        except IrisError as error:
            logger.warning("batch payouts not created at Iris yet: %s", error.detail)

    def batch_approved(self, payouts: Sequence[Payout]) -> list[SubmitResult]:
        """Approve the batch's payouts at Iris (approver key), creating any still missing
        there. A failure leaves them approved (in transit) for the admin to transfer."""
        try:
            self.create(payouts)
            self.approve(payouts)
        except IrisError as error:
            logger.warning("batch payouts not sent through Iris: %s", error.detail)
            return self._after_failed_approval(payouts, error)
        return [_transferring(payout.iris_reference) for payout in payouts]

    def batch_abandoned(self, payouts: Sequence[Payout], reason: str) -> None:
        """Reject at Iris the payouts it has of an abandoned batch, and forget their
        reference, so that their next approval creates them there afresh. A failure keeps
        the reference: the Iris payout stays queued, and the next approval approves it."""
        waiting = [payout for payout in payouts if payout.status == PayoutStatus.REQUESTED]
        try:
            self.reject(waiting, reason)
        except IrisError as error:
            logger.warning("abandoned batch payouts not rejected at Iris: %s", error.detail)
            return
        try:
            for payout in waiting:
                db.session.execute(
                    update(Payout)
                    .where(Payout.id == payout.id, Payout.iris_reference == payout.iris_reference)
                    .values(iris_reference=None)
                )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def submit(self, payout: Payout) -> SubmitResult:
        """Today's single approval: create, then approve, at once. A failure leaves the
        payout approved (in transit) for the admin to transfer by hand."""
        try:
            references = self.create([payout])
            self.approve([payout])
        except IrisError as error:
            logger.warning("payout %s not sent through Iris: %s", payout.id, error.detail)
            return self._after_failed_approval([payout], error)[0]
        return _transferring(references[0])

    def _after_failed_approval(
        self, payouts: Sequence[Payout], error: IrisError
    ) -> list[SubmitResult]:
        """Our approval stands (money in transit) but Iris did not approve. The payouts Iris
        holds are withdrawn there and forgotten, so the admin may transfer them by hand; if
        Iris cannot withdraw them (unreachable, or it approved them after all: a timeout),
        they stay Iris's, and its notifications settle them: never both."""
        held = [payout for payout in payouts if payout.iris_reference is not None]
        try:
            self.reject(held, "not approved")
        except IrisError as withdrawal_error:
            logger.warning("payouts kept at Iris: %s", withdrawal_error.detail)
            return [
                _waiting(payout.iris_reference) if payout.iris_reference else _manual(error)
                for payout in payouts
            ]
        try:
            for payout in held:
                db.session.execute(
                    update(Payout)
                    .where(Payout.id == payout.id, Payout.iris_reference == payout.iris_reference)
                    .values(iris_reference=None)
                )
                payout.iris_reference = None
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return [_manual(error) for payout in payouts]

    def check_account(self, bank_name: str, account_number: str) -> str:
        """The holder name Iris gives for this account. Raises AccountRefused for a bank
        Iris does not pay to or an account that does not exist; IrisError when Iris cannot
        be asked now."""
        bank_code = iris_bank_code(bank_name)
        if bank_code is None:
            raise AccountRefused(
                _(
                    "Payouts go through Midtrans Iris, which does not transfer to this bank. "
                    "Choose one of: %(banks)s.",
                    banks=", ".join(IRIS_BANK_CODES),
                )
            )
        try:
            return self.client.validate_account(bank_code, account_number)
        except IrisError as error:
            logger.warning("bank account not checked at Iris: %s", error.detail)
            raise AccountRefused(
                _(
                    "The bank account cannot be checked with Midtrans Iris just now. Try "
                    "again in a few minutes."
                )
            ) from error


def _manual(error: IrisError, reference: str = "") -> SubmitResult:
    return SubmitResult(
        needs_manual_transfer=True,
        message=error.message
        + " "
        + _(
            "Transfer it from the cooperative's bank account, then record the bank's "
            "transfer reference here."
        ),
        reference=reference,
    )


def _waiting(reference: str) -> SubmitResult:
    return SubmitResult(
        needs_manual_transfer=False,
        message=_(
            "Midtrans Iris holds this payout (reference %(reference)s) but could not confirm "
            "it now; the payout is settled when Iris reports the result. Do not transfer it "
            "by hand.",
            reference=reference,
        ),
        reference=reference,
    )


def _transferring(reference: str) -> SubmitResult:
    return SubmitResult(
        needs_manual_transfer=False,
        message=_(
            "Midtrans Iris is transferring it (reference %(reference)s); the payout is "
            "marked paid when the bank confirms.",
            reference=reference,
        ),
        reference=reference,
    )
