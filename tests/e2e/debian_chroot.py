"""A fresh Debian in a chroot (debootstrap), for running the README's server steps as written.

The base system (debootstrap's minbase plus the packages the README's ``apt install`` line names) is built once
and kept as a tarball under the test cache directory (``JEAN_MEMORY_TEST_CACHE``, default
``~/.cache/jean-memory-tests``), keyed by the suite, the mirror and that line; each test unpacks a copy.
Needs root (chroot, mounts) and debootstrap (``scripts/install-test-deps.sh`` installs it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUITE = "bookworm"
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
CACHE = Path(os.environ.get("JEAN_MEMORY_TEST_CACHE", Path.home() / ".cache" / "jean-memory-tests"))
# A root's login PATH; /usr/local/sbin first, where the test puts its systemctl stand-in.
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The host's trust store, copied in: pip in the chroot then works behind the same TLS-intercepting proxy as the host.
HOST_CA = Path(os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt")
CHROOT_CA = "/etc/ssl/certs/host-ca.crt"


def why_not() -> str | None:
    """Why a chroot cannot be made here, or None."""
    if os.geteuid() != 0:
        return "a chroot needs root"
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed: run make test-deps (scripts/install-test-deps.sh)"
    return None


def base_tarball(apt_line: str) -> Path:
    """The cached minbase + ``apt_line`` system as a tarball, built on first use (about two minutes)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(f"{SUITE} {MIRROR} {apt_line}".encode()).hexdigest()[:16]
    tarball = CACHE / f"debian-{SUITE}-{key}.tar"
    with open(CACHE / "debian.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; the others then find it
        if tarball.exists():
            return tarball
        with tempfile.TemporaryDirectory(dir=CACHE) as work:
            root = Path(work) / "root"
            subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(root), MIRROR], check=True,
                           capture_output=True, timeout=900)
            with mounted(root):
                run(root, f"apt-get update -qq && DEBIAN_FRONTEND=noninteractive {apt_line} -y -q", timeout=900)
                run(root, "apt-get clean")
            partial = tarball.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True, timeout=300)
            os.replace(partial, tarball)
            _remove(root)
    return tarball


@contextmanager
def debian(apt_line: str, parent: Path, binds: dict[str, Path] | None = None) -> Iterator[Path]:
    """A fresh copy of the cached system under ``parent``, with /proc, /dev and ``binds`` (chroot path: host path)
    mounted; on exit every process left in it is killed, everything unmounted and the copy removed."""
    tarball = base_tarball(apt_line)
    root = parent / "debian"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", str(tarball)], check=True, timeout=300)
    try:
        with mounted(root, binds):
            try:
                yield root
            finally:
                _kill_processes_in(root)
    finally:
        _remove(root)


@contextmanager
def mounted(root: Path, binds: dict[str, Path] | None = None) -> Iterator[None]:
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    if HOST_CA.exists():
        (root / CHROOT_CA.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(HOST_CA, root / CHROOT_CA.lstrip("/"))
    targets = []
    try:
        for inside, host, args in [("proc", None, ["-t", "proc", "proc"]), ("dev", Path("/dev"), None),
                                   *[(k.lstrip("/"), v, None) for k, v in (binds or {}).items()]]:
            target = root / inside
            target.mkdir(parents=True, exist_ok=True)
            cmd = ["mount", *(args or ["--bind", str(host)]), str(target)]
            subprocess.run(cmd, check=True, timeout=30)
            targets.append(target)
        yield
    finally:
        for target in reversed(targets):
            subprocess.run(["umount", "--lazy", str(target)], check=False, timeout=30)


def env() -> dict[str, str]:
    """A root login's environment in the chroot (none of the host's variables)."""
    e = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb", "PIP_PROGRESS_BAR": "off"}
    if HOST_CA.exists():
        e["PIP_CERT"] = CHROOT_CA
    return e


def run(root: Path, script: str, timeout: float = 600, input: bytes | None = None) -> str:
    """Run ``script`` with bash as root in the chroot; its output, or an AssertionError carrying it."""
    done = subprocess.run(["chroot", str(root), "/bin/bash", "-c", script], env=env(), input=input,
                          capture_output=True, timeout=timeout, cwd="/")
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0, f"exit {done.returncode} in the chroot:\n{script}\n---\n{output[-6000:]}"
    return output


def _kill_processes_in(root: Path) -> None:
    """SIGKILL the processes whose root is this chroot (the ones the test started there), by pid."""
    real = os.path.realpath(root)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "root") == real:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, PermissionError, ProcessLookupError):
                pass


def _remove(root: Path) -> None:
    """Remove the tree, but never while anything is still mounted under it (that would delete the host's files)."""
    real = os.path.realpath(root)
    with open("/proc/self/mounts") as mounts:
        left = [line.split()[1] for line in mounts if line.split()[1].startswith(real + "/")]
    if left:
        raise RuntimeError(f"still mounted, not removing {root}: {left}")
    shutil.rmtree(root, ignore_errors=True)
