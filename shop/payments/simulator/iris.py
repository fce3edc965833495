"""The Iris simulator's payouts: their states, kept in the simulator's database, and the
signed notifications it sends when one moves (MIDTRANS.md §7).

A payout is created queued (by the creator key, once per X-Idempotency-Key), approved or
rejected (by the approver key), then moved on by a person on the simulator's page:
processed, completed, or failed (also after completed: the bank sent the money back). Every
move is one entry of MOVES, saved by a versioned UPDATE like the Snap transactions
(store.py), and every move after approval is notified to IRIS_NOTIFICATION_URL, signed
with the merchant key: Iris-Signature = SHA-512(raw body bytes + merchant key).
"""

import dataclasses
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.payments.simulator.notify import retries_after
from shop.payments.simulator.store import MAX_ATTEMPTS, sim_iris_payouts
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

QUEUED, APPROVED, PROCESSED = "queued", "approved", "processed"
COMPLETED, FAILED, REJECTED = "completed", "failed", "rejected"
MOVES = {
    QUEUED: (APPROVED, REJECTED),
    APPROVED: (PROCESSED, COMPLETED, FAILED),
    PROCESSED: (COMPLETED, FAILED),
    COMPLETED: (FAILED,),  # the bank sent the money back
}
# What a person may do on the simulator's page; approving and rejecting are the API's.
PAGE_MOVES = (PROCESSED, COMPLETED, FAILED)
# Fixed test accounts: a number starting with this does not exist at any bank.
INVALID_ACCOUNT_PREFIX = "000"
# The banks the simulated Iris pays to, by code, with the names GET /beneficiary_banks gives.
BANK_NAMES = {
    "bca": "Bank Central Asia",
    "bri": "Bank Rakyat Indonesia",
    "bni": "Bank Negara Indonesia",
    "mandiri": "Bank Mandiri",
    "bsm": "Bank Syariah Indonesia",
    "btn": "Bank Tabungan Negara",
    "cimb": "Bank CIMB Niaga",
    "danamon": "Bank Danamon",
    "permata": "Bank Permata",
}
BANKS = frozenset(BANK_NAMES)
STARTING_BALANCE = 1_000_000_000  # Rupiah in the simulated Iris account
TIMEOUT_SECONDS = 15


class IrisSimulatorError(Exception):
    def __init__(self, http_status: int, message: str, errors=None):
        super().__init__(message)
        self.http_status = http_status
        self.message = message
        self.errors = errors or []


