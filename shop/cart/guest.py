"""A guest's cart: a small value kept in the signed session cookie under "cart".

The page cache treats a session holding "cart" as personal (its header shows the count), so
an empty cart takes the key out rather than leaving an empty list behind.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask.sessions import SessionMixin

SESSION_KEY = "cart"


@dataclass(frozen=True)
class GuestCart:
    """(variant id, quantity) pairs in the order they were added. A list, not a dict: the
    session's JSON sorts dict keys, which would lose that order."""

    lines: tuple[tuple[int, int], ...] = ()

    def quantity_of(self, variant_id: int) -> int:
        return dict(self.lines).get(variant_id, 0)

    def with_quantity(self, variant_id: int, quantity: int) -> "GuestCart":
        """This cart with the variant's quantity set, in its place or last; 0 takes it out."""
        if quantity <= 0:
            return self.without([variant_id])
        if self.quantity_of(variant_id):
            return GuestCart(
                tuple((vid, quantity if vid == variant_id else qty) for vid, qty in self.lines)
            )
        return GuestCart((*self.lines, (variant_id, quantity)))

    def without(self, variant_ids: Iterable[int]) -> "GuestCart":
        gone = set(variant_ids)
        return GuestCart(tuple((vid, qty) for vid, qty in self.lines if vid not in gone))

    @property
    def item_count(self) -> int:
        return sum(quantity for _variant_id, quantity in self.lines)


def guest_cart_from(session: Mapping) -> GuestCart:
    """The guest cart in the session. The cookie is signed, so only this app wrote it; pairs
    that are not two positive integers (a format from an older release) are skipped."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return GuestCart()
    lines: dict[int, int] = {}
    for pair in raw:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(type(number) is int and number > 0 for number in pair)
        ):
            lines.setdefault(pair[0], pair[1])
    return GuestCart(tuple(lines.items()))


def keep_guest_cart(session: SessionMixin, cart: GuestCart) -> None:
    """Store the cart in the session (or take it out when empty)."""
    if cart.lines:
        session[SESSION_KEY] = [[variant_id, quantity] for variant_id, quantity in cart.lines]
        # A browser may drop a session cookie when it is closed; a shopper expects the cart
        # to be there tomorrow, so the cookie lasts PERMANENT_SESSION_LIFETIME (31 days).
        session.permanent = True
    else:
        session.pop(SESSION_KEY, None)
