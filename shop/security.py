"""Security headers on every response, private pages, and the one check for `next=`
redirects."""

from urllib.parse import urlsplit

from flask import Flask, Response, make_response

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


def add_security_headers(app: Flask) -> None:
    send_hsts = app.config["SEND_HSTS"]

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if send_hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def private_page(body) -> Response:
    """A page of personal data (an address, a balance, a bank account): never kept by a
    shared cache or the browser's back-forward cache, never indexed."""
    response = make_response(body)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
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
