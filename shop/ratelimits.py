"""Rate limits on the forms that attackers hammer: password guessing, sign-up and mail bombing.

Only the POSTs of the endpoints below are counted, by client address, with the `limits`
library: in Redis when REDIS_URL is set (shared by every gunicorn worker), otherwise in the
process's memory. Other requests pay nothing: a global before-request hook (Flask-Limiter's
way) cost about a fifth of a cached page's time.

Paying and checking out are limited too (issue 14, finding 6: forty "Pay" clicks from one
guest took every worker thread while Midtrans was slow): per client, and "Pay" also per
order, whoever sends it, so one order cannot be hammered from many addresses either.
"""

import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, NoReturn

from flask import Flask, abort, make_response, request
from flask_babel import gettext as _

from shop.errors import render_error_page

if TYPE_CHECKING:
    from limits.strategies import FixedWindowRateLimiter

# endpoint -> limits on its POSTs; reading a page is never limited.
POST_LIMITS = {
    "accounts.sign_in": "10 per minute;50 per hour",
    "accounts.register": "10 per hour",
    "accounts.forgot_password": "5 per minute;20 per hour",
    "accounts.reset_password": "5 per minute;20 per hour",
    # A checkout page posts again to recalculate shipping: room for that, not for a flood.
    "checkout.start": "20 per minute;200 per hour",
    "payments.pay": "10 per minute;60 per hour",
    "cart.buy_again": "10 per minute;100 per hour",
}
# endpoint -> (view argument, limits): also counted per value of that argument.
POST_LIMITS_PER_ARGUMENT = {
    "payments.pay": ("number", "5 per minute;30 per hour"),
}


def init_rate_limits(app: Flask) -> None:
    if not app.config["RATELIMIT_ENABLED"]:
        return
    counter = _Counter(app.config["RATELIMIT_STORAGE_URI"])
    for endpoint in POST_LIMITS:
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = _limited(view, endpoint, counter)


class _Counter:
    """The limits library's counter and every endpoint's parsed limits, built at the first
    limited POST: a worker that only serves pages never imports the library (1.6 MB a
    process with wrapt and deprecated)."""

    def __init__(self, storage_uri: str):
        self._storage_uri = storage_uri
        self._lock = threading.Lock()
        self._built: tuple[FixedWindowRateLimiter, dict[str, list]] | None = None

    def get(self, endpoint: str) -> tuple["FixedWindowRateLimiter", list]:
        """The counter and the endpoint's (limit, view argument or None) pairs."""
        with self._lock:  # two threads' first POSTs must share one counter
            if self._built is None:
                self._built = self._build()
        counter, limits = self._built
        return counter, limits[endpoint]

    def _build(self) -> tuple["FixedWindowRateLimiter", dict[str, list]]:
        from limits import parse_many
        from limits.storage import storage_from_string
        from limits.strategies import FixedWindowRateLimiter

        limits = {}
        for endpoint, text in POST_LIMITS.items():
            argument, per_argument = POST_LIMITS_PER_ARGUMENT.get(endpoint, (None, ""))
            limits[endpoint] = [(limit, None) for limit in parse_many(text)]
            if argument:
                limits[endpoint] += [(limit, argument) for limit in parse_many(per_argument)]
        return FixedWindowRateLimiter(storage_from_string(self._storage_uri)), limits


def _limited(view: Callable, endpoint: str, counters: _Counter) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST":
            client = request.remote_addr or "unknown"
            counter, limits = counters.get(endpoint)
            for limit, argument in limits:
                # Per client, or per value of the view argument (":" keeps the two apart).
                key = f":{str(kwargs.get(argument))[:100]}" if argument else client
                if not counter.hit(limit, endpoint, key):
                    reset_at = counter.get_window_stats(limit, endpoint, key).reset_time
                    _refuse(max(1, math.ceil(reset_at - time.time())))
        return view(*args, **kwargs)

    return wrapper


def _refuse(retry_after: int) -> NoReturn:
    """The 429 page, saying how long to wait (and Retry-After, for programs)."""
    message = _(
        "You have tried this too many times in a short while. "
        "Please wait %(seconds)d seconds and try again.",
        seconds=retry_after,
    )
    body, status = render_error_page(429, message)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"  # a refusal for this client, now only
    abort(response)
