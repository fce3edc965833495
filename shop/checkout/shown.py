"""What the checkout page showed the shopper, checked again when the order is placed.

The page sends, beside the shopper's choices, the fee it showed next to each shipping option
and the price next to each line. A cooperative's admin may change a fee, or a member a
price, while the page is open; Midtrans would then ask for an amount the page never showed.
Placing the order compares and refuses, writing nothing, so the shopper sees the new total
first. It is only a comparison: what is charged always comes from the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from shop.cart.services import variant_name
from shop.catalog.models import ProductVariant
from shop.checkout.order_rows import NewShipment
from shop.checkout.shipping import method_label
from shop.errors import ShopError
from shop.money import format_rupiah


@dataclass(frozen=True)
class ShownAmounts:
    """What the page showed; whatever is missing here (an old page, another caller) is not
    checked."""

    # cooperative id -> the fee shown beside the option the shopper chose; None: the option
    # was shown without a fee (a courier before the province was chosen)
    shipping_fees: Mapping[int, int | None] = field(default_factory=dict)
    unit_prices: Mapping[int, int] = field(default_factory=dict)  # variant id -> price shown
    items_total: int | None = None


class TotalChanged(ShopError):
    """The order would cost something else than the page showed; the message says what."""


def check_as_shown(
    shown: ShownAmounts | None,
    quantities: Mapping[int, int],
    variants: Mapping[int, ProductVariant],
    shipments: list[NewShipment],
) -> None:
    """Raise TotalChanged, naming every price and fee that differs from what was shown."""
    if shown is None:
        return
    changes = _price_changes(shown, quantities, variants)
    cooperatives = {v.product.cooperative_id: v.product.cooperative for v in variants.values()}
    for shipment in shipments:
        if shipment.cooperative_id not in shown.shipping_fees:
            continue
        before = shown.shipping_fees[shipment.cooperative_id]
        # Shown without a fee (no province yet), a free one leaves the total as shown.
        if before != shipment.fee and not (before is None and shipment.fee == 0):
            option = _(
                "%(option)s from %(cooperative)s",
                option=shipment.courier_service or method_label(shipment.method),
                cooperative=cooperatives[shipment.cooperative_id].name,
            )
            changes.append(_fee_change(option, before, shipment.fee))
    if changes:
        changes.append(_("Check the new total and place the order again."))
        raise TotalChanged(" ".join(changes))


def _price_changes(
    shown: ShownAmounts, quantities: Mapping[int, int], variants: Mapping[int, ProductVariant]
) -> list[str]:
    changes = []
    for variant_id in quantities:
        variant = variants[variant_id]
        before = shown.unit_prices.get(variant_id)
        if before is not None and before != variant.price:
            changes.append(
                _(
                    "The price of %(name)s changed from %(before)s to %(after)s.",
                    name=variant_name(variant),
                    before=format_rupiah(before),
                    after=format_rupiah(variant.price),
                )
            )
    items_total = sum(variants[v].price * quantity for v, quantity in quantities.items())
    if not changes and shown.items_total not in (None, items_total):
        # Same prices, other quantities: the cart was changed in another tab.
        changes.append(
            _(
                "The items in your cart changed since this page was shown: they now cost "
                "%(after)s.",
                after=format_rupiah(items_total),
            )
        )
    return changes


def _fee_change(option: str, before: int | None, after: int) -> str:
    if before is None:
        return _(
            "The delivery fee of %(option)s is %(after)s.",
            option=option,
            after=format_rupiah(after),
        )
    return _(
        "The delivery fee of %(option)s changed from %(before)s to %(after)s.",
        option=option,
        before=format_rupiah(before),
        after=format_rupiah(after),
    )
