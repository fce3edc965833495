"""The Iris simulator's HTTP face under /simulator/iris, registered only while no real Iris
creator key is configured (IRIS_SIMULATOR_ENABLED).

/simulator/iris/api/v1 answers what the iris payout adapter calls (shop/payouts/iris.py),
with Iris's shapes: HTTP Basic with a key as user; creating and validating take the creator
key, approving and rejecting the approver key (the creator key is refused there with 403,
an unknown key with 401), reading either. /simulator/iris/payouts is the page where a person
moves a payout on (processed, completed, failed), which sends the signed notification.

The keys: the configured IRIS_* ones (the test suite's), else three derived from the
installation's random simulator key (key.py), so nobody can approve or sign through a
simulator they do not run.
"""

import hashlib
import hmac
import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import StringField
from wtforms.validators import AnyOf

from shop.auth.policy import public
from shop.extensions import csrf, db
from shop.payments.simulator import iris, store
from shop.payments.simulator.key import installation_key

logger = logging.getLogger(__name__)

bp = Blueprint("iris_simulator", __name__, url_prefix="/simulator/iris")
TABLES_MADE = "iris_simulator_tables"
CREATOR, APPROVER = "creator", "approver"


@bp.record_once
def _set_up(setup_state) -> None:
    app = setup_state.app
    if not app.config.get("IRIS_CREATOR_KEY"):
        base = installation_key(app.instance_path)
        for role in ("CREATOR", "APPROVER", "MERCHANT"):
            derived = hashlib.sha256(f"{base}:iris:{role}".encode()).hexdigest()[:32]
            app.config[f"IRIS_{role}_KEY"] = f"IRIS-sim-{role.lower()}-{derived}"
    with app.app_context():
        _make_tables()


@bp.before_request
def _make_tables() -> None:
    if current_app.extensions.get(TABLES_MADE):
        return
    try:
        store.create_tables(db.engine, (store.sim_iris_payouts,))
    except OperationalError as error:
        logger.warning("the Iris simulator's tables wait for the database: %s", error.orig)
        return
    current_app.extensions[TABLES_MADE] = True


def _role() -> str | None:
    """Which key the request's HTTP Basic user is: creator, approver or None."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.password:
        return None
    given = (auth.username or "").encode()
    config = current_app.config
    for role, name in ((CREATOR, "IRIS_CREATOR_KEY"), (APPROVER, "IRIS_APPROVER_KEY")):
        if hmac.compare_digest(given, config[name].encode()):
            return role
    return None


def _refuse(roles: tuple[str, ...]):
    """The 401/403 answer when the request's key is not one of `roles`, else None."""
    role = _role()
    if role is None:
        return jsonify(error_message="Unauthorized: unknown key"), 401
    if role not in roles:
        return jsonify(error_message=f"Forbidden: the {role} key may not do this"), 403
    return None


def _error(error: iris.IrisSimulatorError):
    return jsonify(error_message=error.message, errors=error.errors), error.http_status


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _notify(payout: iris.SimIrisPayout) -> None:
    config = current_app.config
    iris.send_in_background(
        config["IRIS_NOTIFICATION_URL"],
        payout.notification(),
        config["IRIS_MERCHANT_KEY"],
        config["MIDTRANS_SIMULATOR_RETRY_DELAYS"],
    )


# The JSON API ------------------------------------------------------------------------------


@bp.route("/api/v1/beneficiaries", methods=["POST"])
@csrf.exempt
@public
def beneficiaries():
    """Optional at Iris (a payout names its account itself): accepted, not kept."""
    if refused := _refuse((CREATOR,)):
        return refused
    body = _body()
    missing = [name for name in ("name", "account", "bank") if not body.get(name)]
    if missing:
        return jsonify(error_message="Invalid beneficiary", errors=missing), 422
    return jsonify(status="created"), 201


@bp.route("/api/v1/account_validation")
@csrf.exempt
@public
def account_validation():
    if refused := _refuse((CREATOR,)):
        return refused
    bank, account = request.args.get("bank", ""), request.args.get("account", "")
    try:
        holder = iris.account_holder(bank, account)
    except iris.IrisSimulatorError as error:
        return _error(error)
    return jsonify(account_name=holder, account_no=account, bank_name=bank)


