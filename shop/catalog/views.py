"""The storefront: cooperative, member, category and product pages."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)
