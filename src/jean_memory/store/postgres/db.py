"""PostgreSQL connections: psycopg 3 async over a ``psycopg_pool.AsyncConnectionPool``.

Why psycopg 3 (not asyncpg): it is already a dependency, speaks the same SQL with server-side parameter
binding, has a maintained pool that checks, resets and recycles connections (replicas survive a database
failover), typed rows, and a documented adapter API that sends pgvector values in binary without pgvector's
Python package. Each call takes a pooled connection for one transaction; nothing is kept in the process
between requests, so any number of replicas can share the database.

Migrations run under a transaction-scoped advisory lock, so replicas starting together apply each once.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg import AsyncConnection
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

from ... import json_values
from ...errors import StorageError
from ..migrations import load

Conn = AsyncConnection[DictRow]
_MIGRATION_LOCK = 0x4A4D0001  # "JM" + 1: any constant shared by every replica
_WAIT = 15.0  # seconds a request waits for a pooled connection before it fails (StorageError, 503)


class Vector:
    """A float32 vector to send as pgvector's binary ``vector`` (write the placeholder as ``%s::vector``)."""

    __slots__ = ("array",)

    def __init__(self, data: bytes | np.ndarray) -> None:
        self.array = np.frombuffer(data, dtype=np.float32) if isinstance(data, bytes) else data


class _VectorDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj: Any) -> bytes:
        array = np.asarray(obj.array, dtype=np.float32)
        return struct.pack(">HH", len(array), 0) + array.astype(">f4").tobytes()


def plain_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgresql+psycopg://") else url


class PostgresDatabase:
    backend = "postgresql"

    def __init__(self, url: str, max_connections: int = 10) -> None:
        self.pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            plain_url(url), open=False, min_size=1, max_size=max_connections, configure=self._configure,
            check=AsyncConnectionPool.check_connection,  # a connection broken by a failover is replaced, not used
            kwargs={"row_factory": dict_row}, connection_class=AsyncConnection[DictRow], timeout=_WAIT,
        )
        self._opened = False

    @staticmethod
    async def _configure(conn: Conn) -> None:
        conn.adapters.register_dumper(Vector, _VectorDumper)
        set_json_loads(json_values.loads, conn)  # jsonb comes back readable, even nested too deeply for json.loads

    @asynccontextmanager
    async def tx(self, timeout: float | None = None) -> AsyncIterator[Conn]:
        """One pooled connection in one transaction (committed on success, rolled back on error)."""
        if not self._opened:
            await self.pool.open(wait=False)
            self._opened = True
        try:
            async with self.pool.connection(timeout) as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.errors.ConnectionTimeout) as exc:
            raise StorageError(f"the database did not answer: {exc}") from exc

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[DictRow]:
        async with self.tx() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> DictRow | None:
        async with self.tx() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchone()

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it touched."""
        async with self.tx() as conn:
            cur = await conn.execute(sql, params)
            return cur.rowcount

    # -- lifecycle -------------------------------------------------------------------------------------

    async def ping(self) -> bool:
        try:  # a readiness probe answers within seconds, not after the pool's full wait
            async with self.tx(timeout=3) as conn:
                row = await (await conn.execute("SELECT 1 AS ok")).fetchone()
        except StorageError:
            return False
        return row is not None and row["ok"] == 1

    async def migrate(self) -> int:
        """Apply pending migrations, each in one transaction; return how many ran (here)."""
        ran = 0
        for migration in load("postgres"):
            async with self.tx() as conn:
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                cur = await conn.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version")
                row = await cur.fetchone()
                if row is not None and int(row["v"]) >= migration.version:
                    continue
                await conn.execute(migration.sql.encode("utf-8"))
                await conn.execute("INSERT INTO schema_version(version) VALUES (%s)", (migration.version,))
            ran += 1
        return ran

    async def close(self) -> None:
        if self._opened:
            self._opened = False
            await self.pool.close()
