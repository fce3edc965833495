"""Rate limits on the forms that attackers hammer: password guessing, sign-up and mail bombing.

One Limiter per app (Flask-Limiter keeps its state on the instance, so a module-level one
would be reconfigured by every app created in the same process). Counters live in Redis
when REDIS_URL is set, shared by every gunicorn worker; otherwise in the process's memory.
"""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# endpoint -> limits on its POSTs; reading a page is never limited.
POST_LIMITS = {
    "accounts.sign_in": "10 per minute;50 per hour",
    "accounts.register": "10 per hour",
    "accounts.forgot_password": "5 per minute;20 per hour",
    "accounts.reset_password": "5 per minute;20 per hour",
}


def init_rate_limits(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # the limits hold only a weak reference to it
    for endpoint, limits in POST_LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(limits, methods=["POST"])(view)
    return limiter