@bp.route("/api/v1/payouts", methods=["POST"])
@csrf.exempt
@public
def create_payouts():
    if refused := _refuse((CREATOR,)):
        return refused
    items = _body().get("payouts")
    if not isinstance(items, list) or not items:
        return jsonify(error_message="payouts is required", errors=["payouts"]), 422
    checked = [iris.validate_new(item) for item in items]
    errors = [error for _values, item_errors in checked for error in item_errors]
    if errors:
        return jsonify(error_message="An error occurred when creating payouts", errors=errors), 422
    key = request.headers.get("X-Idempotency-Key", "")
    if len(key) > 100:
        return jsonify(error_message="X-Idempotency-Key is longer than 100 characters"), 422
    created = []
    for index, (values, _errors) in enumerate(checked):
        # Without a key every call is new; with one, a repeat gives the same payouts back.
        item_key = f"{key}:{index}" if key else iris.uuid.uuid4().hex
        payout = iris.create(item_key, values)
        created.append({"status": payout.status, "reference_no": payout.reference_no})
    return jsonify(payouts=created), 201


def _decide(target: str, reason: str = ""):
    if refused := _refuse((APPROVER,)):
        return refused
    references = _body().get("reference_nos")
    if not isinstance(references, list) or not references:
        return jsonify(error_message="reference_nos is required"), 422
    try:
        for reference in references:
            if iris.get(str(reference)) is None:
                raise iris.IrisSimulatorError(404, f"Payout {reference} not found")
        for reference in references:
            iris.change(str(reference), lambda payout: _approve_or_reject(payout, target, reason))
    except iris.IrisSimulatorError as error:
        return _error(error)
    return jsonify(status="ok"), 202


def _approve_or_reject(payout: iris.SimIrisPayout, target: str, reason: str) -> None:
    if payout.status == target:  # a repeat changes nothing
        return
    iris.move(payout, target)
    if reason:
        payout.error_message = reason


@bp.route("/api/v1/payouts/approve", methods=["POST"])
@csrf.exempt
@public
def approve_payouts():
    return _decide(iris.APPROVED)


@bp.route("/api/v1/payouts/reject", methods=["POST"])
@csrf.exempt
@public
def reject_payouts():
    reason = str(_body().get("reject_reason") or "")[:100]
    return _decide(iris.REJECTED, reason or "Rejected")


@bp.route("/api/v1/payouts/<reference_no>")
@csrf.exempt
@public
def payout_details(reference_no: str):
    if refused := _refuse((CREATOR, APPROVER)):
        return refused
    payout = iris.get(reference_no)
    if payout is None:
        return jsonify(error_message=f"Payout {reference_no} not found"), 404
    return jsonify(payout.fields())


@bp.route("/api/v1/beneficiary_banks")
@csrf.exempt
@public
def beneficiary_banks():
    if refused := _refuse((CREATOR, APPROVER)):
        return refused
    banks = [{"code": code, "name": name} for code, name in sorted(iris.BANK_NAMES.items())]
    return jsonify(beneficiary_banks=banks)


@bp.route("/api/v1/balance")
@csrf.exempt
@public
def balance():
    if refused := _refuse((CREATOR, APPROVER)):
        return refused
    return jsonify(balance=f"{iris.balance()}.00")


# The page ----------------------------------------------------------------------------------


class MoveForm(FlaskForm):
    status = StringField(validators=[AnyOf(iris.PAGE_MOVES, message=_l("Choose what happens."))])


@bp.route("/payouts")
@public
def payouts_page():
    return render_template(
        "payments/simulator/iris.html",
        payouts=iris.recent(),
        moves=iris.MOVES,
        page_moves=iris.PAGE_MOVES,
        form=MoveForm(),
    )


@bp.route("/payouts/<reference_no>", methods=["POST"])
@public
def move_payout(reference_no: str):
    """Move one payout on and notify it, signed. Only ever the payout in the address."""
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        payout = iris.change(reference_no, lambda p: iris.move(p, form.status.data))
    except iris.IrisSimulatorError as error:
        if error.http_status == 404:
            abort(404)
        # Moved meanwhile in another tab: the page shows what it is now.
        return redirect(url_for("iris_simulator.payouts_page"), code=303)
    _notify(payout)
    return redirect(url_for("iris_simulator.payouts_page"), code=303)
