"""The one door to Midtrans: the official midtransclient, wrapped so that callers get frozen
dataclasses and one exception family, never the library's dicts and errors.

Nothing else imports midtransclient (STYLE rule 13). The library's sharp edges are handled
here (MIDTRANS.md §5): fresh header and proxy dicts per client (defect 3), base URLs pointed
at the simulator through api_config instance attributes, an HTTP timeout through a
requests.Session (defect 6), and errors that arrive in three shapes (requests exceptions,
MidtransAPIError, midtransclient.JSONDecodeError).

gateway_from_config(app.config) gives the process's Gateway for those settings: a Snap client
and a pooled HTTP session, built once and shared by threads (neither keeps per-call state).
"""

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from shop.errors import ShopError
from shop.payments.instructions import PaymentInstructions, instructions_from

logger = logging.getLogger(__name__)

# Midtrans's own limits (MIDTRANS.md §2); longer names are refused, so we cut them.
MAX_ITEM_NAME = 50
SUM_MISMATCH = "transaction_details.gross_amount is not equal to the sum of item_details"
NOT_FOUND = "not_found"


class GatewayError(ShopError):
    """Midtrans did not do what we asked. `message` is translated and safe to show;
    `midtrans_message` is what Midtrans (or the network) said, for the logs; `status_code`
    the body's status_code string ("412", "414"...), when Midtrans sent one."""

    def __init__(
        self,
        message: str,
        midtrans_message: str = "",
        http_status: int | None = None,
        status_code: str | None = None,
    ):
        super().__init__(message)
        self.midtrans_message = midtrans_message
        self.http_status = http_status
        self.status_code = status_code


class GatewayUnavailable(GatewayError):
    """Network error, timeout, 5xx or an answer that is not JSON: trying again may work."""


class GatewayRejected(GatewayError):
    """Midtrans refused the request (4xx, or a body status_code >= 400): retrying won't help."""


@dataclass(frozen=True)
class PaymentItem:
    id: str
    name: str
    price: int  # Rupiah; negative for a voucher
    quantity: int


@dataclass(frozen=True)
class Customer:
    first_name: str
    email: str
    phone: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class PaymentStart:
    token: str
    redirect_url: str


@dataclass(frozen=True)
class TransactionStatus:
    """Midtrans's answer about one transaction. transaction_status is "not_found" while the
    shopper has not picked a method yet (Midtrans says 404, which is not a failure)."""

    order_id: str
    transaction_status: str
    transaction_id: str | None = None
    fraud_status: str | None = None
    status_code: str | None = None
    gross_amount: int | None = None  # whole Rupiah, parsed from "163000.00"
    payment_type: str | None = None
    refund_amount: int = 0  # cumulative
    # How to pay it while pending (bank and VA number, QRIS, store code), checked.
    instructions: PaymentInstructions = field(default_factory=PaymentInstructions)
    raw: Mapping = field(default_factory=dict, compare=False)

    @property
    def is_found(self) -> bool:
        return self.transaction_status != NOT_FOUND

    @property
    def is_paid(self) -> bool:
        """MIDTRANS.md's success rule: settlement, or capture with fraud_status accept."""
        if self.transaction_status == "settlement":
            return self.fraud_status in (None, "accept")
        return self.transaction_status == "capture" and self.fraud_status == "accept"


if TYPE_CHECKING:
    import midtransclient
    from midtransclient.error_midtrans import MidtransAPIError


# Connections kept open per gateway: one per thread of a gthread worker (gunicorn's threads
# in bench/checkout.py), so that no thread's connection is dropped for want of room.
POOL_SIZE = 32
_gateways: dict[tuple, "Gateway"] = {}
_gateways_lock = threading.Lock()


