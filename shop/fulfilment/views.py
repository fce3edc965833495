"""Pages."""

from flask import Blueprint

bp = Blueprint("fulfilment", __name__)
