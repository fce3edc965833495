"""The Midtrans simulator's HTTP face under /simulator/midtrans, registered only while no real
server key is configured (MIDTRANS_SIMULATOR_ENABLED).

It answers what midtransclient calls (Snap create, Core API status, cancel, expire, approve,
deny, refund) with Midtrans's shapes and codes, and serves the payment page where the
shopper picks a method and an outcome. The JSON API is called by the library, not by
browsers, so it is exempt from CSRF and checks the server key instead (HTTP Basic, as
Midtrans does: the key is random per installation, see key.py); the payment page's own form
keeps its CSRF token and acts only on the transaction whose token is in its address.
Transactions live in the database (store.py), so any worker or host can answer for any.
"""

import hmac
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from shop.auth.policy import public
from shop.extensions import csrf, db
from shop.payments.simulator import notify, snap, state, store
from shop.payments.simulator.key import installation_key

logger = logging.getLogger(__name__)

bp = Blueprint("midtrans_simulator", __name__, url_prefix="/simulator/midtrans")
TABLES_MADE = "midtrans_simulator_tables"
SNAP_UNAUTHORIZED = [
    "Access denied due to unauthorized transaction, please check client or server key",
    "Visit https://snap-docs.midtrans.com/#request-headers for more details",
]


@bp.record_once
def _set_up(setup_state) -> None:
    """The installation's own key when no key is configured, and the simulator's tables."""
    app = setup_state.app
    if not app.config.get("MIDTRANS_SERVER_KEY"):
        app.config["MIDTRANS_SERVER_KEY"] = installation_key(app.instance_path)
    with app.app_context():
        _make_tables()


@bp.before_request
def _make_tables() -> None:
    """The simulator's tables, made at start; a database that cannot be reached then (the
    app still starts, and /healthz says so) gets them at the first simulator request."""
    if current_app.extensions.get(TABLES_MADE):
        return
    try:
        store.create_tables(db.engine)
    except OperationalError as error:
        logger.warning("the simulator's tables wait for the database: %s", error.orig)
        return
    current_app.extensions[TABLES_MADE] = True


def _server_key() -> str:
    return current_app.config["MIDTRANS_SERVER_KEY"]


def _authorized() -> bool:
    """HTTP Basic with the server key as user and an empty password, like Midtrans."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.password:
        return False
    return hmac.compare_digest((auth.username or "").encode(), _server_key().encode())


def _notify(payloads: list[dict]) -> None:
    if payloads:
        config = current_app.config
        notify.send_in_background(
            config["MIDTRANS_NOTIFICATION_URL"], payloads, config["MIDTRANS_SIMULATOR_RETRY_DELAYS"]
        )


# The JSON API ------------------------------------------------------------------------------


@bp.route("/snap/v1/transactions", methods=["POST"])
@csrf.exempt
@public
def create_transaction():
    if not _authorized():
        return jsonify(error_messages=SNAP_UNAUTHORIZED), 401
    body = request.get_json(silent=True)
    default_expiry = current_app.config["MIDTRANS_EXPIRY_MINUTES"]
    snap_request, errors = snap.validate(body, default_expiry)
    if errors:
        return jsonify(error_messages=errors), 400
    try:
        transaction = store.create(
            snap_request.order_id,
            snap_request.gross_amount,
            snap_request.finish_url,
            snap_request.expiry_minutes,
        )
    except store.AlreadyPaid:
        return jsonify(error_messages=[snap.ALREADY_PAID]), 400
    redirect_url = current_app.config["MIDTRANS_SIMULATOR_URL"].rstrip("/")
    redirect_url += f"/snap/v3/redirection/{transaction.token}"
    return jsonify(token=transaction.token, redirect_url=redirect_url), 201


def _core_call(
    transaction_id: str, change: Callable[[state.SimTransaction], dict], notify_too=True
):
    """Run a Core API transition; errors in Midtrans's body shape (HTTP 200, body code)."""
    if not _authorized():
        return jsonify(status_code="401", status_message="Unknown Merchant server_key/id"), 401
    try:
        answer = store.by_id(transaction_id, change)
    except state.SimulatorError as error:
        return jsonify(status_code=error.status_code, status_message=error.message)
    if notify_too:  # Midtrans notifies every change, those made through the API included
        _notify([_as_notification(transaction_id)])
    return jsonify(answer)


