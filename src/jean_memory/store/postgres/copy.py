"""``jean-memory copy --to postgresql://...``: move a SQLite deployment to PostgreSQL, rows and ids unchanged.

Everything that lasts is copied (users with password hashes and linked sign-in identities, API keys, documents,
memories with their vectors and ``seq`` order, OAuth clients, grants with their approved redirect URIs, codes and
tokens, site sessions, the places each account signed in from), so people stay signed in and connected apps keep
working. Short-lived rows (pending authorizations, sign-in states, rate-limit windows, failed sign-in counters)
are left behind. The copy is one transaction: the target ends up with all of it or none of it.
The target must be empty; the HNSW index is rebuilt once at the end (much faster than row by row).
Columns are matched by name and converted by the target's type, so later migrations copy without edits here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from psycopg.types.json import Jsonb

from ...errors import Conflict
from ...json_values import loads, readable
from .db import Conn, PostgresDatabase, Vector

TABLES = ("users", "spaces", "space_members", "space_invitations", "space_activity", "user_identities", "api_keys",
          "documents", "memories", "oauth_clients", "oauth_grants", "oauth_grant_redirects", "oauth_codes",
          "oauth_tokens", "site_sessions", "login_known_sources", "memory_unlinks")
_IDENTITY = {"memories": "seq", "space_activity": "seq"}  # copied as they are, then the sequence moved past them
# Each copied user got a personal space from the target's trigger: the source's row (its name) replaces it.
_UPSERT = {"spaces": " ON CONFLICT (id) DO UPDATE SET name=excluded.name, created_at=excluded.created_at"}
_BATCH = 1000
_HNSW = ("CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops)"
         " WHERE deleted_at IS NULL")


def _stored(value: Any) -> Any:
    """A SQLite JSON column, repaired (``json_values.readable``) where PostgreSQL would refuse it: a lone surrogate
    or NUL in a row written before today's input rules must not stop the move."""
    return loads(value) if isinstance(value, str) else readable(value)


def _converter(pg_type: str) -> Callable[[Any], Any]:
    if pg_type == "ARRAY":
        return _stored
    if pg_type == "jsonb":
        return lambda v: Jsonb(_stored(v))
    if pg_type == "USER-DEFINED":  # pgvector
        return lambda v: Vector(bytes(v)) if v is not None else None
    if pg_type == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: v


async def _target_columns(conn: Conn, table: str) -> dict[str, str]:
    cur = await conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name=%s"
        " AND table_schema=current_schema() AND is_generated='NEVER'", (table,))
    return {r["column_name"]: r["data_type"] for r in await cur.fetchall()}


async def _copy_table(conn: Conn, source: sqlite3.Connection, table: str, progress: Callable[[int], None]) -> int:
    if source.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is None:
        return 0
    target = await _target_columns(conn, table)
    cur = source.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names are the constants above
    columns = [d[0] for d in cur.description if d[0] in target]
    convert = [_converter(target[c]) for c in columns]
    placeholders = ",".join("%s::vector" if target[c] == "USER-DEFINED" else "%s" for c in columns)
    overriding = " OVERRIDING SYSTEM VALUE" if table in _IDENTITY else ""
    sql = f"INSERT INTO {table} ({','.join(columns)}){overriding} VALUES ({placeholders}){_UPSERT.get(table, '')}"
    index = [d[0] for d in cur.description]
    positions = [index.index(c) for c in columns]
    copied = 0
    while rows := cur.fetchmany(_BATCH):
        batch = [tuple(f(row[i]) for f, i in zip(convert, positions, strict=True)) for row in rows]
        async with conn.cursor() as pg:
            await pg.executemany(sql, batch)
        copied += len(batch)
        progress(len(batch))
    return copied


async def copy_sqlite_to_postgres(sqlite_path: str, url: str,
                                  progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Migrate the PostgreSQL database at ``url``, then copy every lasting row of the SQLite file into it."""
    db = PostgresDatabase(url, max_connections=1)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    counts: dict[str, int] = {}
    try:
        await db.migrate()
        async with db.tx() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM users")
            row = await cur.fetchone()
            if row is not None and row["n"]:
                raise Conflict("the target database already has accounts; copy only into an empty database")
            await conn.execute("DROP INDEX IF EXISTS memories_embedding")
            for table in TABLES:
                counts[table] = await _copy_table(conn, source, table, progress)
            for table, column in _IDENTITY.items():  # noqa: S608 - the constants above
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                                   f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            await conn.execute(_HNSW)
    finally:
        source.close()
        await db.close()
    return counts
