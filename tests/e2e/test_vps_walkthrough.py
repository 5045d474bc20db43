"""The README's VPS walk-through ("Connect Claude on the web"), run as written in a fresh Debian chroot.

The shell blocks are read from the README itself, so the test breaks when the steps drift: step 4 (install and
configure, from a root shell in no particular directory), step 6 (the account, through the CLI with the service's
settings file) and the upgrade. systemd cannot run in a chroot: ``systemctl`` there is tests/e2e/fake_systemctl.py,
which runs each unit's ``ExecStart`` by hand as its ``User=`` with its ``Environment=`` and ``EnvironmentFile=``.
The chroot shares the host's network, so a drop-in gives the service a free port instead of 8765. Changed from
the text: the repository's address, and the password is piped to ``--password-stdin`` (there is no terminal).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import debian_chroot
from tests.e2e.server import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPO_INSIDE = "/srv/jean-memory.git"
PASSWORD = "a long enough password"


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def shell_blocks(text: str) -> list[str]:
    return [textwrap.dedent(m[2]) for m in re.finditer(r"^( *)```sh\n(.*?)^\1```", text, re.M | re.S)]


def block_with(blocks: list[str], needle: str) -> str:
    found = [b for b in blocks if needle in b]
    assert len(found) == 1, f"one README block with {needle!r} expected, found {len(found)}"
    return found[0]


def snapshot_repository(dest: Path) -> None:
    """This working tree (committed or not, without ignored files) as a one-commit git repository."""
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    commit(dest, "snapshot", init=True)


def commit(repo: Path, message: str, init: bool = False) -> None:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    if init:
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True)


def wait_ready(root: Path, port: int, timeout: float = 180) -> dict[str, Any]:
    """/status of the service the stand-in started, once ready; its log if it died or never got ready."""
    state = root / "run/fake-systemd"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = (state / "jean-memory.service.pid").read_text()
        if not Path(f"/proc/{pid}").exists():
            break
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/status", timeout=2)
            if answer.status_code == 200:
                status: dict[str, Any] = answer.json()
                return status
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling a process started in the chroot; not a test-timing sleep
    log = (state / "jean-memory.service.log").read_text(errors="replace")
    raise AssertionError(f"the service did not get ready on port {port}:\n{log[-4000:]}")


@pytest.mark.timeout(1200)
def test_the_vps_walkthrough_installs_starts_backs_up_and_upgrades(tmp_path: Path) -> None:
    if (reason := debian_chroot.why_not()) is not None:
        if "root" in reason:
            pytest.skip(reason)
        pytest.fail(reason)
    walkthrough = section("Connect Claude on the web")
    blocks = shell_blocks(walkthrough)
    install, account, upgrade = (block_with(blocks, n) for n in ("useradd", "users create", "git pull"))
    apt_line = re.search(r"`(apt install [^`]+)`", walkthrough)
    quoted_setting = re.search(r"`(JEAN_MEMORY_TRUSTED_PROXIES='[^`]+')`", walkthrough)
    assert apt_line and quoted_setting
    assert "<this repository>" in install and "env $(cat" not in README
    create_line = "jm users create --email you@example.com\n"
    assert create_line in account

    repo = tmp_path / "repo"
    repo.mkdir()
    snapshot_repository(repo)
    port = free_port()
    times: dict[str, float] = {}
    started = time.monotonic()
    with debian_chroot.debian(apt_line[1], tmp_path, binds={REPO_INSIDE: repo}) as root:
        times["chroot (cached system unpacked)"] = time.monotonic() - started
        shutil.copy(Path(__file__).with_name("fake_systemctl.py"), root / "usr/local/sbin/systemctl")
        (root / "usr/local/sbin/systemctl").chmod(0o755)
        dropin = root / "etc/systemd/system/jean-memory.service.d"
        dropin.mkdir(parents=True)
        (dropin / "test-port.conf").write_text(f"[Service]\nEnvironment=JEAN_MEMORY_PORT={port}\n")
        try:
            # Step 4, as written (from /root, a fresh login's directory): install, configure, start.
            step = time.monotonic()
            debian_chroot.run(root, "set -euxo pipefail\ncd\n" + install.replace("<this repository>", REPO_INSIDE))
            times["step 4 (clone, venv, pip install, units)"] = time.monotonic() - step
            assert wait_ready(root, port)["status"] == "ready"
            assert (root / "run/fake-systemd/jean-memory-backup.timer.active").read_text() == \
                "jean-memory-backup.service"
            env_file = root / "etc/jean-memory.env"
            assert env_file.stat().st_mode & 0o777 == 0o600

            # A value with spaces and quotes, written as the README says: the service and the CLI both read it.
            env_file.write_text(env_file.read_text() + quoted_setting[1] + "\n")
            debian_chroot.run(root, "systemctl restart jean-memory")
            assert wait_ready(root, port)["status"] == "ready"

            # Step 6: the first account, through the CLI as the service's user, with its settings file.
            script = account.replace(create_line, create_line.strip() + f" --password-stdin <<< '{PASSWORD}'\n")
            out = debian_chroot.run(root, "set -euo pipefail\ncd /opt/jean-memory-src\n" + script
                                    + 'echo "KEY=$(jm keys create --email you@example.com --name walkthrough)"\n')
            assert "database /var/lib/jean-memory/jean_memory.sqlite3" in out and "created you@example.com" in out
            key = re.search(r"^KEY=(jm_\S+)$", out, re.M)
            assert key, out
            assert not (root / "opt/jean-memory-src/data").exists()
            auth = {"Authorization": f"Bearer {key[1]}"}
            base = f"http://127.0.0.1:{port}"
            added = httpx.post(f"{base}/api/v1/memories", headers=auth, json={"text": "Lives in Lisbon"}, timeout=60)
            assert added.status_code == 201, added.text  # the service sees the key the CLI made: one database

            # The upgrade: a new commit upstream, then the README's steps (backup, pull, reinstall, restart).
            init = repo / "src/jean_memory/__init__.py"
            version = re.search(r'__version__ = "([^"]+)"', init.read_text())
            assert version
            init.write_text(init.read_text().replace(version[0], f'__version__ = "{version[1]}+walkthrough"'))
            commit(repo, "a release")
            step = time.monotonic()
            debian_chroot.run(root, "set -euxo pipefail\ncd\n" + upgrade)
            times["upgrade (backup, pull, reinstall, restart)"] = time.monotonic() - step
            assert wait_ready(root, port)["version"] == f"{version[1]}+walkthrough"
            listed = httpx.get(f"{base}/api/v1/memories", headers=auth, timeout=60)
            assert listed.status_code == 200 and "Lives in Lisbon" in listed.text

            # The backup the upgrade started through the timer's service: owner-only, the service user's.
            backups = list((root / "var/lib/jean-memory/backups").glob("memory-*.sqlite3"))
            assert len(backups) == 1, backups
            owner = debian_chroot.run(root, f"stat -c '%U %a' /{backups[0].relative_to(root)}").strip()
            assert owner == "jean-memory 600"
            restored = debian_chroot.run(root, "set -a && . /etc/jean-memory.env && set +a && runuser -u "
                                               "jean-memory -- /opt/jean-memory/bin/jean-memory users list "
                                               "2>/dev/null")
            assert "you@example.com" in restored
        finally:
            subprocess.run(["chroot", str(root), "systemctl", "stop", "jean-memory"], env=debian_chroot.env(),
                           timeout=60, check=False)
    times["total"] = time.monotonic() - started
    print("walk-through times: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()))
