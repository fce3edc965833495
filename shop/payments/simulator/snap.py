"""Validation of a Snap create-transaction body, with Midtrans's error messages.

MIDTRANS.md gives the wording of the sum-mismatch and already-paid errors; the others are
the simulator's own, in the same style ("transaction_details.<field> ...").
"""

import re
from dataclasses import dataclass

ORDER_ID = re.compile(r"[A-Za-z0-9\-_~.]+")  # anything else breaks the Core API's URLs
MAX_ORDER_ID = 50
MAX_NAME = 50
SUM_MISMATCH = "transaction_details.gross_amount is not equal to the sum of item_details"
ALREADY_PAID = (
    "transaction_details.order_id has been paid and utilized, please use another order ID"
)


@dataclass(frozen=True)
class SnapRequest:
    order_id: str
    gross_amount: int
    finish_url: str | None
    expiry_minutes: int


def _is_int(value) -> bool:
    return type(value) is int  # bool is an int subclass; Midtrans wants a JSON integer


def _expiry_minutes(body: dict, default: int) -> int:
    expiry = body.get("expiry")
    if not isinstance(expiry, dict) or not _is_int(expiry.get("duration")):
        return default
    per_unit = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}
    return expiry["duration"] * per_unit.get(expiry.get("unit"), 1)


def _item_errors(items) -> list[str]:
    if not isinstance(items, list):
        return ["item_details must be an array"]
    errors = []
    for index, item in enumerate(items):
        where = f"item_details[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where} must be an object")
            continue
        if not _is_int(item.get("price")):
            errors.append(f"{where}.price must be an integer")
        if not _is_int(item.get("quantity")) or item["quantity"] < 1:
            errors.append(f"{where}.quantity must be an integer of at least 1")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            errors.append(f"{where}.name is required")
        elif len(name) > MAX_NAME:
            errors.append(f"{where}.name is too long (maximum is {MAX_NAME} characters)")
    return errors


def _order_id_errors(order_id) -> list[str]:
    if not isinstance(order_id, str) or not order_id:
        return ["transaction_details.order_id is required"]
    if len(order_id) > MAX_ORDER_ID:
        return [f"transaction_details.order_id is too long (maximum is {MAX_ORDER_ID} characters)"]
    if not ORDER_ID.fullmatch(order_id):
        return ["transaction_details.order_id contains invalid characters"]
    return []


def validate(body, default_expiry_minutes: int) -> tuple[SnapRequest | None, list[str]]:
    """(request, []) when the body is acceptable, (None, error_messages) otherwise."""
    if not isinstance(body, dict) or not isinstance(body.get("transaction_details"), dict):
        return None, ["transaction_details is required"]
    details = body["transaction_details"]
    errors = _order_id_errors(details.get("order_id"))
    gross_amount = details.get("gross_amount")
    if not _is_int(gross_amount) or gross_amount < 1:
        errors.append("transaction_details.gross_amount must be an integer of at least 1")
    items = body.get("item_details")
    if items is not None:
        item_errors = _item_errors(items)
        errors += item_errors
        if not item_errors and _is_int(gross_amount):
            if sum(item["price"] * item["quantity"] for item in items) != gross_amount:
                errors.append(SUM_MISMATCH)
    if errors:
        return None, errors
    callbacks = body.get("callbacks") if isinstance(body.get("callbacks"), dict) else {}
    finish_url = callbacks.get("finish") if isinstance(callbacks.get("finish"), str) else None
    request = SnapRequest(
        order_id=details["order_id"],
        gross_amount=gross_amount,
        finish_url=finish_url,
        expiry_minutes=_expiry_minutes(body, default_expiry_minutes),
    )
    return request, []