class _MidtransHttp:
    """What midtransclient calls `http_client`: requests' `request(method, url, ...)` with our
    timeout unless given one (the library sends none, defect 6), over sessions shared by the
    threads of a process. Both refuse cookies, so that no answer changes what another
    thread sends; the rest they share (urllib3's pools) is thread-safe.

    A status query (GET) reuses a kept-open connection, saving a connection (and against
    Midtrans a TLS handshake) per call; it goes on urllib3's pool directly (_Gets). A server
    may close an idle connection just as it is reused; the request then fails before any
    answer, and a GET is sent once more on a new connection. Every other call (create,
    cancel, refund...) is not safe to send twice, so it goes on a connection of its own,
    closed after the answer and never pooled for another call (a pooled one could be reused
    after the server closed it), and is never retried."""

    def __init__(self, timeout: tuple[float, ...], trust_env: bool):
        import urllib.request

        import requests

        self._timeout = timeout
        self._reusing = _session(trust_env, _retry_dropped_get())
        # Built once: a session, adapter and pool per call cost more CPU than the call.
        self._closing = _session(trust_env, requests.adapters.DEFAULT_RETRIES, _closing_adapter)
        self._closing.headers["Connection"] = "close"
        # Status queries skip requests' Session unless the environment gives it a proxy or a
        # CA bundle, which only requests reads (see _Gets).
        is_set_by_env = trust_env and bool(
            urllib.request.getproxies()
            or os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
        )
        self._gets = None if is_set_by_env else _Gets(timeout)

    def request(self, method: str, url: str, **kwargs):
        is_get = method.lower() == "get"
        if (
            is_get
            and self._gets is not None
            and not kwargs.get("proxies")
            and not kwargs.get("params")
        ):
            return self._gets.get(url, kwargs.get("headers") or {}, kwargs.get("auth"))
        kwargs.setdefault("timeout", self._timeout)
        session = self._reusing if is_get else self._closing
        return session.request(method, url, **kwargs)


class _Gets:
    """Status queries (GET) on urllib3's pool, without requests' Session around it: preparing
    the request, merging settings, hooks and cookies cost about a third of a status query's
    CPU, and the return page and a notification make one each per order. What the session
    gave a GET here is kept: kept-open connections (POOL_SIZE per host), a connection the
    server closed while idle asked again once (_retry_dropped_get), our timeout, no cookie
    ever sent; errors are raised as requests' (midtransclient and Gateway._call know those).
    Redirects are not followed (Midtrans's status answers have none): a 3xx is no JSON, so
    the gateway is unavailable."""

    def __init__(self, timeout: tuple[float, ...]):
        import urllib3
        from requests.certs import where as certificates

        # requests' own CA bundle (certifi's), checked as requests checks it.
        self._pool = urllib3.PoolManager(
            maxsize=POOL_SIZE, cert_reqs="CERT_REQUIRED", ca_certs=certificates()
        )
        self._retries = _retry_dropped_get()
        connect, read = (timeout[0], timeout[-1])
        self._timeout = urllib3.Timeout(connect=connect, read=read)
        self._authorization: dict[tuple[str, str], str] = {}

    def get(self, url: str, headers: Mapping[str, str], auth) -> "_Answer":
        import urllib3

        sent = dict(headers)
        if auth is not None:
            sent["Authorization"] = self._basic(auth.username, auth.password)
        try:
            response = self._pool.request(
                "GET", url, headers=sent, retries=self._retries, timeout=self._timeout,
                redirect=False,
            )  # fmt: skip
        except urllib3.exceptions.HTTPError as error:
            raise _as_requests_error(error) from error
        return _Answer(response.status, response.data)

    def _basic(self, username: str, password: str) -> str:
        """requests' HTTPBasicAuth header, made once per key."""
        import urllib3

        key = (username, password)
        if key not in self._authorization:
            basic = urllib3.util.make_headers(basic_auth=f"{username}:{password}")
            self._authorization[key] = basic["authorization"]
        return self._authorization[key]


def _as_requests_error(error: Exception) -> Exception:
    """urllib3's error as requests raises it, so that the log and the stored detail name what
    happened: a refused or unresolved connection is a ConnectionError (in urllib3 2 it is
    also a ConnectTimeoutError), a certificate refused an SSLError, only a time out a
    Timeout."""
    import requests
    import urllib3

    reason = getattr(error, "reason", None) or error
    exceptions = urllib3.exceptions
    if isinstance(reason, exceptions.NewConnectionError):  # refused, name not resolved
        return requests.exceptions.ConnectionError(error)
    if isinstance(reason, exceptions.SSLError):
        return requests.exceptions.SSLError(error)
    if isinstance(reason, exceptions.ConnectTimeoutError):
        return requests.exceptions.ConnectTimeout(error)
    if isinstance(reason, exceptions.TimeoutError):
        return requests.exceptions.ReadTimeout(error)
    return requests.exceptions.ConnectionError(error)


