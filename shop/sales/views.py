"""The member's sales page."""

from flask import Blueprint

bp = Blueprint("sales", __name__)
