"""Files that hold people's data: owner-only (files 0600, directories 0700), whatever the umask.

The systemd unit sets ``UMask=0077``; ``make run``, the CLI and a container usually run with 022, which would leave
the database, its ``-wal``/``-shm``, backups and exports readable by every local account.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("jean_memory.files")


def private_dir(path: Path, *, tighten: bool = False) -> None:
    """Create ``path`` (and missing parents) owner-only; ``tighten``: also take group/other access off an existing
    one (the data directory, which is ours; not the parent of a database file named in DATABASE_URL)."""
    missing = not path.exists()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if missing or tighten:
        restrict(path)


def private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only if it is missing; take group/other access off it if it exists."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    restrict(path)


def create_private(path: Path) -> int:
    """A new file, owner-only from its first byte (never an existing one); the open descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def restrict(path: Path) -> None:
    """Remove group and other permissions from ``path`` when it exists (a file we cannot chmod is logged)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except FileNotFoundError:
        return
    except PermissionError:
        log.warning("cannot make %s private: it is not ours; chmod go-rwx it", path)
