"""The proof's processes: the forwarder, the app hosts, the consumer and nginx, each started
the way deploy/ says (deploy/web.sh, deploy/consumer.sh, deploy/nginx/*.conf), in its
network namespace, with its output in a log file of its own.

Each process leads a process group of its own, so killing a host (SIGKILL to the group)
takes gunicorn's master and its workers at once, as a machine that loses power would.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.network import APP_HOSTS, CONSUMER, MACHINE_ADDRESS, PROXY, Host

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
APP_PORT = 8000
STARTUP_SECONDS = 60
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight there

NGINX_MAIN = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {deploy}/nginx/pasar.conf;
    access_log {folder}/access.log pasar_upstream;
    server {{
        listen {listen};
        location / {{
            include {deploy}/nginx/proxy.conf;
        }}
    }}
}}
"""


def nginx_main_config(folder: Path, listen: str = f"{PROXY.address}:80") -> str:
    """deploy/nginx/nginx.conf without TLS, its pid, logs and temporary files in `folder`:
    pasar.conf (the hosts, the log line) and proxy.conf (the retries) are included as they
    are."""
    return NGINX_MAIN.format(folder=folder, deploy=DEPLOY, listen=listen)


@dataclass
class Processes:
    folder: Path  # logs and nginx's files
    environment: dict[str, str]
    running: dict[str, subprocess.Popen] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], **extra_environment: str) -> None:
        self.starts[name] = self.starts.get(name, 0) + 1
        log = open(self.folder / f"{name}-{self.starts[name]}.log", "w")  # noqa: SIM115
        self.running[name] = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            env=self.environment | extra_environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has its own copy

    def kill(self, name: str, how: int = signal.SIGKILL) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, how)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM if name != "proxy" else signal.SIGQUIT)

    def check_alive(self, name: str) -> None:
        if self.running[name].poll() is not None:
            log = (self.folder / f"{name}-{self.starts[name]}.log").read_text()[-3000:]
            raise RuntimeError(f"{name} exited ({self.running[name].returncode}):\n{log}")

    def run(self, host: Host, *argv: str) -> subprocess.CompletedProcess:
        """A one-off command (a migration, the ledger check) on `host`, to its end."""
        return subprocess.run(host.command(*argv), cwd=REPO_ROOT, env=self.environment,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    # The roles --------------------------------------------------------------------------

    def start_forwarder(self, database: tuple[str, int], redis: tuple[str, int]) -> None:
        pairs = [f"{MACHINE_ADDRESS}:{database[1]}={database[0]}:{database[1]}",
                 f"{MACHINE_ADDRESS}:{redis[1]}={redis[0]}:{redis[1]}"]  # fmt: skip
        self.start("forwarder", [sys.executable, str(Path(__file__).with_name("forward.py")),
                                 *pairs])  # fmt: skip

    def start_app_host(self, host: Host) -> None:
        self.start(host.name, host.command(str(DEPLOY / "web.sh")),
                   GUNICORN_BIND=f"{host.address}:{APP_PORT}")  # fmt: skip

    def start_consumer(self) -> None:
        self.start(CONSUMER.name, CONSUMER.command(str(DEPLOY / "consumer.sh")))

    def start_proxy(self) -> None:
        nginx = self.folder / "nginx"
        nginx.mkdir(exist_ok=True)
        (nginx / "nginx.conf").write_text(nginx_main_config(nginx))
        self.start(PROXY.name, PROXY.command("nginx", "-p", str(nginx), "-c",
                                             str(nginx / "nginx.conf")))  # fmt: skip

    def wait_healthy(self, name: str, url: str) -> float:
        """Seconds until `url` answers 200 (the process is checked for life meanwhile)."""
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_SECONDS:
            self.check_alive(name)
            try:
                with NO_PROXY.open(url, timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name}: {url} did not answer 200 in {STARTUP_SECONDS} s")


def host_url(host: Host, path: str = "/healthz") -> str:
    return f"http://{host.address}:{APP_PORT}{path}"


def proxy_url(path: str = "") -> str:
    return f"http://{PROXY.address}{path}"


__all__ = ["APP_HOSTS", "Processes", "host_url", "nginx_main_config", "proxy_url"]
