"""SQLite connections: one writer (serialised, ``BEGIN IMMEDIATE``) and a small pool of WAL readers.

Calls run in worker threads so the event loop never blocks on disk. ``synchronous=FULL``: a write that
returned is on disk, even across a power cut, not only across a killed process.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from ...errors import StorageError
from ...private_files import private_dir, private_file, restrict
from ..migrations import load

T = TypeVar("T")
_READERS = 4


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


class SqliteDatabase:
    backend = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            db = Path(self.path)
            private_dir(db.parent)
            private_file(db)  # SQLite gives -wal and -shm the database file's mode
            for companion in ("-wal", "-shm", "-journal"):
                restrict(db.with_name(db.name + companion))
        self._writer = _connect(self.path)
        self._write_lock = threading.Lock()
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._reader_count = 0
        self._reader_lock = threading.Lock()
        self._closed = False

    # -- execution -------------------------------------------------------------------------------------

    def write_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

    def _check_open(self) -> None:
        if self._closed:  # closed (shutting down): an OperationalError, so callers get StorageError and /status 503
            raise sqlite3.OperationalError("the database is closed")

    def read_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        conn = self._take_reader()
        try:
            return fn(conn)
        finally:
            self._readers.put(conn)

    def _take_reader(self) -> sqlite3.Connection:
        try:
            return self._readers.get_nowait()
        except queue.Empty:
            pass
        with self._reader_lock:
            if self._reader_count < _READERS:
                self._reader_count += 1
                return _connect(self.path)
        return self._readers.get()

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(self.write_sync, fn)
        except sqlite3.OperationalError as exc:
            raise StorageError(f"the database did not answer: {exc}") from exc

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self.in_thread(lambda: self.read_sync(fn))

    async def in_thread(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (which may call ``read_sync``) in a worker thread, with ``read``'s error mapping."""
        try:
            return await anyio.to_thread.run_sync(fn)
        except sqlite3.OperationalError as exc:
            raise StorageError(f"the database did not answer: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------------------

    async def ping(self) -> bool:
        try:
            return bool(await self.read(lambda c: c.execute("SELECT 1").fetchone()[0] == 1))
        except StorageError:
            return False

    def applied_versions_sync(self) -> set[int]:
        with self._write_lock:
            self._writer.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            return {int(r[0]) for r in self._writer.execute("SELECT version FROM schema_version").fetchall()}

    def migrate_sync(self) -> int:
        """Apply every migration not yet recorded, in order; return how many ran."""
        applied = self.applied_versions_sync()
        ran = 0
        for migration in load("sqlite"):
            if migration.version in applied:
                continue
            with self._write_lock:
                conn = self._writer
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _split(migration.sql):
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version(version) VALUES (?)", (migration.version,))
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            ran += 1
        return ran

    async def migrate(self) -> int:
        return await anyio.to_thread.run_sync(self.migrate_sync)

    async def close(self) -> None:
        self.close_sync()

    def close_sync(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._write_lock:
            self._writer.close()
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break


def _split(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (``BEGIN ... END;``) whole."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
