"""Cooperatives: memberships, invitations, the admin console, profiles and who may do what.

The helpers below read state back from the database and find things in rendered forms; they
are shared by the three test modules of this package.
"""

import html
import re

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.extensions import db


def in_site_language(message: str, **values) -> str:
    """A message as visitors read it: in the site's default language (Indonesian); values
    fill the message's placeholders, as the code that says it does."""
    with current_app.test_request_context():
        return gettext(message, **values)


def count(model, *where) -> int:
    """Rows of a model in the database (pending changes are flushed first, so none hide)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def error_beside(page: str, field_id: str) -> str | None:
    """The error text the form macro shows under one field, or None."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    """What an <input> or <textarea> of the rendered form holds."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag:
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else ""
    textarea = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    return html.unescape(textarea.group(1)) if textarea else None


def selected_option(page: str, name: str) -> str | None:
    select_tag = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select_tag is None:
        return None
    option = re.search(r'<option selected value="([^"]*)"', select_tag.group(1))
    return html.unescape(option.group(1)) if option else None
