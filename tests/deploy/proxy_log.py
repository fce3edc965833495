"""Reading the proxy's access log (deploy/nginx/pasar.conf's `pasar_upstream` line): which
host served each request, which ones nginx retried on the other host, and which were in
flight on a host while it was being killed."""

import json
from dataclasses import dataclass
from pathlib import Path

SLACK_SECONDS = 0.05  # $msec and $request_time are rounded to the millisecond


@dataclass(frozen=True)
class ProxiedRequest:
    started: float
    ended: float
    method: str
    uri: str
    status: int
    client: str
    upstreams: tuple[str, ...]  # each host tried, in order
    upstream_statuses: tuple[str, ...]

    @property
    def was_retried(self) -> bool:
        return len(self.upstreams) > 1

    def tried(self, address: str) -> bool:
        return any(upstream.startswith(f"{address}:") for upstream in self.upstreams)

    def in_flight_during(self, began: float, ended: float) -> bool:
        return self.started - SLACK_SECONDS <= ended and began <= self.ended + SLACK_SECONDS


def _split(value: str) -> tuple[str, ...]:
    # nginx joins tries with ", " and hops to another upstream group with " : ".
    return tuple(part.strip() for part in value.replace(" : ", ", ").split(",") if part.strip())


def read(path: Path) -> list[ProxiedRequest]:
    requests = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        requests.append(
            ProxiedRequest(
                started=entry["msec"] - entry["request_time"],
                ended=entry["msec"],
                method=entry["method"],
                uri=entry["uri"],
                status=entry["status"],
                client=entry["client"],
                upstreams=_split(entry["upstream_addr"]),
                upstream_statuses=_split(entry["upstream_status"]),
            )
        )
    return requests