@dataclass
class SimIrisPayout:
    reference_no: str
    beneficiary_name: str
    beneficiary_account: str
    beneficiary_bank: str
    amount: int
    notes: str = ""
    status: str = QUEUED
    error_message: str = ""
    created_at: str = field(default_factory=lambda: utcnow().isoformat())
    updated_at: str = field(default_factory=lambda: utcnow().isoformat())
    history: list[str] = field(default_factory=lambda: [QUEUED])

    def fields(self) -> dict:
        """GET /payouts/{reference_no}'s answer."""
        answer = {
            "amount": f"{self.amount}.00",
            "beneficiary_name": self.beneficiary_name,
            "beneficiary_account_number": self.beneficiary_account,
            "bank": self.beneficiary_bank,
            "reference_no": self.reference_no,
            "notes": self.notes,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.error_message:
            answer["error_message"] = self.error_message
        return answer

    def notification(self) -> dict:
        body = {
            "reference_no": self.reference_no,
            "amount": f"{self.amount}.00",
            "status": self.status,
            "updated_at": self.updated_at,
        }
        if self.error_message:
            body["error_code"] = "001"
            body["error_message"] = self.error_message
        return body


def move(payout: SimIrisPayout, target: str, error_message: str = "") -> None:
    if target not in MOVES.get(payout.status, ()):
        raise IrisSimulatorError(
            422, f"Payout {payout.reference_no} is {payout.status}, it cannot become {target}"
        )
    payout.status = target
    payout.updated_at = utcnow().isoformat()
    payout.history.append(target)
    if target == FAILED:
        payout.error_message = error_message or "Transfer failed at the destination bank"


def account_holder(bank: str, account: str) -> str:
    """GET /account_validation: the holder's name, or IrisSimulatorError for an account that
    does not exist (an unknown bank, or a number starting with 000)."""
    if bank not in BANKS:
        raise IrisSimulatorError(400, "An error occured when doing account validation",
                                 {"bank": ["Bank is not supported"]})  # fmt: skip
    if not account.isdigit() or account.startswith(INVALID_ACCOUNT_PREFIX):
        raise IrisSimulatorError(400, "An error occured when doing account validation",
                                 {"account": ["Account does not exist"]})  # fmt: skip
    return f"SIMULATOR {bank.upper()} {account[-4:]}"


def validate_new(item) -> tuple[dict, list[str]]:
    """One entry of POST /payouts' "payouts": its fields, or Iris-like error messages."""
    errors = []
    if not isinstance(item, dict):
        return {}, ["payout must be an object"]
    values = {}
    for name in ("beneficiary_name", "beneficiary_account", "beneficiary_bank", "amount"):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{name} is required (a string)")
        values[name] = value
    if errors:
        return {}, errors
    if values["beneficiary_bank"] not in BANKS:
        errors.append("beneficiary_bank is not supported")
    try:
        amount = float(values["amount"])
    except ValueError:
        amount = 0
    if amount <= 0 or amount != int(amount):
        errors.append("amount must be a positive whole number, as a string")
    values["amount"] = int(amount) if not errors else 0
    values["notes"] = str(item.get("notes") or "")[:100]
    return values, errors


# The store ---------------------------------------------------------------------------------


def _load(data: dict) -> SimIrisPayout:
    names = {f.name for f in dataclasses.fields(SimIrisPayout)}
    return SimIrisPayout(**{name: value for name, value in data.items() if name in names})


def create(idempotency_key: str, values: dict) -> SimIrisPayout:
    """A queued payout; the one made before under the same idempotency key, if any."""
    for _attempt in range(MAX_ATTEMPTS):
        existing = db.session.execute(
            select(sim_iris_payouts.c.data).where(
                sim_iris_payouts.c.idempotency_key == idempotency_key
            )
        ).first()
        if existing is not None:
            db.session.rollback()
            return _load(existing.data)
        payout = SimIrisPayout(reference_no=uuid.uuid4().hex[:20], **values)
        try:
            db.session.execute(
                insert(sim_iris_payouts).values(
                    reference_no=payout.reference_no,
                    idempotency_key=idempotency_key,
                    version=1,
                    data=dataclasses.asdict(payout),
                )
            )
            db.session.commit()
            return payout
        except IntegrityError:  # the same key inserted by another request meanwhile
            db.session.rollback()
    raise RuntimeError(f"Iris simulator payout {idempotency_key} kept changing under us")


def get(reference_no: str) -> SimIrisPayout | None:
    row = db.session.execute(
        select(sim_iris_payouts.c.data).where(sim_iris_payouts.c.reference_no == reference_no)
    ).first()
    db.session.rollback()
    return None if row is None else _load(row.data)


def change(reference_no: str, apply: Callable[[SimIrisPayout], None]) -> SimIrisPayout:
    """apply(payout) on the payout with this reference_no, saved by a versioned UPDATE.
    Raises IrisSimulatorError 404 for an unknown reference, and whatever apply raises."""
    for _attempt in range(MAX_ATTEMPTS):
        row = db.session.execute(
            select(sim_iris_payouts.c.id, sim_iris_payouts.c.version, sim_iris_payouts.c.data)
            .where(sim_iris_payouts.c.reference_no == reference_no)
            .with_for_update()
        ).first()
        if row is None:
            db.session.rollback()
            raise IrisSimulatorError(404, f"Payout {reference_no} not found")
        payout = _load(row.data)
        try:
            apply(payout)
        except Exception:
            db.session.rollback()
            raise
        saved = db.session.execute(
            update(sim_iris_payouts)
            .where(sim_iris_payouts.c.id == row.id, sim_iris_payouts.c.version == row.version)
            .values(version=row.version + 1, data=dataclasses.asdict(payout))
        )
        if saved.rowcount == 1:
            db.session.commit()
            return payout
        db.session.rollback()
    raise RuntimeError(f"Iris simulator payout {reference_no} kept changing under us")


def recent(limit: int = 50) -> list[SimIrisPayout]:
    rows = db.session.execute(
        select(sim_iris_payouts.c.data).order_by(sim_iris_payouts.c.id.desc()).limit(limit)
    ).all()
    db.session.rollback()
    return [_load(row.data) for row in rows]


def balance() -> int:
    """The simulated account: its start less every payout not rejected or failed."""
    spent = sum(p.amount for p in recent(10_000) if p.status not in (REJECTED, FAILED))
    return STARTING_BALANCE - spent


# Notifications -----------------------------------------------------------------------------


def signed(payload: dict, merchant_key: str) -> tuple[bytes, str]:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return raw, hashlib.sha512(raw + merchant_key.encode()).hexdigest()


def deliver(
    url: str,
    payload: dict,
    merchant_key: str,
    delays: Sequence[float],
    sleep: Callable[[float], None] = time.sleep,
) -> list[int | None]:
    """POST one signed notification until it is accepted or its retries run out (Midtrans's
    retry rule); the HTTP status of every attempt."""
    import requests  # on first use: see tests/test_worker_imports.py

    raw, signature = signed(payload, merchant_key)
    headers = {"Content-Type": "application/json", "Iris-Signature": signature}
    attempts: list[int | None] = []
    while True:
        try:
            status = requests.post(
                url, data=raw, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
            ).status_code
        except requests.RequestException as error:
            logger.info("Iris simulator notification to %s failed: %r", url, error)
            status = None
        attempts.append(status)
        if len(attempts) - 1 >= retries_after(status):
            break
        sleep(delays[min(len(attempts) - 1, len(delays) - 1)] if delays else 0)
    logger.info("Iris simulator notified %s of %s: %s", payload["reference_no"],
                payload["status"], attempts)  # fmt: skip
    return attempts


def send_in_background(url: str, payload: dict, merchant_key: str, delays) -> None:
    threading.Thread(
        target=deliver,
        args=(url, payload, merchant_key, delays),
        name="iris-simulator-notify",
        daemon=True,
    ).start()
