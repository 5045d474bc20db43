"""Memories (and document chunks) on PostgreSQL: tsvector + GIN for lexical, pgvector for dense search.

Dense search per user picks its plan (measured in bench/bench_backends.py, see README "Scaling out"):
users with at most ``EXACT_LIMIT`` live memories get an exact scan (their rows through the user index, every
distance computed: recall 1.0, about 3 microseconds a row). Larger users go through the HNSW index with
``hnsw.iterative_scan = relaxed_order``, which keeps walking the graph until ``limit`` rows of this user pass
the filter (re-sorted exactly afterwards). A user who owns too small a share of a huge table for the walk to
find ``limit`` of their rows within ``MAX_SCAN_TUPLES`` falls back to the exact scan. A plain HNSW scan with a
WHERE clause would return the global top ``ef_search`` and drop other users' rows: most results lost for a
user who owns 0.1% of the table (and the iterative scan alone, measured there: 200 ms at recall 0.6).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import anyio.to_thread
import numpy as np
from psycopg.errors import UniqueViolation
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from ...errors import Conflict
from ..chains import versions_query
from ..records import Filters, HybridQuery, Memory, MemorySource, NewMemory, Scored, date_spans, sort_sources
from ..space_records import NewActivity
from .db import Conn, PostgresDatabase, Vector

COLUMNS = ("seq, id, user_id, document_id, text, tags, client_id, metadata, created_at, updated_at, deleted_at,"
           " superseded_by, valid_until, expires_at, dates, replaced_value, flagged_by, occurred_at, correction,"
           " space_id, author_id")
CURRENT = "m.superseded_by IS NULL AND (m.expires_at IS NULL OR m.expires_at > %s)"  # not replaced, not expired
EXACT_LIMIT = 5_000
EF_SEARCH = 100
MAX_SCAN_TUPLES = 20_000
ACTIVITY_TEXT = 200  # characters of a memory's text an activity entry keeps
EXACT_FALLBACK = True  # the benchmark turns it off to measure the iterative scan alone


def row_to_memory(row: DictRow) -> Memory:
    return Memory(
        id=row["id"], user_id=row["user_id"], text=row["text"], tags=tuple(row["tags"]),
        client_id=row["client_id"], metadata=row["metadata"], created_at=row["created_at"],
        updated_at=row["updated_at"], seq=row["seq"], document_id=row["document_id"], deleted_at=row["deleted_at"],
        superseded_by=row["superseded_by"], valid_until=row["valid_until"], expires_at=row["expires_at"],
        dates=tuple(d for d in row["dates"] or () if isinstance(d, dict)), replaced_value=row["replaced_value"],
        possibly_outdated_by=row["flagged_by"], occurred_at=row["occurred_at"], correction=bool(row["correction"]),
        space_id=row["space_id"] or row["user_id"], author_id=row["author_id"],
    )


def _scored(row: DictRow, best: float | None = None) -> Scored:
    return Scored(int(row["seq"]), float(row["score"]), float(row["created_at"]), row["client_id"],
                  date_spans(d for d in row["dates"] or () if isinstance(d, dict)), best)


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if not filters.include_chunks:
        clauses.append("m.document_id IS NULL")
    if not filters.include_history:
        clauses.append(CURRENT)
        params.append(time.time())
    if filters.spaces is not None:
        clauses.append("m.space_id = ANY(%s)")
        params.append(list(filters.spaces))
    if filters.since is not None:
        clauses.append("m.created_at >= %s")
        params.append(filters.since)
    if filters.until is not None:
        clauses.append("m.created_at < %s")
        params.append(filters.until)
    if filters.client_id is not None:
        clauses.append("m.client_id = %s")
        params.append(filters.client_id)
    days = filters.when_days()
    if filters.when is not None and days is not None:
        clauses.append("((m.created_at >= %s AND m.created_at < %s) OR EXISTS (SELECT 1 FROM"
                       " jsonb_array_elements(m.dates) d WHERE d->>'start' <= %s AND d->>'end' >= %s))")
        params += [*filters.when, days[1], days[0]]
    if filters.tags:
        clauses.append("m.tags @> %s::text[]")
        params.append(list(filters.tags))
    return "".join(f" AND {c}" for c in clauses), params


async def insert_rows(conn: Conn, user_id: str, items: Sequence[NewMemory]) -> list[Memory]:
    now = time.time()
    out: list[Memory] = []
    rows: list[tuple[Any, ...]] = []
    for item in items:
        created = item.created_at or now
        updated = item.updated_at or created
        mid = item.id or str(uuid.uuid4())
        dates = [dict(d) for d in item.dates]
        space = item.space_id or user_id
        rows.append((mid, user_id, item.document_id, item.text, item.key, list(item.tags), item.client_id,
                     Jsonb(dict(item.metadata)), Vector(item.embedding) if item.embedding else None, created, updated,
                     item.superseded_by, item.valid_until, item.expires_at, Jsonb(dates), item.replaced_value,
                     item.possibly_outdated_by, item.occurred_at, int(item.correction), space, item.author_id))
        out.append(Memory(mid, user_id, item.text, tuple(item.tags), item.client_id, dict(item.metadata), created,
                          updated, 0, item.document_id, None, item.superseded_by, item.valid_until, item.expires_at,
                          tuple(dates), item.replaced_value, item.possibly_outdated_by, item.occurred_at,
                          item.correction, space, item.author_id))
    if not rows:
        return out
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO memories(id, user_id, document_id, text, key, tags, client_id, metadata, embedding,"
            " created_at, updated_at, superseded_by, valid_until, expires_at, dates, replaced_value, flagged_by,"
            " occurred_at, correction, space_id, author_id)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s::vector,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            " RETURNING seq",
            rows, returning=True)
        seqs: list[int] = []
        while True:
            row = await cur.fetchone()
            assert row is not None
            seqs.append(int(row["seq"]))
            if not cur.nextset():
                break
    return [replace(m, seq=s) for m, s in zip(out, seqs, strict=True)]


async def replace_rows(conn: Conn, user_id: str, stored: Sequence[Memory], items: Sequence[NewMemory]) -> None:
    """Mark the memories each new one replaces (those still current, of its own space)."""
    for memory, item in zip(stored, items, strict=True):
        for r in item.replaces:
            await conn.execute(
                "UPDATE memories SET superseded_by=%s, valid_until=%s, replaced_value=%s, flagged_by=NULL WHERE"
                " user_id=%s AND id=%s AND space_id=%s AND superseded_by IS NULL AND deleted_at IS NULL"
                " AND document_id IS NULL AND id <> %s",
                (memory.id, memory.created_at, r.old_value, user_id, r.old_id, memory.space_id, memory.id))
        for old_id in item.flags:
            await conn.execute(
                "UPDATE memories SET flagged_by=%s WHERE user_id=%s AND id=%s AND space_id=%s AND superseded_by IS NULL"
                " AND deleted_at IS NULL AND document_id IS NULL AND id <> %s",
                (memory.id, user_id, old_id, memory.space_id, memory.id))


async def record(conn: Conn, entries: Sequence[NewActivity]) -> None:
    """Space activity entries (those of a space deleted meanwhile left out)."""
    if not entries:
        return
    now = time.time()
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO space_activity(space_id, actor_id, client_id, action, memory_id, text, at)"
            " SELECT %s,%s,%s,%s,%s,%s,%s WHERE EXISTS (SELECT 1 FROM spaces WHERE id=%s)",
            [(e.space_id, e.actor_id, e.client_id, e.action, e.memory_id, e.text[:ACTIVITY_TEXT], now, e.space_id)
             for e in entries])


def added(user_id: str, stored: Sequence[Memory]) -> list[NewActivity]:
    """An "add" entry per inserted memory (document chunks left out), by its author or else the owner."""
    return [NewActivity(m.space_id, m.author_id or user_id, m.client_id, "add", m.id, m.text[:ACTIVITY_TEXT])
            for m in stored if m.document_id is None]


class PostgresMemoryStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def insert(self, user_id: str, items: Sequence[NewMemory]) -> list[Memory]:
        try:
            async with self.db.tx() as conn:
                stored = await insert_rows(conn, user_id, items)
                await replace_rows(conn, user_id, stored, items)
                await record(conn, added(user_id, stored))
                return stored
        except UniqueViolation as exc:  # another request stored the same text first
            raise Conflict("this memory was stored by another request meanwhile") from exc

    async def get(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        if not ids:
            return []
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE user_id=%s AND deleted_at IS NULL AND id = ANY(%s)",
            (user_id, list(ids)))
        return [row_to_memory(r) for r in rows]

    async def get_by_seq(self, user_id: str, seqs: Sequence[int]) -> list[Memory]:
        if not seqs:
            return []
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE user_id=%s AND deleted_at IS NULL AND seq = ANY(%s)",
            (user_id, list(seqs)))
        by_seq = {r["seq"]: row_to_memory(r) for r in rows}
        return [by_seq[s] for s in seqs if s in by_seq]

    async def find_by_keys(self, user_id: str, keys: Sequence[str], space_id: str | None = None
                           ) -> dict[str, Memory]:
        if not keys:
            return {}
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS}, key FROM memories WHERE user_id=%s AND space_id=%s AND deleted_at IS NULL"
            " AND document_id IS NULL AND superseded_by IS NULL AND key = ANY(%s)",
            (user_id, space_id or user_id, list(keys)))
        return {r["key"]: row_to_memory(r) for r in rows}

    async def get_in_spaces(self, spaces: Sequence[str], ids: Sequence[str]) -> list[Memory]:
        if not ids or not spaces:
            return []
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE id = ANY(%s) AND space_id = ANY(%s) AND deleted_at IS NULL",
            (list(ids), list(spaces)))
        return [row_to_memory(r) for r in rows]

    async def page(self, user_id: str, limit: int, before_seq: int | None, filters: Filters) -> list[Memory]:
        where, params = filter_sql(filters)
        if before_seq is not None:
            where += " AND m.seq < %s"
            params.append(before_seq)
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories m WHERE m.user_id=%s AND m.deleted_at IS NULL{where}"
            " ORDER BY m.seq DESC LIMIT %s", (user_id, *params, limit))
        return [row_to_memory(r) for r in rows]

    async def update(
        self, user_id: str, memory_id: str, text: str | None, key: str | None, embedding: bytes | None,
        tags: tuple[str, ...] | None, metadata: Mapping[str, Any] | None = None, *, actor: str | None = None,
    ) -> Memory | None:
        now = time.time()
        sets = "updated_at=%s"
        params: list[Any] = [now]
        if text is not None:
            assert key is not None and embedding is not None, "text, key and embedding change together"
            sets += ", text=%s, key=%s, embedding=%s::vector"
            params += [text, key, Vector(embedding)]
        if tags is not None:
            sets += ", tags=%s"
            params.append(list(tags))
        if metadata is not None:
            sets += ", metadata=%s"
            params.append(Jsonb(dict(metadata)))
        try:
            async with self.db.tx() as conn:
                cur = await conn.execute(
                    f"SELECT {COLUMNS}, key, embedding::text AS embedding_text FROM memories WHERE id=%s"
                    " AND user_id=%s AND deleted_at IS NULL AND document_id IS NULL FOR UPDATE", (memory_id, user_id))
                before = await cur.fetchone()
                if before is None:
                    return None
                cur = await conn.execute(
                    f"UPDATE memories SET {sets} WHERE id=%s AND user_id=%s RETURNING {COLUMNS}",
                    (*params, memory_id, user_id))
                row = await cur.fetchone()
                if text is not None and text != before["text"]:  # the previous text stays, as a replaced version
                    old = row_to_memory(before)
                    await conn.execute(
                        "INSERT INTO memories(id, user_id, text, key, tags, client_id, metadata, embedding, created_at,"
                        " updated_at, superseded_by, valid_until, expires_at, dates, occurred_at, correction, space_id,"
                        " author_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s::vector,%s,%s,%s,%s,%s,%s,%s,1,%s,%s)",
                        (str(uuid.uuid4()), user_id, old.text, before["key"], list(old.tags), old.client_id,
                         Jsonb(dict(old.metadata)), before["embedding_text"], old.created_at, old.updated_at,
                         memory_id, now, old.expires_at, Jsonb([dict(d) for d in old.dates]), old.occurred_at,
                         old.space_id, old.author_id))
                if row is not None:
                    await record(conn, [NewActivity(row["space_id"] or user_id, actor or user_id, None, "update",
                                                    memory_id, row["text"][:ACTIVITY_TEXT])])
        except UniqueViolation as exc:  # the (user, key) index of current memories
            raise Conflict("another memory already says this") from exc
        return row_to_memory(row) if row else None

    async def delete(self, user_id: str, ids: Sequence[str] | None, spaces: Sequence[str] | None = None, *,
                     actor: str | None = None) -> int:
        if ids is not None and not ids:
            return 0
        sql = ("UPDATE memories SET deleted_at=%s WHERE user_id=%s AND deleted_at IS NULL AND document_id IS NULL")
        params: list[Any] = [time.time(), user_id]
        if ids is not None:
            sql += " AND id = ANY(%s)"
            params.append(list(ids))
        if spaces is not None:
            sql += " AND space_id = ANY(%s)"
            params.append(list(spaces))
        async with self.db.tx() as conn:
            cur = await conn.execute(sql + " RETURNING id, space_id, text", params)
            gone = await cur.fetchall()
            if gone:  # a flag whose newer memory is gone no longer holds
                await conn.execute("UPDATE memories SET flagged_by=NULL WHERE user_id=%s AND flagged_by = ANY(%s)",
                                   (user_id, [r["id"] for r in gone]))
                await record(conn, [NewActivity(r["space_id"] or user_id, actor or user_id, None, "delete", r["id"],
                                                r["text"][:ACTIVITY_TEXT]) for r in gone])
            return len(gone)

    async def purge_deleted(self, before: float) -> int:
        return await self.db.execute("DELETE FROM memories WHERE (deleted_at IS NOT NULL AND deleted_at < %s)"
                                     " OR expires_at < %s", (before, before))

    async def predecessors(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        if not ids:
            return []
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE user_id=%s AND deleted_at IS NULL AND superseded_by = ANY(%s)"
            " ORDER BY valid_until DESC, seq DESC", (user_id, list(ids)))
        return [row_to_memory(r) for r in rows]

    async def versions(self, user_id: str, memory_id: str, limit: int) -> list[Memory]:
        rows = await self.db.fetchall(*versions_query(COLUMNS, "%s", user_id, memory_id, limit))
        return [row_to_memory(r) for r in rows]

    async def changes(self, user_id: str, limit: int) -> list[Memory]:
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE user_id=%s AND deleted_at IS NULL AND superseded_by IS NOT NULL"
            " AND correction = 0 ORDER BY valid_until DESC, seq DESC LIMIT %s", (user_id, limit))
        return [row_to_memory(r) for r in rows]

    async def flagged(self, user_id: str, limit: int) -> list[Memory]:
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM memories WHERE user_id=%s AND deleted_at IS NULL AND flagged_by IS NOT NULL"
            " AND superseded_by IS NULL ORDER BY seq DESC LIMIT %s", (user_id, limit))
        return [row_to_memory(r) for r in rows]

    async def resolve_flag(self, user_id: str, old_id: str, confirm: bool, new_id: str | None = None
                           ) -> Memory | None:
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT flagged_by, space_id FROM memories WHERE id=%s AND user_id=%s AND deleted_at IS NULL"
                " AND document_id IS NULL AND superseded_by IS NULL FOR UPDATE", (old_id, user_id))
            found = await cur.fetchone()
            newer = new_id or (found["flagged_by"] if found is not None else None)
            if found is None or newer is None or newer == old_id:
                return None
            if confirm:
                cur = await conn.execute("SELECT created_at FROM memories WHERE id=%s AND user_id=%s AND space_id=%s"
                                         " AND deleted_at IS NULL AND document_id IS NULL",
                                         (newer, user_id, found["space_id"]))
                by = await cur.fetchone()
                if by is None:
                    return None
                cur = await conn.execute("UPDATE memories SET superseded_by=%s, valid_until=%s, flagged_by=NULL"
                                         f" WHERE id=%s RETURNING {COLUMNS}", (newer, by["created_at"], old_id))
            else:
                cur = await conn.execute(f"UPDATE memories SET flagged_by=NULL WHERE id=%s RETURNING {COLUMNS}",
                                         (old_id,))
                await conn.execute(
                    "INSERT INTO memory_unlinks(user_id, old_id, new_id, created_at) VALUES (%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING", (user_id, old_id, newer, time.time()))
            row = await cur.fetchone()
        return row_to_memory(row) if row else None

    async def unlink(self, user_id: str, old_id: str) -> Memory | None:
        try:
            async with self.db.tx() as conn:
                cur = await conn.execute(
                    "SELECT superseded_by FROM memories WHERE id=%s AND user_id=%s AND deleted_at IS NULL"
                    " AND superseded_by IS NOT NULL FOR UPDATE", (old_id, user_id))
                found = await cur.fetchone()
                if found is None:
                    return None
                cur = await conn.execute(
                    "UPDATE memories SET superseded_by=NULL, valid_until=NULL, replaced_value=NULL WHERE id=%s"
                    f" RETURNING {COLUMNS}", (old_id,))
                row = await cur.fetchone()
                await conn.execute(
                    "INSERT INTO memory_unlinks(user_id, old_id, new_id, created_at) VALUES (%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING", (user_id, old_id, found["superseded_by"], time.time()))
        except UniqueViolation as exc:  # the (user, key) index of current memories
            raise Conflict("a current memory already says what this one says; delete one of the two") from exc
        return row_to_memory(row) if row else None

    async def unlinked(self, user_id: str, old_ids: Sequence[str]) -> set[tuple[str, str]]:
        if not old_ids:
            return set()
        rows = await self.db.fetchall("SELECT old_id, new_id FROM memory_unlinks WHERE user_id=%s AND old_id = ANY(%s)",
                                      (user_id, list(old_ids)))
        return {(r["old_id"], r["new_id"]) for r in rows}

    async def lexical(self, user_id: str, terms: Sequence[str], limit: int, filters: Filters) -> list[Scored]:
        """OR of the terms (each stemmed by the 'english' configuration); ``ts_rank_cd`` as the score."""
        if not terms:
            return []
        query = " || ".join(["plainto_tsquery('english', %s)"] * len(terms))
        where, params = filter_sql(filters)
        # ``best``: the rank the query's own words would get as a memory (``Scored.best``; ts_rank_cd has no IDF).
        rows = await self.db.fetchall(
            f"SELECT m.seq, m.created_at, m.client_id, m.dates, ts_rank_cd(m.tsv, {query}, 1) AS score,"
            f" ts_rank_cd(to_tsvector('english', %s), {query}, 1) AS best FROM memories m"
            f" WHERE m.user_id=%s AND m.deleted_at IS NULL AND m.tsv @@ ({query}){where}"
            " ORDER BY score DESC, m.seq DESC LIMIT %s",
            (*terms, " ".join(terms), *terms, user_id, *terms, *params, limit))
        return [_scored(r, float(r["best"]) or None) for r in rows]

    async def hybrid(self, user_id: str, query: HybridQuery) -> list[tuple[Memory, float]]:
        """The lexical query runs while a worker thread computes the query vector; then dense, rank, rows."""
        lexical: list[Scored] = []
        vectors: list[np.ndarray] = []

        async def run_lexical() -> None:
            lexical.extend(await self.lexical(user_id, query.terms, query.pool, query.filters))

        async def run_vector() -> None:
            vectors.append(await anyio.to_thread.run_sync(query.vector))

        async with anyio.create_task_group() as group:
            group.start_soon(run_lexical)
            group.start_soon(run_vector)
        dense = await self.dense(user_id, vectors[0], query.pool, query.filters)
        ranked = query.rank(lexical, dense)[: query.limit]
        by_seq = {m.seq: m for m in await self.get_by_seq(user_id, [s.seq for s in ranked])}
        return [(by_seq[s.seq], s.score) for s in ranked if s.seq in by_seq]

    async def dense(self, user_id: str, vector: np.ndarray, limit: int, filters: Filters) -> list[Scored]:
        where, params = filter_sql(filters)
        q = Vector(np.asarray(vector, dtype=np.float32))
        exact = (
            "SELECT m.seq, m.created_at, m.client_id, m.dates, 1 - (m.embedding <=> %s::vector) AS score"
            f" FROM memories m WHERE m.user_id=%s AND m.deleted_at IS NULL AND m.embedding IS NOT NULL{where}"
            " ORDER BY score DESC LIMIT %s"
        )  # ORDER BY the score, not the distance: the HNSW index cannot serve it, so this scan is exact
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM (SELECT 1 FROM memories WHERE user_id=%s AND deleted_at IS NULL"
                " LIMIT %s) AS s", (user_id, EXACT_LIMIT + 1))
            counted = await cur.fetchone()
            if counted is None or counted["n"] == 0:
                return []
            if counted["n"] <= EXACT_LIMIT:
                cur = await conn.execute(exact, (q, user_id, *params, limit))
                return [_scored(r) for r in await cur.fetchall()]
            await conn.execute(
                "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),"
                " set_config('hnsw.ef_search', %s, true), set_config('hnsw.max_scan_tuples', %s, true),"
                " set_config('enable_sort', 'off', true)",  # steer the planner onto the index order
                (str(max(EF_SEARCH, limit)), str(MAX_SCAN_TUPLES)))
            cur = await conn.execute(
                "WITH c AS MATERIALIZED (SELECT m.seq, m.created_at, m.client_id, m.dates,"
                " m.embedding <=> %s::vector AS d"
                f" FROM memories m WHERE m.user_id=%s AND m.deleted_at IS NULL{where}"
                " ORDER BY m.embedding <=> %s::vector LIMIT %s)"
                " SELECT seq, created_at, client_id, dates, 1 - d AS score FROM c ORDER BY d",
                (q, user_id, *params, q, limit))
            rows = await cur.fetchall()
            if len(rows) < limit and EXACT_FALLBACK:  # the walk ran out of budget, or narrow filters: go exact
                await conn.execute("SELECT set_config('enable_sort', 'on', true)")
                cur = await conn.execute(exact, (q, user_id, *params, limit))
                rows = await cur.fetchall()
        return [_scored(r) for r in rows]

    async def count(self, user_id: str, spaces: Sequence[str] | None = None) -> int:
        where = "" if spaces is None else " AND m.space_id = ANY(%s)"
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM memories m WHERE m.user_id=%s AND m.deleted_at IS NULL"
            f" AND m.document_id IS NULL AND {CURRENT}{where}",
            (user_id, time.time(), *(() if spaces is None else (list(spaces),))))
        return int(row["n"]) if row else 0

    async def sources(self, user_id: str) -> list[MemorySource]:
        rows = await self.db.fetchall(
            "SELECT m.client_id, NULLIF(c.client_name, '') AS name, count(*) AS n FROM memories m"
            " LEFT JOIN oauth_clients c ON c.client_id = m.client_id WHERE m.user_id=%s AND m.deleted_at IS NULL"
            f" AND m.document_id IS NULL AND m.client_id IS NOT NULL AND {CURRENT}"
            " GROUP BY m.client_id, c.client_name", (user_id, time.time()))
        return sort_sources(MemorySource(r["client_id"], r["name"], int(r["n"])) for r in rows)
