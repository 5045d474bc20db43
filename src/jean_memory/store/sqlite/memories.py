"""Memories (and document chunks) on SQLite: FTS5 BM25 for lexical search, per-user numpy matrices for dense.

The dense side keeps each user's unit vectors in memory, rebuilt when the user's ``mem_version`` (bumped in
the same transaction as every write) changes, so a second process writing the same file is noticed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ...errors import Conflict
from ..chains import versions_query
from ..records import Filters, HybridQuery, Memory, MemorySource, NewMemory, Scored, date_spans, sort_sources
from ..space_records import NewActivity
from .bm25 import best_possible, rare_terms
from .db import SqliteDatabase
from .matrix import UserMatrix
from .rows import (
    ACTIVITY_TEXT,
    added,
    bump,
    current_sql,
    filter_sql,
    insert_rows,
    record,
    replace_rows,
    row_to_memory,
    spaces_sql,
    stored_dates,
)
from .rows import COLUMNS as _COLUMNS

_CACHE_ROWS = 400_000
_overlap = ThreadPoolExecutor(max_workers=4, thread_name_prefix="jean-memory-embed")  # HybridQuery.overlap


class SqliteMemoryStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self._cache: OrderedDict[str, UserMatrix] = OrderedDict()
        self._cache_lock = threading.Lock()

    async def insert(self, user_id: str, items: Sequence[NewMemory]) -> list[Memory]:
        def run(c: sqlite3.Connection) -> list[Memory]:
            try:
                stored = insert_rows(c, user_id, items)
            except sqlite3.IntegrityError as exc:  # another request stored the same text first
                raise Conflict("this memory was stored by another request meanwhile") from exc
            replaced = replace_rows(c, user_id, stored, items)
            record(c, added(user_id, stored))
            version = int(c.execute("SELECT mem_version FROM users WHERE id=?", (user_id,)).fetchone()[0])
            self._append_cached(user_id, version, stored, items, replaced)  # in the transaction, under the lock
            return stored

        try:
            return await self.db.write(run)
        except BaseException:
            with self._cache_lock:
                self._cache.pop(user_id, None)  # the transaction may have rolled back after the append
            raise

    def _append_cached(self, user_id: str, version: int, stored: list[Memory], items: Sequence[NewMemory],
                       replaced: Sequence[int] = ()) -> None:
        """Our own insert moved the version by one: extend the cached matrix instead of reloading it (O(N)).
        Readers whose snapshot predates the commit see a cache newer than their version and use it."""
        with self._cache_lock:
            cached = self._cache.get(user_id)
            if cached is None or cached.version != version - 1:
                return
            if cached.size == 0 or not stored:
                self._cache.pop(user_id)
                return
            vectors = np.frombuffer(b"".join(i.embedding for i in items), dtype=np.float32).reshape(len(items), -1)
            if vectors.shape[1] != cached.vectors.shape[1]:
                self._cache.pop(user_id)
                return
            cached.append(stored, vectors)
            cached.mark_replaced(replaced)
            cached.version = version

    async def get(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE user_id=? AND deleted_at IS NULL AND id IN ({marks})",
            (user_id, *ids)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def get_by_seq(self, user_id: str, seqs: Sequence[int]) -> list[Memory]:
        if not seqs:
            return []
        by_seq = await self.db.read(lambda c: self._by_seq_sync(c, user_id, seqs))
        return [by_seq[s] for s in seqs if s in by_seq]

    def _by_seq_sync(self, c: sqlite3.Connection, user_id: str, seqs: Sequence[int]) -> dict[int, Memory]:
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        rows = c.execute(f"SELECT {_COLUMNS} FROM memories WHERE user_id=? AND deleted_at IS NULL AND seq IN ({marks})",
                         (user_id, *seqs)).fetchall()
        return {r["seq"]: row_to_memory(r) for r in rows}

    async def find_by_keys(self, user_id: str, keys: Sequence[str], space_id: str | None = None
                           ) -> dict[str, Memory]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS}, key FROM memories WHERE user_id=? AND space_id=? AND deleted_at IS NULL"
            f" AND document_id IS NULL AND superseded_by IS NULL AND key IN ({marks})",
            (user_id, space_id or user_id, *keys)).fetchall())
        return {r["key"]: row_to_memory(r) for r in rows}

    async def get_in_spaces(self, spaces: Sequence[str], ids: Sequence[str]) -> list[Memory]:
        if not ids or not spaces:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories m WHERE m.id IN ({marks}) AND {spaces_sql(spaces)}"
            " AND m.deleted_at IS NULL", (*ids, *spaces)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def page(self, user_id: str, limit: int, before_seq: int | None, filters: Filters) -> list[Memory]:
        where, params = filter_sql(filters)
        if before_seq is not None:
            where += " AND m.seq < ?"
            params.append(before_seq)
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories m WHERE m.user_id=? AND m.deleted_at IS NULL{where}"
            " ORDER BY m.seq DESC LIMIT ?", (user_id, *params, limit)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def update(
        self, user_id: str, memory_id: str, text: str | None, key: str | None, embedding: bytes | None,
        tags: tuple[str, ...] | None, metadata: Mapping[str, Any] | None = None, *, actor: str | None = None,
    ) -> Memory | None:
        def run(c: sqlite3.Connection) -> Memory | None:
            now = time.time()
            before = c.execute(f"SELECT {_COLUMNS}, key, embedding FROM memories WHERE id=? AND user_id=?"
                               " AND deleted_at IS NULL AND document_id IS NULL", (memory_id, user_id)).fetchone()
            if before is None:
                return None
            sets = "updated_at=?"
            params: list[Any] = [now]
            if text is not None:
                sets += ", text=?, key=?, embedding=?"
                params += [text, key, embedding]
            if tags is not None:
                sets += ", tags=?"
                params.append(json.dumps(list(tags)))
            if metadata is not None:
                sets += ", metadata=?"
                params.append(json.dumps(dict(metadata)))
            try:
                cur = c.execute(
                    f"UPDATE memories SET {sets} WHERE id=? AND user_id=? AND deleted_at IS NULL"
                    " AND document_id IS NULL", (*params, memory_id, user_id))
            except sqlite3.IntegrityError as exc:  # the (user, key) index of live memories
                raise Conflict("another memory already says this") from exc
            if cur.rowcount == 0:
                return None
            if text is not None and text != before["text"]:  # the previous text stays, as a replaced version
                old = row_to_memory(before)
                insert_rows(c, user_id, [NewMemory(
                    old.text, before["key"], before["embedding"], old.tags, old.client_id, old.metadata,
                    created_at=old.created_at, updated_at=old.updated_at, expires_at=old.expires_at, dates=old.dates,
                    superseded_by=memory_id, valid_until=now, occurred_at=old.occurred_at, correction=True,
                    space_id=old.space_id, author_id=old.author_id)])
            bump(c, user_id)
            memory = row_to_memory(c.execute(f"SELECT {_COLUMNS} FROM memories WHERE id=?", (memory_id,)).fetchone())
            record(c, [NewActivity(memory.space_id, actor or user_id, None, "update", memory.id,
                                   memory.text[:ACTIVITY_TEXT])])
            return memory

        return await self.db.write(run)

    async def delete(self, user_id: str, ids: Sequence[str] | None, spaces: Sequence[str] | None = None, *,
                     actor: str | None = None) -> int:
        def run(c: sqlite3.Connection) -> int:
            sql = "UPDATE memories AS m SET deleted_at=? WHERE m.user_id=? AND m.deleted_at IS NULL" \
                  " AND m.document_id IS NULL"
            params: list[Any] = [time.time(), user_id]
            if ids is not None:
                sql += f" AND m.id IN ({','.join('?' * len(ids))})"
                params += ids
            if spaces is not None:
                sql += f" AND {spaces_sql(spaces)}"
                params += spaces
            gone = c.execute(sql + " RETURNING id, space_id, text", params).fetchall()
            if gone:
                marks = ",".join("?" * len(gone))  # a flag whose newer memory is gone no longer holds
                c.execute(f"UPDATE memories SET flagged_by=NULL WHERE user_id=? AND flagged_by IN ({marks})",
                          (user_id, *(r[0] for r in gone)))
                record(c, [NewActivity(r[1] or user_id, actor or user_id, None, "delete", r[0],
                                       r[2][:ACTIVITY_TEXT]) for r in gone])
                bump(c, user_id)
            return len(gone)

        if ids is not None and not ids:
            return 0
        return await self.db.write(run)

    async def lexical(self, user_id: str, terms: Sequence[str], limit: int, filters: Filters) -> list[Scored]:
        if not terms:
            return []
        return await self.db.read(lambda c: self._lexical_sync(c, user_id, terms, limit, filters))

    def _lexical_sync(
        self, c: sqlite3.Connection, user_id: str, terms: Sequence[str], limit: int, filters: Filters,
        matrix: tuple[UserMatrix, np.ndarray] | None = None, with_best: bool = True,
    ) -> list[Scored]:
        """BM25 hits; ``matrix`` (the user's vectors and the filters' mask over them) spares the SQL that applies
        the filters and reads ``created_at`` for the hits it holds."""
        if not terms:
            return []
        words = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        # The user's own rows only. When every row of the table is theirs (one person's server) the user_id
        # clause selects nothing and costs about a third of the query at 10k memories: it is left out. BM25's
        # statistics are the whole index's either way, so scores and order are the same.
        # (Plain "?" twice: "?1" with a sequence warns from Python 3.12 and fails from 3.14.)
        alone = c.execute("SELECT NOT EXISTS (SELECT 1 FROM memories WHERE user_id < ?)"
                          " AND NOT EXISTS (SELECT 1 FROM memories WHERE user_id > ?)",
                          (user_id, user_id)).fetchone()[0]
        match = words if alone else f'user_id:"{user_id}" AND ({words})'
        where, params = filter_sql(filters)
        # Fast path: rank inside FTS5 alone (no join while scoring), then apply the filters to the best
        # 2 x limit. Only when the filters leave fewer than ``limit`` of a full batch, rank every match with
        # the join.
        best = c.execute("SELECT rowid, bm25(memories_fts, 1.0, 0.0) FROM memories_fts WHERE memories_fts"
                         " MATCH ? ORDER BY 2 LIMIT ?", (match, 2 * limit)).fetchall()
        if not best:
            return []
        kept, unknown = matrix[0].lookup([b[0] for b in best], matrix[1]) if matrix else ({}, [b[0] for b in best])
        if unknown:  # no matrix, or hits it does not hold (written since it was read)
            marks = ",".join("?" * len(unknown))
            kept.update((r[0], (r[1], r[2], date_spans(stored_dates(r[3])))) for r in c.execute(
                f"SELECT m.seq, m.created_at, m.client_id, m.dates FROM memories m WHERE m.seq IN ({marks})"
                f" AND m.user_id=?{where}", (*unknown, user_id, *params)))
        hits = [(seq, -float(rank), *kept[seq]) for seq, rank in best if seq in kept][:limit]
        if len(hits) < limit and len(best) == 2 * limit:
            rows = c.execute(
                "SELECT m.seq, m.created_at, m.client_id, m.dates, bm25(memories_fts, 1.0, 0.0) AS rank"
                " FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid"
                f" WHERE memories_fts MATCH ? AND m.user_id=?{where}"
                " ORDER BY rank LIMIT ?", (match, user_id, *params, limit)).fetchall()
            hits = [(r["seq"], -float(r["rank"]), r["created_at"], r["client_id"],
                     date_spans(stored_dates(r["dates"]))) for r in rows]
        possible = best_possible(c, terms) if hits and with_best else None
        return [Scored(seq, score, at, client, dates, possible) for seq, score, at, client, dates in hits]

    async def hybrid(self, user_id: str, query: HybridQuery) -> list[tuple[Memory, float]]:
        """Everything in one worker-thread call: the query vector, then lexical, dense, the ranking and the rows on
        one connection. Each hop to a worker thread and back costs two thread wake-ups; on a small VM those cost
        more than the work.

        With ``query.overlap`` the embedding runs in a second thread beside the lexical side (2 ms saved on a search
        at 10k memories), which then also scores half the matrix (``UserMatrix.top``); without, it runs before a
        reader connection is taken, so it never holds one (``bench/README.md``).
        """
        def run(c: sqlite3.Connection, vector: Callable[[], np.ndarray]) -> list[tuple[Memory, float]]:
            matrix = self._load_matrix(c, user_id)
            if matrix is None:  # no such user
                lexical, dense = self._lexical_sync(c, user_id, query.terms, query.pool, query.filters), []
                vector()
            else:
                mask = matrix.mask(query.filters)
                terms = query.terms if query.common_terms else rare_terms(c, query.terms)
                lexical = self._lexical_sync(c, user_id, terms, query.pool, query.filters, (matrix, mask),
                                             query.best_possible)
                dense = matrix.top(vector(), query.pool, mask, _overlap if query.overlap else None)
            ranked = query.rank(lexical, dense)[: query.limit]
            rows = self._by_seq_sync(c, user_id, [s.seq for s in ranked])
            return [(rows[s.seq], s.score) for s in ranked if s.seq in rows]

        def work() -> list[tuple[Memory, float]]:
            if query.overlap:  # the embedding in a second thread while this one runs BM25 (both release the GIL)
                pending = _overlap.submit(query.vector)
                return self.db.read_sync(lambda c: run(c, pending.result))
            ready = query.vector()  # before taking a reader connection: embedding holds none
            return self.db.read_sync(lambda c: run(c, lambda: ready))

        return await self.db.in_thread(work)

    async def dense(self, user_id: str, vector: np.ndarray, limit: int, filters: Filters) -> list[Scored]:
        # The matrix product runs in the worker thread with the cache check: one hop, and the event loop stays free.
        return await self.db.read(lambda c: self._dense_sync(c, user_id, vector, limit, filters))

    def _dense_sync(
        self, c: sqlite3.Connection, user_id: str, vector: np.ndarray, limit: int, filters: Filters
    ) -> list[Scored]:
        matrix = self._load_matrix(c, user_id)
        if matrix is None:
            return []
        return matrix.top(vector, limit, matrix.mask(filters))

    async def purge_deleted(self, before: float) -> int:
        # Soft-deleted rows left the FTS index and the vector cache when they were deleted; only the row remains.
        # Expired rows are still in both: the delete trigger takes them out of FTS, the version bump out of the cache.
        def run(c: sqlite3.Connection) -> int:
            c.execute("UPDATE users SET mem_version = mem_version + 1 WHERE id IN (SELECT DISTINCT user_id FROM"
                      " memories WHERE expires_at < ? AND deleted_at IS NULL)", (before,))
            return c.execute("DELETE FROM memories WHERE (deleted_at IS NOT NULL AND deleted_at < ?)"
                             " OR expires_at < ?", (before, before)).rowcount

        return await self.db.write(run)

    async def count(self, user_id: str, spaces: Sequence[str] | None = None) -> int:
        if spaces is not None and not spaces:
            return 0
        where = "" if spaces is None else f" AND {spaces_sql(spaces)}"
        row = await self.db.read(lambda c: c.execute(
            "SELECT count(*) FROM memories m INDEXED BY memories_current WHERE m.user_id=? AND m.deleted_at IS NULL"
            " AND m.document_id IS NULL"
            f" AND {current_sql()}{where}", (user_id, time.time(), *(spaces or ()))).fetchone())
        return int(row[0])

    async def predecessors(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE user_id=? AND deleted_at IS NULL AND superseded_by IN ({marks})"
            " ORDER BY valid_until DESC, seq DESC", (user_id, *ids)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def versions(self, user_id: str, memory_id: str, limit: int) -> list[Memory]:
        sql, params = versions_query(_COLUMNS, "?", user_id, memory_id, limit)
        rows = await self.db.read(lambda c: c.execute(sql, params).fetchall())
        return [row_to_memory(r) for r in rows]

    async def changes(self, user_id: str, limit: int) -> list[Memory]:
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE user_id=? AND deleted_at IS NULL AND superseded_by IS NOT NULL"
            " AND correction = 0 ORDER BY valid_until DESC, seq DESC LIMIT ?", (user_id, limit)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def flagged(self, user_id: str, limit: int) -> list[Memory]:
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE user_id=? AND deleted_at IS NULL AND flagged_by IS NOT NULL"
            " AND superseded_by IS NULL ORDER BY seq DESC LIMIT ?", (user_id, limit)).fetchall())
        return [row_to_memory(r) for r in rows]

    async def resolve_flag(self, user_id: str, old_id: str, confirm: bool, new_id: str | None = None
                           ) -> Memory | None:
        def run(c: sqlite3.Connection) -> Memory | None:
            row = c.execute("SELECT flagged_by, space_id FROM memories WHERE id=? AND user_id=? AND deleted_at IS NULL"
                            " AND document_id IS NULL AND superseded_by IS NULL", (old_id, user_id)).fetchone()
            newer = new_id or (row[0] if row is not None else None)
            if row is None or newer is None or newer == old_id:
                return None
            if confirm:
                by = c.execute("SELECT created_at FROM memories WHERE id=? AND user_id=? AND space_id=?"
                               " AND deleted_at IS NULL AND document_id IS NULL", (newer, user_id, row[1])).fetchone()
                if by is None:
                    return None
                c.execute("UPDATE memories SET superseded_by=?, valid_until=?, flagged_by=NULL WHERE id=?",
                          (newer, by[0], old_id))
            else:
                c.execute("UPDATE memories SET flagged_by=NULL WHERE id=?", (old_id,))
                c.execute("INSERT OR IGNORE INTO memory_unlinks(user_id, old_id, new_id, created_at)"
                          " VALUES (?,?,?,?)", (user_id, old_id, newer, time.time()))
            bump(c, user_id)
            return row_to_memory(c.execute(f"SELECT {_COLUMNS} FROM memories WHERE id=?", (old_id,)).fetchone())

        return await self.db.write(run)

    async def unlink(self, user_id: str, old_id: str) -> Memory | None:
        def run(c: sqlite3.Connection) -> Memory | None:
            row = c.execute("SELECT superseded_by FROM memories WHERE id=? AND user_id=? AND deleted_at IS NULL"
                            " AND superseded_by IS NOT NULL", (old_id, user_id)).fetchone()
            if row is None:
                return None
            try:
                c.execute("UPDATE memories SET superseded_by=NULL, valid_until=NULL, replaced_value=NULL WHERE id=?",
                          (old_id,))
            except sqlite3.IntegrityError as exc:  # the (user, key) index of current memories
                raise Conflict("a current memory already says what this one says; delete one of the two") from exc
            c.execute("INSERT OR IGNORE INTO memory_unlinks(user_id, old_id, new_id, created_at) VALUES (?,?,?,?)",
                      (user_id, old_id, row[0], time.time()))
            bump(c, user_id)
            return row_to_memory(c.execute(f"SELECT {_COLUMNS} FROM memories WHERE id=?", (old_id,)).fetchone())

        return await self.db.write(run)

    async def unlinked(self, user_id: str, old_ids: Sequence[str]) -> set[tuple[str, str]]:
        if not old_ids:
            return set()
        marks = ",".join("?" * len(old_ids))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT old_id, new_id FROM memory_unlinks WHERE user_id=? AND old_id IN ({marks})",
            (user_id, *old_ids)).fetchall())
        return {(r[0], r[1]) for r in rows}

    async def sources(self, user_id: str) -> list[MemorySource]:
        rows = await self.db.read(lambda c: c.execute(
            "SELECT m.client_id, NULLIF(c.client_name, '') AS name, count(*) AS n FROM memories m"
            " LEFT JOIN oauth_clients c ON c.client_id = m.client_id WHERE m.user_id=? AND m.deleted_at IS NULL"
            f" AND m.document_id IS NULL AND m.client_id IS NOT NULL AND {current_sql()}"
            " GROUP BY m.client_id, c.client_name", (user_id, time.time())).fetchall())
        return sort_sources(MemorySource(r["client_id"], r["name"], int(r["n"])) for r in rows)

    def _load_matrix(self, c: sqlite3.Connection, user_id: str) -> UserMatrix | None:
        row = c.execute("SELECT mem_version FROM users WHERE id=?", (user_id,)).fetchone()
        if row is None:
            return None
        version = int(row[0])
        with self._cache_lock:
            cached = self._cache.get(user_id)
            if cached is not None and cached.version >= version:
                self._cache.move_to_end(user_id)
                return cached
        rows = c.execute(
            "SELECT seq, embedding, created_at, document_id IS NOT NULL AS chunk, client_id, tags,"
            " superseded_by IS NOT NULL AS replaced, expires_at, dates, coalesce(space_id, user_id) AS space"
            " FROM memories"
            " WHERE user_id=? AND deleted_at IS NULL AND embedding IS NOT NULL ORDER BY seq", (user_id,)).fetchall()
        if rows:
            vectors = np.frombuffer(b"".join(r["embedding"] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        else:
            vectors = np.zeros((0, 1), dtype=np.float32)
        matrix = UserMatrix(
            version, np.array([r["seq"] for r in rows], dtype=np.int64), vectors,
            np.array([r["created_at"] for r in rows], dtype=np.float64),
            np.array([bool(r["chunk"]) for r in rows], dtype=bool), [r["client_id"] for r in rows],
            [frozenset(json.loads(r["tags"])) for r in rows], len(rows),
        )
        matrix.space_codes = np.array([matrix.space_code(r["space"]) for r in rows], dtype=np.int32)
        matrix.dated = {r["seq"]: spans for r in rows if r["dates"] and r["dates"] != "[]"
                        and (spans := date_spans(stored_dates(r["dates"])))}
        if any(r["replaced"] for r in rows):
            matrix.replaced = np.array([bool(r["replaced"]) for r in rows], dtype=bool)
        if any(r["expires_at"] is not None for r in rows):
            matrix.expires = np.array([np.inf if r["expires_at"] is None else r["expires_at"] for r in rows],
                                      dtype=np.float64)
        with self._cache_lock:
            self._cache[user_id] = matrix
            self._cache.move_to_end(user_id)
            total = sum(m.size for m in self._cache.values())
            while total > _CACHE_ROWS and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                total -= len(dropped.seqs)
        return matrix
