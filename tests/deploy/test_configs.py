"""deploy/'s files on their own, quickly: nginx accepts the proxy configuration the
multi-host proof runs (pasar.conf and proxy.conf under its main file), and the scripts the
hosts start are executable. The proof itself (test_multi_host.py) is slow and needs root."""

import os
import shutil
import socket
import subprocess

import pytest

from tests.deploy.hosts import DEPLOY, nginx_main_config


def test_nginx_accepts_the_proxy_configuration(tmp_path):
    if shutil.which("nginx") is None:
        if os.environ.get("REQUIRE_MULTIHOST") == "1":
            pytest.fail("REQUIRE_MULTIHOST=1 but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    config = tmp_path / "nginx.conf"
    with socket.socket() as probe:  # nginx -t binds: a free port of this machine
        probe.bind(("127.0.0.1", 0))
        listen = f"127.0.0.1:{probe.getsockname()[1]}"
    config.write_text(nginx_main_config(tmp_path, listen))

    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True
    )

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_proxy_retries_only_on_failures_and_never_resends_a_post():
    proxy = (DEPLOY / "nginx" / "proxy.conf").read_text()

    assert "proxy_next_upstream error timeout http_502 http_503;" in proxy
    assert "non_idempotent" not in proxy  # a checkout in flight must not be placed twice


@pytest.mark.parametrize("script", ["web.sh", "consumer.sh"])
def test_the_host_scripts_are_executable(script):
    assert os.access(DEPLOY / script, os.X_OK)
