"""The simulator's HTTP notifications: a JSON POST per state change, retried the way Midtrans
retries (MIDTRANS.md §4), on a background thread so the payment page never waits for them.

Midtrans waits minutes between retries; the simulator waits the seconds configured in
MIDTRANS_SIMULATOR_RETRY_DELAYS (the last delay repeats).
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from urllib.parse import urljoin

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15  # Midtrans gives the endpoint 15 s
MAX_REDIRECTS = 5
HEADERS = {"User-Agent": "Veritrans", "Accept": "application/json"}


def retries_after(status: int | None) -> int:
    """How many retries Midtrans makes after this answer (None: no answer at all)."""
    if status is not None and 200 <= status < 300:
        return 0
    if status in (301, 302, 303):  # Midtrans does not follow these: the notification is lost
        return 0
    return {500: 1, 503: 4, 400: 2, 404: 2}.get(status, 5)


def _post_once(url: str, payload: dict) -> int | None:
    """One delivery: 307/308 followed (up to 5 times) with the same body, as Midtrans does."""
    import requests  # here: a worker that never notifies does not load it

    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = requests.post(
                url, json=payload, headers=HEADERS, timeout=TIMEOUT_SECONDS, allow_redirects=False
            )
        except requests.RequestException as error:
            logger.info("simulator notification to %s failed: %r", url, error)
            return None
        if response.status_code not in (307, 308) or "Location" not in response.headers:
            return response.status_code
        url = urljoin(url, response.headers["Location"])
    return response.status_code


def deliver(
    url: str,
    payload: dict,
    delays: Sequence[float],
    sleep: Callable[[float], None] = time.sleep,
) -> list[int | None]:
    """POST one notification until it is accepted or its retries run out. Returns the HTTP
    status of every attempt (None where nothing answered)."""
    attempts: list[int | None] = []
    while True:
        status = _post_once(url, payload)
        attempts.append(status)
        retries_done = len(attempts) - 1
        if retries_done >= retries_after(status):
            break
        sleep(delays[min(retries_done, len(delays) - 1)] if delays else 0)
    logger.info(
        "simulator notified %s %s of %s: %s",
        url,
        payload.get("order_id"),
        payload.get("transaction_status"),
        attempts,
    )
    return attempts


def send_in_background(url: str, payloads: Sequence[dict], delays: Sequence[float]) -> None:
    """Deliver the payloads in order (pending before settlement) on a daemon thread."""

    def run() -> None:
        for payload in payloads:
            deliver(url, payload, delays)

    threading.Thread(target=run, name="midtrans-simulator-notify", daemon=True).start()
