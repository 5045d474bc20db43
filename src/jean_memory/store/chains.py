"""A memory's versions (``MemoryStore.versions``) in one recursive query, the same SQL on both backends.

Walking a chain of replacements one query per step cost one round trip per version: a memory replaced 558 times
(the soak's synthetic notes) took its dashboard page up to 90 s under load. Here the database walks it: forward
through ``superseded_by`` to the latest version (the head), then back from the head through every memory that
replaced-by links reach (a new memory may replace several), live rows only, ``limit`` steps each way at most.
"""

from __future__ import annotations


def versions_query(
    columns: str, mark: str, user_id: str, memory_id: str, limit: int
) -> tuple[str, tuple[str | int, ...]]:
    """The query for ``columns`` of the versions, head first, then the latest replaced first, with its parameters
    (at most ``limit`` steps each way and ``limit`` rows). ``mark`` is the driver's placeholder."""
    return _sql(columns, mark), (memory_id, user_id, user_id, limit, user_id, limit, limit)


def _sql(columns: str, mark: str) -> str:
    return f"""
        WITH RECURSIVE ahead(id, superseded_by, depth) AS (
            SELECT id, superseded_by, 0 FROM memories
            WHERE id = {mark} AND user_id = {mark} AND deleted_at IS NULL
            UNION
            SELECT m.id, m.superseded_by, a.depth + 1 FROM memories m JOIN ahead a ON m.id = a.superseded_by
            WHERE m.user_id = {mark} AND m.deleted_at IS NULL AND a.depth < {mark}
        ), head(id) AS (
            SELECT id FROM ahead ORDER BY depth DESC LIMIT 1
        ), behind(id, depth) AS (
            SELECT id, 0 FROM head
            UNION
            SELECT m.id, b.depth + 1 FROM memories m JOIN behind b ON m.superseded_by = b.id
            WHERE m.user_id = {mark} AND m.deleted_at IS NULL AND b.depth < {mark}
        )
        SELECT {columns} FROM memories WHERE id IN (SELECT id FROM behind)
        ORDER BY CASE WHEN id = (SELECT id FROM head) THEN 0 ELSE 1 END, COALESCE(valid_until, 0) DESC, seq DESC
        LIMIT {mark}"""