class _Answer:
    """What midtransclient reads of requests' Response: status_code, text and json()."""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.text = content.decode("utf-8", errors="replace")

    def json(self):
        import json

        return json.loads(self.text)


def _session(trust_env: bool, retries, adapter_class=None):
    import http.cookiejar

    import requests

    session = requests.Session()
    session.trust_env = trust_env
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = (adapter_class or requests.adapters.HTTPAdapter)(
        pool_maxsize=POOL_SIZE, max_retries=retries
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _closing_adapter(**kwargs):
    """requests' adapter whose pools (a proxy's too) close each connection as it is given
    back after the answer: the next call connects anew, as with a session of its own."""
    import requests

    class ClosingAdapter(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **pool_kwargs):
            super().init_poolmanager(*args, **pool_kwargs)
            _close_after_use(self.poolmanager)

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            return _close_after_use(super().proxy_manager_for(proxy, **proxy_kwargs))

    return ClosingAdapter(**kwargs)


def _close_after_use(manager):
    manager.pool_classes_by_scheme = {
        scheme: _closing_pool(pool_class)
        for scheme, pool_class in manager.pool_classes_by_scheme.items()
    }
    return manager


_closing_pools: dict[type, type] = {}


def _closing_pool(pool_class: type) -> type:
    """urllib3's pool class, closing every connection given back to it (one class each)."""
    if getattr(pool_class, "closes_after_use", False):
        return pool_class
    if pool_class not in _closing_pools:

        def _put_conn(self, conn) -> None:
            if conn is not None:
                conn.close()  # taken again, it connects anew
            pool_class._put_conn(self, conn)

        name = "Closing" + pool_class.__name__
        attributes = {"_put_conn": _put_conn, "closes_after_use": True}
        _closing_pools[pool_class] = type(name, (pool_class,), attributes)
    return _closing_pools[pool_class]


def _retry_dropped_get():
    """urllib3's Retry for the reusing session: once, a GET whose connection was closed or
    reset before any answer (ProtocolError); never a timeout (Retry counts read timeouts as
    read errors too: here they fall to `other`, which is 0), a connect error or a POST."""
    from urllib3.exceptions import ProtocolError
    from urllib3.util.retry import Retry

    class RetryDroppedGet(Retry):
        def _is_read_error(self, err: Exception) -> bool:
            return isinstance(err, ProtocolError)

    return RetryDroppedGet(
        total=1, connect=0, read=1, other=0, status=0, redirect=False,
        allowed_methods=frozenset({"GET"}), raise_on_status=False,
    )  # fmt: skip


def gateway_from_config(config: Mapping) -> "Gateway":
    """The Gateway for the app's settings (the simulator's URL while it is enabled), one per
    process and settings, made at the first payment call: its HTTP connections are reused by
    every later call. midtransclient (and requests) are imported then: a web worker that
    serves only the storefront does not load them (~4 MB)."""
    is_simulated = bool(config.get("MIDTRANS_SIMULATOR_ENABLED"))
    key = (
        os.getpid(),  # a process forked after the first call makes its own connections
        bool(config["MIDTRANS_IS_PRODUCTION"]),
        config["MIDTRANS_SERVER_KEY"],
        config.get("MIDTRANS_CLIENT_KEY", ""),
        tuple(config["MIDTRANS_TIMEOUT_SECONDS"]),
        config["MIDTRANS_SIMULATOR_URL"] if is_simulated else None,
    )
    if (gateway := _gateways.get(key)) is None:
        with _gateways_lock:
            if (gateway := _gateways.get(key)) is None:
                gateway = _gateways[key] = _new_gateway(config, is_simulated)
    return gateway


def _new_gateway(config: Mapping, is_simulated: bool) -> "Gateway":
    import midtransclient

    snap = midtransclient.Snap(
        is_production=bool(config["MIDTRANS_IS_PRODUCTION"]),
        server_key=config["MIDTRANS_SERVER_KEY"],
        client_key=config.get("MIDTRANS_CLIENT_KEY", ""),
        custom_headers={},  # fresh dicts: the library's defaults are shared by every client
        proxies={},
    )
    if is_simulated:
        # Instance attributes shadow the class constants for this client only (MIDTRANS.md §5).
        base, api = config["MIDTRANS_SIMULATOR_URL"].rstrip("/"), snap.api_config
        api.SNAP_SANDBOX_BASE_URL = api.SNAP_PRODUCTION_BASE_URL = base + "/snap/v1"
        api.CORE_SANDBOX_BASE_URL = api.CORE_PRODUCTION_BASE_URL = base
    timeout = tuple(config["MIDTRANS_TIMEOUT_SECONDS"])
    # trust_env off for the simulator: a local one must not go through an HTTP(S)_PROXY.
    snap.http_client.http_client = _MidtransHttp(timeout, trust_env=not is_simulated)
    return Gateway(snap)


class Gateway:
    def __init__(self, snap: "midtransclient.Snap"):
        self._snap = snap

    def create_payment(
        self,
        order_id: str,
        gross_amount: int,
        items: Sequence[PaymentItem],
        customer: Customer | None,
        finish_url: str,
        expiry_minutes: int,
    ) -> PaymentStart:
        """Start a Snap payment (redirect mode). Raises GatewayRejected when the items do not
        add up to gross_amount (checked here, before any call) or Midtrans refuses, and
        GatewayUnavailable when Midtrans cannot be reached."""
        _check_amounts(gross_amount, items)
        if sum(item.price * item.quantity for item in items) != gross_amount:
            logger.error("payment %s: items do not add up to %s", order_id, gross_amount)
            raise GatewayRejected(_rejected_message(), SUM_MISMATCH)
        params = {
            "transaction_details": {"order_id": order_id, "gross_amount": gross_amount},
            "item_details": [_item_params(item) for item in items],
            "callbacks": {"finish": finish_url},
            "expiry": {"unit": "minute", "duration": expiry_minutes},
        }
        if customer is not None:
            params["customer_details"] = _customer_params(customer)
        answer = self._call(order_id, "create", lambda: self._snap.create_transaction(params))
        if not answer.get("token") or not answer.get("redirect_url"):
            raise GatewayUnavailable(_unavailable_message(), f"no token in {answer!r}")
        return PaymentStart(token=answer["token"], redirect_url=answer["redirect_url"])

    def status(self, order_id: str) -> TransactionStatus:
        """The transaction as Midtrans sees it now; "not_found" before a method is chosen."""
        return self._transaction_call(order_id, "status", self._snap.transactions.status)

    def cancel(self, order_id: str) -> TransactionStatus:
        """Cancel a pending (or unsettled card) payment; GatewayRejected (412) otherwise."""
        return self._transaction_call(order_id, "cancel", self._snap.transactions.cancel)

    def expire(self, order_id: str) -> TransactionStatus:
        """Expire a pending payment. Midtrans answers "407", which here means success."""
        return self._transaction_call(order_id, "expire", self._snap.transactions.expire)

    def approve(self, order_id: str) -> TransactionStatus:
        """Accept a card payment held for fraud review (capture + challenge)."""
        return self._transaction_call(order_id, "approve", self._snap.transactions.approve)

    def deny(self, order_id: str) -> TransactionStatus:
        """Refuse a card payment held for fraud review."""
        return self._transaction_call(order_id, "deny", self._snap.transactions.deny)

    def refund(self, order_id: str, refund_key: str, amount: int, reason: str) -> TransactionStatus:
        """Refund part or all of a settled payment. The same refund_key again returns the first
        result instead of refunding twice. VA and convenience-store payments cannot be refunded
        by API: GatewayRejected."""
        _check_amounts(amount, ())
        params = {"refund_key": refund_key, "amount": amount, "reason": reason}
        answer = self._call(
            order_id, "refund", lambda: self._snap.transactions.refund(order_id, params)
        )
        return _status_from(order_id, answer)

    def _transaction_call(
        self, order_id: str, action: str, method: Callable[[str], dict]
    ) -> TransactionStatus:
        try:
            answer = self._call(order_id, action, lambda: method(order_id))
        except GatewayRejected as error:
            if error.status_code == "404":  # no method chosen yet: not a failure
                return TransactionStatus(order_id=order_id, transaction_status=NOT_FOUND)
            raise
        return _status_from(order_id, answer)

    def _call(self, order_id: str, action: str, call: Callable[[], dict]) -> dict:
        import midtransclient  # imported by gateway_from_config already: a lookup
        import requests
        from midtransclient.error_midtrans import MidtransAPIError

        try:
            return call()
        except requests.RequestException as error:
            logger.warning("midtrans %s %s: no answer: %r", action, order_id, error)
            raise GatewayUnavailable(_unavailable_message(), repr(error)) from error
        except midtransclient.JSONDecodeError as error:
            logger.warning("midtrans %s %s: answer is not JSON: %s", action, order_id, error)
            raise GatewayUnavailable(_unavailable_message(), str(error)) from error
        except MidtransAPIError as error:
            raise _translate_api_error(order_id, action, error) from error


def _translate_api_error(order_id: str, action: str, error: "MidtransAPIError") -> GatewayError:
    body = error.api_response_dict if isinstance(error.api_response_dict, dict) else {}
    body_status = str(body.get("status_code", ""))
    said = body.get("status_message") or "; ".join(body.get("error_messages") or []) or str(error)
    # The library raises for HTTP >= 400 and for a 2xx whose body says >= 400 (then HTTP 200).
    is_server_fault = error.http_status_code >= 500 or body_status.startswith("5")
    status = body_status or None
    if is_server_fault:
        logger.warning("midtrans %s %s: server error %s", action, order_id, said)
        return GatewayUnavailable(_unavailable_message(), said, error.http_status_code, status)
    level = logging.INFO if body_status == "404" else logging.WARNING
    logger.log(level, "midtrans %s %s refused: %s %s", action, order_id, body_status, said)
    return GatewayRejected(_rejected_message(), said, error.http_status_code, status)


def _status_from(order_id: str, answer: dict) -> TransactionStatus:
    return TransactionStatus(
        order_id=answer.get("order_id") or order_id,
        transaction_status=answer.get("transaction_status") or NOT_FOUND,
        transaction_id=answer.get("transaction_id"),
        fraud_status=answer.get("fraud_status"),
        status_code=answer.get("status_code"),
        gross_amount=parse_rupiah(answer.get("gross_amount")),
        payment_type=answer.get("payment_type"),
        refund_amount=parse_rupiah(answer.get("refund_amount")) or 0,
        instructions=instructions_from(answer),
        raw=dict(answer),
    )


def parse_rupiah(text: str | None) -> int | None:
    """ "163000.00" -> 163000. Rupiah have no cents; a non-zero fraction is a bug upstream."""
    if text is None or text == "":
        return None
    whole, _dot, fraction = str(text).partition(".")
    if fraction.strip("0"):
        raise ValueError(f"not whole Rupiah: {text!r}")
    return int(whole)


def _check_amounts(gross_amount: int, items: Sequence[PaymentItem]) -> None:
    """The library json.dumps the body: a Decimal raises TypeError and a float sends "1.0"."""
    numbers = [gross_amount, *(n for item in items for n in (item.price, item.quantity))]
    if any(type(number) is not int for number in numbers):
        raise TypeError("Midtrans amounts and quantities must be int (whole Rupiah)")


def _item_params(item: PaymentItem) -> dict:
    return {
        "id": item.id[:MAX_ITEM_NAME],
        "name": item.name[:MAX_ITEM_NAME],
        "price": item.price,
        "quantity": item.quantity,
    }


def _customer_params(customer: Customer) -> dict:
    details = {"first_name": customer.first_name, "email": customer.email}
    if customer.last_name:
        details["last_name"] = customer.last_name
    if customer.phone:
        details["phone"] = customer.phone
    return details


def _unavailable_message() -> str:
    return _("The payment service is not answering right now. Please try again in a few minutes.")


def _rejected_message() -> str:
    return _("The payment service refused this request. Please try again or contact us.")