def _as_notification(transaction_id: str) -> dict:
    return store.by_id(transaction_id, lambda t: t.fields(_server_key(), for_notification=True))


@bp.route("/v2/<transaction_id>/status")
@csrf.exempt
@public
def status(transaction_id: str):
    return _core_call(transaction_id, lambda t: t.fields(_server_key()), notify_too=False)


@bp.route("/v2/<transaction_id>/cancel", methods=["POST"])
@csrf.exempt
@public
def cancel(transaction_id: str):
    return _core_call(transaction_id, lambda t: state.cancel(t, _server_key()))


@bp.route("/v2/<transaction_id>/expire", methods=["POST"])
@csrf.exempt
@public
def expire(transaction_id: str):
    return _core_call(transaction_id, lambda t: state.expire(t, _server_key()))


@bp.route("/v2/<transaction_id>/approve", methods=["POST"])
@csrf.exempt
@public
def approve(transaction_id: str):
    return _core_call(transaction_id, lambda t: state.review(t, _server_key(), approve=True))


@bp.route("/v2/<transaction_id>/deny", methods=["POST"])
@csrf.exempt
@public
def deny(transaction_id: str):
    return _core_call(transaction_id, lambda t: state.review(t, _server_key(), approve=False))


@bp.route("/v2/<transaction_id>/refund", methods=["POST"])
@csrf.exempt
@public
def refund(transaction_id: str):
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    amount, refund_key = body.get("amount"), body.get("refund_key") or ""
    if (amount is not None and type(amount) is not int) or not isinstance(refund_key, str):
        return jsonify(status_code="413", status_message="Refund amount or refund_key is invalid")
    return _core_call(transaction_id, lambda t: state.refund(t, _server_key(), refund_key, amount))


# The payment page --------------------------------------------------------------------------


class PaymentChoiceForm(FlaskForm):
    method = RadioField(
        _l("Payment method"),
        choices=[
            SelectChoice("bank_transfer", _l("BCA virtual account")),
            SelectChoice("bni_va", _l("BNI virtual account")),
            SelectChoice("bri_va", _l("BRI virtual account")),
            SelectChoice("permata_va", _l("Permata virtual account")),
            SelectChoice("echannel", _l("Mandiri Bill")),
            SelectChoice("qris", _l("QRIS")),
            SelectChoice("gopay", _l("GoPay")),
            SelectChoice("credit_card", _l("Credit card")),
            SelectChoice("indomaret", _l("Indomaret")),
            SelectChoice("alfamart", _l("Alfamart")),
        ],
        validators=[InputRequired(message=_l("Choose a payment method."))],
    )
    outcome = StringField(
        validators=[
            AnyOf(list(state.OTHER_STEPS) + ["challenge"], message=_l("Choose what happens."))
        ]
    )

    def validate_outcome(self, field) -> None:
        if field.data == "challenge" and self.method.data != "credit_card":
            raise ValidationError(_l("Only a card payment can be held for review."))


def _finish_url(transaction: state.SimTransaction) -> str | None:
    if not transaction.finish_url:
        return None
    query = urlencode(
        {
            "order_id": transaction.order_id,
            "status_code": transaction.status_code(),
            "transaction_status": transaction.transaction_status or "",
        }
    )
    separator = "&" if "?" in transaction.finish_url else "?"
    return transaction.finish_url + separator + query


@bp.route("/snap/v3/redirection/<token>", methods=["GET", "POST"])
@public
def payment_page(token: str):
    # Only ever the transaction of the token in the address: the page never acts by order id.
    transaction = store.get_by_token(token)
    if transaction is None:
        abort(404)
    form = PaymentChoiceForm()
    is_open = transaction.transaction_status in (None, "pending")
    if is_open and form.validate_on_submit():
        choice = (form.method.data, form.outcome.data, _server_key())
        try:  # the finish URL carries the status the choice left
            chosen = store.by_token(token, lambda t: (state.choose(t, *choice), _finish_url(t)))
        except state.SimulatorError:  # chosen meanwhile in another tab: show what happened
            return redirect(request.path, code=303)
        if chosen is None:  # replaced by a new token for the order meanwhile
            abort(404)
        payloads, finish_url = chosen
        _notify(payloads)
        return redirect(finish_url or request.path, code=303)
    return render_template(
        "payments/simulator/pay.html",
        form=form,
        transaction=transaction,
        is_open=is_open,
        finish_url=_finish_url(transaction),
    )
