"""Domain errors and the error pages."""

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class ShopError(Exception):
    """A failure a user can cause. Its message is translated and safe to show."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ShopError):
    pass


class InvalidTransition(ShopError):
    pass


ERROR_PAGES = {
    400: (_l("Bad request"), _l("We could not understand that request. Please try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    413: (
        _l("File too large"),
        _l("The upload is larger than we accept. Please send a smaller file."),
    ),
    429: (_l("Too many attempts"), _l("Please wait a moment before you try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
}


def render_error_page(code: int, message: str | None = None):
    """The error page of `code`; `message` says more than the page's usual one."""
    title, usual_message = ERROR_PAGES[code]
    body = render_template(
        "errors/error.html", code=code, title=title, message=message or usual_message
    )
    return body, code


def register_error_pages(app: Flask) -> None:
    def handle_http_error(error: HTTPException):
        code = error.code if error.code in ERROR_PAGES else 500
        body, status = render_error_page(code)
        # Keep what the error says in headers (Allow for 405, Retry-After for 429).
        headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
        return body, status, headers

    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):  # codes without a page of ours (401, 429...)
            return error
        logger.exception("unhandled error")
        return render_error_page(500)

    for code in ERROR_PAGES:
        app.register_error_handler(code, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
