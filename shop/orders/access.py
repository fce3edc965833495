"""Who may open an order's page: its signed-in owner, the browser that placed it, or a link.

A guest has no account, so the order page must be reachable without one: the browser that
placed the order remembers its number in the Flask session (signed, so it cannot be forged),
and the mailed link carries a random token whose SHA-256 the order keeps. Anyone else gets
the same 404 as for an unknown number, so order numbers cannot be probed.
"""

import hmac
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING

from shop.accounts.models import User
from shop.checkout.models import Order
from shop.tokens import hash_token

if TYPE_CHECKING:
    from shop.orders.queries import OrderGlance

SESSION_KEY = "order_numbers"
# The session lives in a cookie (about 4 KB in all); 20 numbers of ~20 characters fit easily.
MAX_REMEMBERED_ORDERS = 20


def remember_order_access(session: MutableMapping, order_number: str) -> None:
    """Let this browser open the order later without the link (it placed or opened it)."""
    numbers = [number for number in session.get(SESSION_KEY, []) if number != order_number]
    numbers.append(order_number)
    session[SESSION_KEY] = numbers[-MAX_REMEMBERED_ORDERS:]


def can_view_order(
    order: "Order | OrderGlance", user: User | None, session: Mapping, token: str | None
) -> bool:
    # current_user may be passed as is: an anonymous one is not authenticated.
    if user is not None and user.is_authenticated and order.user_id == user.id:
        return True
    if order.number in session.get(SESSION_KEY, []):
        return True
    return is_valid_token(order, token)


def is_valid_token(order: "Order | OrderGlance", token: str | None) -> bool:
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), order.access_token_hash)
