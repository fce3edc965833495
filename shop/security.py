"""Security headers on every response, private pages, and the one check for `next=`
redirects."""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, make_response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


# What a page of personal data sends (see private_page).
PRIVATE_CACHE_CONTROL = "private, no-store"


def security_headers(config) -> dict[str, str]:
    """What every response carries (also those served before Flask: shop/pagecache_hits.py)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if config["SEND_HSTS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def add_security_headers(app: Flask) -> None:
    # Each with its name in lower case: a response's own header of that name (a view may set
    # a stricter one) is kept. One pass over the response's few headers, where a setdefault
    # per header searched them five times.
    always = [(name.lower(), name, value) for name, value in security_headers(app.config).items()]

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for lower, name, value in always:
            if lower not in present:
                headers.add(name, value)
        if _is_behind_sign_in() and "cache-control" not in present:
            _mark_private(response)
        return response


def _is_behind_sign_in() -> bool:
    """Whether this request's view asks for any rule but "public" (shop.auth.policy). Such a
    page is about someone, so it is private by default: a new page cannot forget it."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "access_rule", "public") != "public"


def private_page(body) -> Response:
    """A page of personal data (an address, a balance, a bank account): never kept by a
    shared cache or the browser's back-forward cache, never indexed. Every page behind a
    sign-in rule gets this anyway; a public route showing personal data (an order opened by
    its link, the checkout) must ask for it."""
    return _mark_private(make_response(body))


def _mark_private(response: Response) -> Response:
    response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative // or backslash tricks."""
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return fallback
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    return target
