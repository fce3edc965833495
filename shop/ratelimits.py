"""Rate limits on the forms that attackers hammer: password guessing, sign-up and mail bombing.

Only the POSTs of the endpoints below are counted, by client address, with the `limits`
library: in Redis when REDIS_URL is set (shared by every gunicorn worker), otherwise in the
process's memory. Other requests pay nothing: a global before-request hook (Flask-Limiter's
way) cost about a fifth of a cached page's time.
"""

import math
import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

# endpoint -> limits on its POSTs; reading a page is never limited.
POST_LIMITS = {
    "accounts.sign_in": "10 per minute;50 per hour",
    "accounts.register": "10 per hour",
    "accounts.forgot_password": "5 per minute;20 per hour",
    "accounts.reset_password": "5 per minute;20 per hour",
}


def init_rate_limits(app: Flask) -> None:
    if not app.config["RATELIMIT_ENABLED"]:
        return
    counter = FixedWindowRateLimiter(storage_from_string(app.config["RATELIMIT_STORAGE_URI"]))
    for endpoint, text in POST_LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = _limited(view, endpoint, parse_many(text), counter)


def _limited(
    view: Callable, endpoint: str, limits: list[RateLimitItem], counter: FixedWindowRateLimiter
) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST":
            client = request.remote_addr or "unknown"
            for limit in limits:
                if not counter.hit(limit, endpoint, client):
                    reset_at = counter.get_window_stats(limit, endpoint, client).reset_time
                    retry_after = max(1, math.ceil(reset_at - time.time()))
                    abort(429, retry_after=retry_after)
        return view(*args, **kwargs)

    return wrapper
