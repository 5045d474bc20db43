"""Start Caddy (Debian's package) on loopback ports with its internal CA in front of a running server."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import stop

CADDYFILE = """{{
    admin off
    skip_install_trust
    local_certs
    http_port {http_port}
    https_port {https_port}
    storage file_system {storage}
}}

localhost:{https_port} {{
    tls internal
    reverse_proxy 127.0.0.1:{upstream} {{
        flush_interval -1
    }}
}}
"""


@dataclass
class Caddy:
    process: subprocess.Popen[bytes]
    url: str
    ca: Path


def _ready(url: str, ca: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"caddy exited with {process.returncode}")
        if ca.exists():
            try:
                httpx.get(f"{url}/livez", verify=ssl.create_default_context(cafile=str(ca)), timeout=2)
                return
            except (httpx.HTTPError, OSError):
                pass
        time.sleep(0.1)  # polling a process we started; not a test-timing sleep
    raise TimeoutError("caddy did not come up")


@contextmanager
def running_caddy(workdir: Path, https_port: int, http_port: int, upstream: int) -> Iterator[Caddy]:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is not installed: run make test-deps (make test does)")
    workdir.mkdir(parents=True, exist_ok=True)
    storage = workdir / "storage"
    config = workdir / "Caddyfile"
    config.write_text(CADDYFILE.format(http_port=http_port, https_port=https_port, storage=storage,
                                       upstream=upstream))
    env = {**os.environ, "HOME": str(workdir), "XDG_DATA_HOME": str(workdir / "data"),
           "XDG_CONFIG_HOME": str(workdir / "config")}
    with open(workdir / "caddy.log", "ab") as log:
        process = subprocess.Popen([caddy, "run", "--config", str(config), "--adapter", "caddyfile"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    ca = storage / "pki" / "authorities" / "local" / "root.crt"
    url = f"https://localhost:{https_port}"
    try:
        _ready(url, ca, process)
        yield Caddy(process, url, ca)
    finally:
        stop(process)
