"""Who may open which page: every view declares exactly one of these rules.

A test walks app.url_map and fails for any endpoint without a rule, so a new route that
forgets to say who may use it breaks the suite instead of shipping open.
"""

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user

from shop.coops.models import Membership
from shop.coops.services import find_membership, get_coop_by_slug

# Endpoints served by Flask itself, not by our views.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})

RULES = ("public", "signed_in", "operator", "coop_admin", "coop_books", "coop_pengawas",
         "coop_member")  # fmt: skip
# What reading is: a pengawas may send these to a books page, never anything else.
READING_METHODS = frozenset({"GET", "HEAD"})


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return _mark(view, "public")


def _sign_in_redirect():
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


def require_sign_in(view: Callable) -> Callable:
    """Any signed-in account."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _sign_in_redirect()
        return view(*args, **kwargs)

    return _mark(wrapper, "signed_in")


def require_operator(view: Callable) -> Callable:
    """The platform operator only."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _sign_in_redirect()
        if not current_user.is_operator:
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapper, "operator")


def _coop_rule(
    rule: str, admits: Callable[[Membership], bool], include_former: bool = False
) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, coop_slug: str, **kwargs):
            if not current_user.is_authenticated:
                return _sign_in_redirect()
            coop = get_coop_by_slug(coop_slug)
            if coop is None:
                abort(404)
            membership = find_membership(current_user, coop, include_former)
            if membership is None or not admits(membership):
                abort(403)
            g.coop, g.membership = coop, membership
            return view(*args, coop=coop, membership=membership, **kwargs)

        return _mark(wrapper, rule)

    return decorator


def _reads_books(membership: Membership) -> bool:
    # The pengawas reads everything and changes nothing: every other method stays the admins'.
    return membership.is_admin or (membership.is_pengawas and request.method in READING_METHODS)


require_coop_admin = _coop_rule("coop_admin", lambda membership: membership.is_admin)
require_coop_admin.__doc__ = "An admin (pengurus) of the cooperative named by <coop_slug>."
require_books_reader = _coop_rule("coop_books", _reads_books)
require_books_reader.__doc__ = (
    "An admin of <coop_slug>, or its pengawas for reading only (GET): the books pages. A "
    "pengawas's POST is refused before the view runs."
)
require_pengawas = _coop_rule("coop_pengawas", lambda membership: membership.is_pengawas)
require_pengawas.__doc__ = "The pengawas (supervisory board) of <coop_slug>: their own pages."
require_member = _coop_rule("coop_member", lambda membership: True)
require_member.__doc__ = (
    "Any active member of the cooperative <coop_slug>: admins and the pengawas included, who "
    "may sell too."
)
require_member_or_former = _coop_rule("coop_member", lambda membership: True, include_former=True)
require_member_or_former.__doc__ = (
    "A member of <coop_slug>, or a deactivated one: their home, balance and statement stay "
    "open so they can still be paid what they are owed."
)


def unguarded_endpoints(app: Flask) -> list[str]:
    """Endpoints whose view declares no rule of this module."""
    missing = []
    for endpoint, view in app.view_functions.items():
        if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
            continue
        if getattr(view, "access_rule", None) not in RULES:
            missing.append(endpoint)
    return sorted(missing)
