"""Requests no view should see: a NUL byte anywhere the app reads text from.

PostgreSQL refuses NUL in text (the query fails: a 500) and SQLite stores it; no browser or
client of ours ever sends one. One check, before every other before-request hook (the CSRF
check reads the form) and before any view touches the database, answers such a request with
a 400 page.
"""

import logging
import re

from flask import Flask, request
from flask_babel import gettext as _

from shop.errors import render_error_page

logger = logging.getLogger(__name__)

NUL = "\x00"
# \u0000 escaped in a JSON string: the backslash before the u not itself escaped ("\\u0000" is
# the six characters \u0000, no NUL).
JSON_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def init_guards(app: Flask) -> None:
    # First in the list: hooks added by the extensions (Flask-WTF's CSRF check) run after it.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)


def refuse_nul_bytes():
    where = _where_nul_is()
    if where is None:
        return None
    logger.warning("refused %s %r: a NUL byte in its %s", request.method, request.path, where)
    return render_error_page(
        400,
        _(
            "Your request contains a character we cannot accept (a NUL byte). Please remove "
            "it and try again."
        ),
    )


def _where_nul_is() -> str | None:
    """The part of the request holding a NUL byte, or None."""
    if NUL in request.path:
        return "path"
    if _has_nul(request.args.items(multi=True)):
        return "query"
    if request.mimetype in FORM_TYPES:
        if request.mimetype == "application/x-www-form-urlencoded":  # small, unlike uploads
            request.get_data()  # kept, so a view may still read the raw body after the form
        if _has_nul(request.form.items(multi=True)):
            return "form"
        names = (
            (field, upload.filename or "") for field, upload in request.files.items(multi=True)
        )
        if _has_nul(names):
            return "file name"
    elif request.is_json:
        body = request.get_data()
        if b"\x00" in body or JSON_ESCAPED_NUL.search(body):
            return "JSON body"
    return None


def _has_nul(pairs) -> bool:
    return any(NUL in key or NUL in value for key, value in pairs)
