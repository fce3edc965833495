"""Pages."""

from flask import Blueprint

bp = Blueprint("payouts", __name__)
