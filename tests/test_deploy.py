"""The deploy/ examples stay valid and keep the settings that matter for OAuth and SSE."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jean_memory.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
README = (DEPLOY.parent / "README.md").read_text(encoding="utf-8")


def test_caddyfile_parses(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is not installed: run make test-deps (make test does)")
    done = subprocess.run([caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          capture_output=True, timeout=30, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr.decode()
    assert b'"flush_interval":-1' in done.stdout and b"/metrics" in done.stdout


def test_nginx_example_keeps_sse_and_post_safe() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    for needed in ("proxy_buffering off", "location = /mcp ", "location = /mcp/ ", "return 308",
                   "proxy_set_header Host $host", "X-Forwarded-Proto $scheme", "location = /metrics"):
        assert needed in conf, needed


def test_systemd_unit_runs_serve_and_stops_gracefully() -> None:
    unit = (DEPLOY / "jean-memory.service").read_text()
    assert "ExecStart=/opt/jean-memory/bin/jean-memory serve" in unit and "KillSignal=SIGTERM" in unit


def test_systemd_unit_has_descriptors_for_the_documented_stream_cap() -> None:
    """Each open MCP stream holds a socket: the unit's open-file limit must hold the process cap (the default, and
    the README's documented ceiling) with room to spare for ordinary connections; systemd's default is 1024."""
    unit = (DEPLOY / "jean-memory.service").read_text()
    found = re.search(r"^LimitNOFILE=(\d+)$", unit, re.MULTILINE)
    assert found is not None, "jean-memory.service sets no LimitNOFILE"
    limit = int(found.group(1))
    default = Settings.model_fields["mcp_streams_max"].default
    assert limit >= 2 * default + 4096 and limit >= 30_000 + 4096
    assert f"LimitNOFILE={limit}" in README and "JEAN_MEMORY_MCP_STREAMS_MAX" in README


def test_the_env_file_names_the_data_dir_the_cli_and_the_service_share() -> None:
    """README step 4 writes /etc/jean-memory.env, step 6 runs the CLI with it: it must hold the data dir."""
    unit = (DEPLOY / "jean-memory.service").read_text()
    data_dir = re.search(r"^ReadWritePaths=(\S+)$", unit, re.M)
    assert data_dir is not None
    assert "EnvironmentFile=/etc/jean-memory.env\n" in unit  # required, not "-": a missing file fails loudly
    assert unit.index("Environment=JEAN_MEMORY_DATA_DIR") < unit.index("EnvironmentFile=")  # the file overrides
    for text in (README, unit):  # the command that writes the file (it may continue on a second line)
        writes = re.findall(r"(?:printf|echo)[^\n]*(?:\\\n[^\n]*)?>\s*/etc/jean-memory\.env", text)
        assert writes and all(f"JEAN_MEMORY_DATA_DIR={data_dir[1]}" in w for w in writes), writes
    # The CLI reads it as a shell would (values with spaces in quotes), as the service's user; never `env $(cat ...)`.
    cli = ("(set -a && . /etc/jean-memory.env && set +a && exec runuser -u jean-memory -- "
           "/opt/jean-memory/bin/jean-memory")
    assert cli in README and cli in unit and "env $(cat" not in README + unit
