"""The Makefile honours PYTHON: a pyenv shim of an unselected version is found in pyenv, and a venv made with
another Python is made again (``make -n``: what would run, nothing run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


def checkout(tmp_path: Path) -> Path:
    """The files `make run` reads, in a fresh directory (no venv yet)."""
    work = tmp_path / "checkout"
    (work / "scripts").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml", "scripts/python-for.sh"):
        shutil.copy2(ROOT / name, work / name)
    return work


def make_n(work: Path, *args: str, path: str | None = None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "MAKEFLAGS")}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def fake_venv(work: Path, name: str, version: str) -> None:
    venv = work / name
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\ninclude-system-site-packages = false\nversion = {version}\n")
    for stamp in (".installed", ".installed-dev"):
        (venv / stamp).touch()
        os.utime(venv / stamp, (os.stat(work / "pyproject.toml").st_mtime + 10,) * 2)


def test_an_unselected_pyenv_python_is_found(tmp_path: Path) -> None:
    """`make run PYTHON=python3.13` where python3.13 is a pyenv shim that fails: pyenv's 3.13 build is used."""
    work = checkout(tmp_path)
    shims, pyenv_root = tmp_path / "shims", tmp_path / "pyenv"
    shims.mkdir()
    (shims / "python3.13").write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    (shims / "pyenv").write_text(f"#!/bin/sh\n[ \"$1\" = root ] && echo {pyenv_root}\n")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    real = pyenv_root / "versions/3.13.2/bin/python3.13"
    real.parent.mkdir(parents=True)
    real.symlink_to(sys.executable)
    lines = make_n(work, "run", "PYTHON=python3.13", path=f"{shims}:/usr/bin:/bin")
    assert f"{real} -m venv .venv" in lines, lines


def test_a_venv_made_with_another_python_is_made_again(tmp_path: Path) -> None:
    work = checkout(tmp_path)
    fake_venv(work, ".venv", "3.10.13")  # never the running one: the project needs 3.11 or later
    lines = make_n(work, "run", f"PYTHON={sys.executable}")
    assert any("was made with Python 3.10" in line and f"is Python {RUNNING}" in line for line in lines), lines
    assert "rm -rf .venv" in lines and f"{sys.executable} -m venv .venv" in lines
    assert ".venv/bin/python -m pip install --quiet -e ." in lines  # the package again, into the new venv

    # Unchanged: no PYTHON keeps the venv there is, whatever its version; the same version keeps it too (CI's
    # `make test-fast PYTHON=... VENV=.venv-3.12`).
    assert make_n(work, "run") == ["mkdir -p -m 700 data", ".venv/bin/jean-memory serve"]
    fake_venv(work, ".venv-same", f"{RUNNING}.1")
    lines = make_n(work, "test-fast", f"PYTHON={sys.executable}", "VENV=.venv-same")
    assert lines == ['.venv-same/bin/python -m pytest -m "not e2e"'], lines
