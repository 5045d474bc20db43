"""Online backups of the SQLite database and restores, through SQLite's backup API.

``backup``: holds one read transaction on the live database (WAL: the server keeps writing meanwhile) and copies
that snapshot page by page, so the copy is consistent and contains every write committed before it started.
The copy is checked with ``PRAGMA integrity_check``, switched to a self-contained rollback journal and renamed
into place only when complete. ``restore``: refuses while a server holds the database (``serve`` takes an
exclusive lock on ``<db>.lock``), refuses a file that fails ``integrity_check`` or is not a Jean Memory database
or is newer than this version, keeps the current database as ``<db>.pre-restore-<time>``, then copies the backup
in. PostgreSQL: use ``pg_dump -Fc`` and ``pg_restore`` (README, "Backups").
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import JeanMemoryError
from .observability.progress import Progress
from .private_files import private_dir, private_file
from .settings import Settings
from .store.migrations import load

_STEP = 1024  # pages per backup step (4 MiB with the default page size)


class BackupError(JeanMemoryError):
    status = 400
    code = "backup_failed"


def database_path(settings: Settings) -> Path:
    if settings.backend != "sqlite":
        raise BackupError("this command backs up SQLite; for PostgreSQL use pg_dump -Fc and pg_restore "
                          "(see README, Backups)")
    return Path(settings.effective_database_url.removeprefix("sqlite:///"))


@contextmanager
def server_lock(db: Path, purpose: str) -> Iterator[None]:
    """Exclusive advisory lock on ``<db>.lock``, held by ``serve`` for its lifetime and by ``restore``."""
    private_dir(db.parent)
    fd = os.open(f"{db}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"{db} is in use by a running server; stop it before {purpose}") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _check(conn: sqlite3.Connection, what: str) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        raise BackupError(f"{what} failed the integrity check: {'; '.join(map(str, result[:3]))}")


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, label: str) -> int:
    total = src.execute("PRAGMA page_count").fetchone()[0]
    with Progress(label, total=total) as bar:
        src.backup(dst, pages=_STEP, progress=lambda _status, remaining, count: bar.update(count - remaining, count))
    return int(total)


def backup(settings: Settings, dest: Path) -> int:
    """Copy the live database to ``dest``; return the number of pages copied."""
    source = database_path(settings)
    if not source.exists():
        raise BackupError(f"there is no database at {source} yet")
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new file name")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # owner-only before the first page lands (the rename keeps the mode)
    src = sqlite3.connect(source, isolation_level=None, timeout=30)
    dst = sqlite3.connect(partial, isolation_level=None)
    try:
        src.execute("BEGIN")  # one read snapshot for the whole copy: consistent, and never restarted by writers
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        pages = _copy(src, dst, "backup")
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")
        _check(dst, "the backup")
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from exc
    finally:
        src.close()
        dst.close()
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, dest)
    return pages


def _verify_backup(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    latest = max(m.version for m in load("sqlite"))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _check(conn, str(path))
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Jean Memory backup: {exc}") from exc
    if row is None or row[0] is None:
        raise BackupError(f"{path} is not a Jean Memory backup (no schema version)")
    if int(row[0]) > latest:
        raise BackupError(f"{path} comes from a newer Jean Memory (schema {row[0]} > {latest}); upgrade first")


def restore(settings: Settings, source: Path) -> Path | None:
    """Replace the database with ``source``; return where the previous database was kept (None if none)."""
    target = database_path(settings)
    _verify_backup(source)
    with server_lock(target, "restoring"):
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.pre-restore-{time.strftime('%Y%m%d-%H%M%S')}")
            private_file(kept)
            current, keep = sqlite3.connect(target), sqlite3.connect(kept)
            try:
                _copy(current, keep, "saving current database")
            finally:
                current.close()
                keep.close()
        private_file(target)
        src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
        try:
            _copy(src, dst, "restore")
            dst.execute("PRAGMA journal_mode=WAL")
            _check(dst, "the restored database")
        finally:
            src.close()
            dst.close()
        return kept
