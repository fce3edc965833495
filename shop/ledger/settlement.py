"""Posting a settled payment: what each member earned, what each cooperative kept, and what
Midtrans charged.

Called by the payment rules inside the transaction that marks the order paid, so the money
and the order's state are committed together or not at all. One entry per cooperative in
the order: each cooperative's books stand on their own.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from shop.checkout.models import Order
from shop.ledger.journal import NewEntry, add_entries, credit, debit
from shop.ledger.models import Account, EntryKind

if TYPE_CHECKING:  # the payment's own values of a paid order; payments imports this module
    from shop.payments.paying import PaidOrder


def post_payment(order: "Order | PaidOrder", payment_method: str | None, fees: Mapping) -> None:
    """post_settlement() and post_gateway_fee() together, in one round of statements (their
    entries in the same order as the two calls would write them). Flushes only."""
    parts = _parts(order)
    add_entries(
        _settlement_entries(order, parts) + _gateway_fee_entries(order, parts, payment_method, fees)
    )


def post_settlement(order: Order) -> None:
    """Gateway clearing debited by what the shopper paid for each cooperative's part; each
    member's pending balance credited with their lines less the fee; the cooperative's fee
    and shipping credited. Flushes only."""
    add_entries(_settlement_entries(order, _parts(order)))


def post_gateway_fee(order: Order, payment_method: str | None, fees: Mapping) -> None:
    """Midtrans's fee for this payment, borne by the cooperatives in proportion to their part
    of the order (largest remainder, so the parts add up to the fee exactly). Flushes only."""
    add_entries(_gateway_fee_entries(order, _parts(order), payment_method, fees))


def _settlement_entries(order: "Order | PaidOrder", parts: dict[int, "_Part"]) -> list[NewEntry]:
    entries = []
    for cooperative_id, part in parts.items():
        legs = [debit(Account.GATEWAY_CLEARING, part.gross)]
        legs += [
            credit(Account.MEMBER_PENDING, amount, member_id)
            for member_id, amount in sorted(part.member_amounts.items())
        ]
        legs += [
            credit(Account.FEE_REVENUE, part.fee),
            credit(Account.SHIPPING_REVENUE, part.shipping),
        ]
        entries.append(
            NewEntry(
                f"settle:{order.number}:{cooperative_id}",
                EntryKind.SETTLEMENT,
                cooperative_id,
                tuple(legs),
                order_id=order.id,
                memo=f"payment of order {order.number}",
            )
        )
    return entries


def _gateway_fee_entries(
    order: "Order | PaidOrder",
    parts: dict[int, "_Part"],
    payment_method: str | None,
    fees: Mapping,
) -> list[NewEntry]:
    fee = gateway_fee(order.grand_total, payment_method, fees)
    if fee == 0:
        return []
    shares = split_proportionally(fee, {coop: part.gross for coop, part in parts.items()})
    return [
        NewEntry(
            f"gateway-fee:{order.number}:{cooperative_id}",
            EntryKind.GATEWAY_FEE,
            cooperative_id,
            (debit(Account.GATEWAY_FEES, share), credit(Account.GATEWAY_CLEARING, share)),
            order_id=order.id,
            memo=f"Midtrans fee ({payment_method}) for order {order.number}",
        )
        for cooperative_id, share in shares.items()
    ]


def gateway_fee(amount: int, payment_method: str | None, fees: Mapping) -> int:
    """fees maps a Midtrans payment_type to (basis points, fixed Rupiah), "default" for the
    rest (config MIDTRANS_FEES). The percentage part rounds half up, like every fee here."""
    rate_bp, fixed = fees.get(payment_method or "", fees.get("default", (0, 0)))
    return (amount * rate_bp + 5_000) // 10_000 + fixed


def split_proportionally(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """total cut in proportion to weights; whole Rupiah that sum to total exactly (the
    leftovers go to the largest remainders, ties to the smaller key)."""
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        raise ValueError("nothing to split by")
    shares = {key: total * weight // weight_sum for key, weight in weights.items()}
    remainders = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in remainders[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


class _Part:
    def __init__(self) -> None:
        self.member_amounts: dict[int, int] = defaultdict(int)
        self.fee = 0
        self.shipping = 0

    @property
    def gross(self) -> int:
        return sum(self.member_amounts.values()) + self.fee + self.shipping


def _parts(order: "Order | PaidOrder") -> dict[int, _Part]:
    parts: dict[int, _Part] = defaultdict(_Part)
    for line in order.lines:
        part = parts[line.cooperative_id]
        part.member_amounts[line.member_id] += line.member_amount
        part.fee += line.fee
    for shipment in order.shipments:
        parts[shipment.cooperative_id].shipping += shipment.fee
    return dict(sorted(parts.items()))
