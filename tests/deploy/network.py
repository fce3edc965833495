"""The proof's network: one Linux bridge in the machine's own namespace, and a network
namespace per host joined to it by a veth pair. One L2 segment, so nothing is routed.

    10.77.0.1    the bridge (the machine): PostgreSQL and Redis, forwarded; the shoppers
    10.77.0.10   proxy   nginx
    10.77.0.11   app1    gunicorn      (deploy/nginx/pasar.conf names these two)
    10.77.0.12   app2    gunicorn
    10.77.0.21   worker  the job consumer
    10.77.0.101+ the shoppers' own addresses, on the bridge (rate limits count per address)

Needs root and `ip` (iproute2). Whatever a crashed run left behind is removed first.
"""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

BRIDGE = "pasarbr0"
PREFIX_LENGTH = 24
MACHINE_ADDRESS = "10.77.0.1"
NAMESPACE_PREFIX = "pasar-"


@dataclass(frozen=True)
class Host:
    name: str
    address: str

    @property
    def namespace(self) -> str:
        return NAMESPACE_PREFIX + self.name

    @property
    def veth(self) -> str:  # the machine's end of the pair (names hold 15 characters)
        return f"pv-{self.name}"

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside this host's namespace."""
        return ["ip", "netns", "exec", self.namespace, *argv]


PROXY = Host("proxy", "10.77.0.10")
APP_HOSTS = (Host("app1", "10.77.0.11"), Host("app2", "10.77.0.12"))
CONSUMER = Host("worker", "10.77.0.21")
HOSTS = (PROXY, *APP_HOSTS, CONSUMER)


def shopper_addresses(count: int) -> list[str]:
    return [f"10.77.0.{101 + number}" for number in range(count)]


def missing_tools() -> list[str]:
    return [tool for tool in ("ip", "nginx") if shutil.which(tool) is None]


def _ip(*argv: str, check: bool = True) -> None:
    subprocess.run(["ip", *argv], check=check, capture_output=True, text=True)


def _namespace_exists(name: str) -> bool:
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return any(line.split()[0] == name for line in listing.splitlines() if line.strip())


def tear_down() -> None:
    """Remove the namespaces (and with them the veth pairs) and the bridge, if present.
    Processes still in a namespace are the proof's own: they are killed first."""
    for host in HOSTS:
        if _namespace_exists(host.namespace):
            pids = subprocess.run(
                ["ip", "netns", "pids", host.namespace], capture_output=True, text=True
            ).stdout.split()
            if pids:
                subprocess.run(["kill", "-KILL", *pids], capture_output=True)
            _ip("netns", "delete", host.namespace, check=False)
        _ip("link", "delete", host.veth, check=False)
    _ip("link", "delete", BRIDGE, check=False)


def set_up(shopper_count: int) -> None:
    tear_down()
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", f"{MACHINE_ADDRESS}/{PREFIX_LENGTH}", "dev", BRIDGE)
    for address in shopper_addresses(shopper_count):
        _ip("addr", "add", f"{address}/{PREFIX_LENGTH}", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    for host in HOSTS:
        _ip("netns", "add", host.namespace)
        _ip("link", "add", host.veth, "type", "veth", "peer", "name", "eth0",
            "netns", host.namespace)  # fmt: skip
        _ip("link", "set", host.veth, "master", BRIDGE, "up")
        _ip("-n", host.namespace, "addr", "add", f"{host.address}/{PREFIX_LENGTH}", "dev", "eth0")
        _ip("-n", host.namespace, "link", "set", "eth0", "up")
        _ip("-n", host.namespace, "link", "set", "lo", "up")


@contextmanager
def network(shopper_count: int) -> Iterator[None]:
    try:
        set_up(shopper_count)
        yield
    finally:
        tear_down()
