"""The cooperative's audit log page."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
