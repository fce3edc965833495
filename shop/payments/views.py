"""The Midtrans notification URL: public (Midtrans sends no auth), exempt from CSRF (it is
no browser form), and a thin door to handle_notification."""

from flask import Blueprint, current_app, jsonify, request

from shop.auth.policy import public
from shop.extensions import csrf
from shop.payments.gateway import gateway_from_config
from shop.payments.services import handle_notification

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.route("/midtrans/notification", methods=["POST"])
@csrf.exempt
@public
def midtrans_notification():
    result = handle_notification(request.get_data(), gateway_from_config(current_app.config))
    return jsonify(status=result.outcome.value), result.http_status
