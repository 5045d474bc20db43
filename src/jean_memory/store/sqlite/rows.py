"""Rows of ``memories`` on SQLite: reading one, the filters as SQL, and the writes that insert, replace and flag
(shared by memories, documents and spaces), with the space activity they record in the same transaction."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from typing import Any

from ... import json_values
from ..records import Filters, Memory, NewMemory
from ..space_records import NewActivity

COLUMNS = ("seq, id, user_id, document_id, text, tags, client_id, metadata, created_at, updated_at, deleted_at,"
           " superseded_by, valid_until, expires_at, dates, replaced_value, flagged_by, occurred_at, correction,"
           " space_id, author_id")
ACTIVITY_TEXT = 200  # characters of a memory's text an activity entry keeps


def stored_json(raw: str) -> Any:
    """A JSON column as written, made readable: a row stored before today's input rules never fails a read."""
    return json_values.loads(raw)


def row_to_memory(row: sqlite3.Row) -> Memory:
    """A row as a ``Memory``; its tags and metadata made readable (``json_values.readable``) whatever was stored."""
    return Memory(
        id=row["id"], user_id=row["user_id"], text=row["text"], tags=tuple(stored_json(row["tags"])),
        client_id=row["client_id"], metadata=stored_json(row["metadata"]), created_at=row["created_at"],
        updated_at=row["updated_at"], seq=row["seq"], document_id=row["document_id"], deleted_at=row["deleted_at"],
        superseded_by=row["superseded_by"], valid_until=row["valid_until"], expires_at=row["expires_at"],
        dates=stored_dates(row["dates"]), replaced_value=row["replaced_value"],
        possibly_outdated_by=row["flagged_by"], occurred_at=row["occurred_at"], correction=bool(row["correction"]),
        space_id=row["space_id"] or row["user_id"], author_id=row["author_id"],
    )


def stored_dates(raw: str | None) -> tuple[dict[str, str], ...]:
    value = stored_json(raw) if raw else []
    return tuple(d for d in value if isinstance(d, dict)) if isinstance(value, list) else ()


def current_sql(alias: str = "m") -> str:
    """Neither replaced nor expired; one ``?`` for now."""
    return f"{alias}.superseded_by IS NULL AND ({alias}.expires_at IS NULL OR {alias}.expires_at > ?)"


def spaces_sql(spaces: Sequence[str], alias: str = "m") -> str:
    """In one of ``spaces`` (one ``?`` each; none: nothing)."""
    return f"{alias}.space_id IN ({','.join('?' * len(spaces))})" if spaces else "0"


def filter_sql(filters: Filters, alias: str = "m") -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if not filters.include_chunks:
        clauses.append(f"{alias}.document_id IS NULL")
    if not filters.include_history:
        clauses.append(current_sql(alias))
        params.append(time.time())
    if filters.spaces is not None:
        clauses.append(spaces_sql(filters.spaces, alias))
        params += filters.spaces
    if filters.since is not None:
        clauses.append(f"{alias}.created_at >= ?")
        params.append(filters.since)
    if filters.until is not None:
        clauses.append(f"{alias}.created_at < ?")
        params.append(filters.until)
    if filters.client_id is not None:
        clauses.append(f"{alias}.client_id = ?")
        params.append(filters.client_id)
    days = filters.when_days()
    if filters.when is not None and days is not None:
        clauses.append(f"(({alias}.created_at >= ? AND {alias}.created_at < ?) OR EXISTS (SELECT 1 FROM"
                       f" json_each({alias}.dates) WHERE json_extract(value, '$.start') <= ?"
                       " AND json_extract(value, '$.end') >= ?))")
        params += [*filters.when, days[1], days[0]]
    for tag in filters.tags:
        clauses.append(f"EXISTS (SELECT 1 FROM json_each({alias}.tags) WHERE value = ?)")
        params.append(tag)
    return "".join(f" AND {c}" for c in clauses), params


def bump(c: sqlite3.Connection, user_id: str) -> None:
    c.execute("UPDATE users SET mem_version = mem_version + 1 WHERE id=?", (user_id,))


def insert_rows(c: sqlite3.Connection, user_id: str, items: Sequence[NewMemory]) -> list[Memory]:
    """Insert the rows (no activity: see ``added``); each in its ``space_id``, or the user's personal space."""
    now = time.time()
    out: list[Memory] = []
    for item in items:
        created = item.created_at or now
        updated = item.updated_at or created
        mid = item.id or str(uuid.uuid4())
        dates = [dict(d) for d in item.dates]
        space = item.space_id or user_id
        cur = c.execute(
            "INSERT INTO memories(id, user_id, document_id, text, key, tags, client_id, metadata, embedding,"
            " created_at, updated_at, superseded_by, valid_until, expires_at, dates, replaced_value, flagged_by,"
            " occurred_at, correction, space_id, author_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (mid, user_id, item.document_id, item.text, item.key, json.dumps(list(item.tags)), item.client_id,
             json.dumps(dict(item.metadata)), item.embedding, created, updated, item.superseded_by,
             item.valid_until, item.expires_at, json.dumps(dates), item.replaced_value, item.possibly_outdated_by,
             item.occurred_at, int(item.correction), space, item.author_id),
        )
        out.append(Memory(mid, user_id, item.text, tuple(item.tags), item.client_id, dict(item.metadata), created,
                          updated, int(cur.lastrowid or 0), item.document_id, None, item.superseded_by,
                          item.valid_until, item.expires_at, tuple(dates), item.replaced_value,
                          item.possibly_outdated_by, item.occurred_at, item.correction, space, item.author_id))
    bump(c, user_id)
    return out


def added(user_id: str, stored: Sequence[Memory]) -> list[NewActivity]:
    """An "add" entry per inserted memory (document chunks left out), by its author or else the owner."""
    return [NewActivity(m.space_id, m.author_id or user_id, m.client_id, "add", m.id, m.text[:ACTIVITY_TEXT])
            for m in stored if m.document_id is None]


def record(c: sqlite3.Connection, entries: Sequence[NewActivity]) -> None:
    now = time.time()
    c.executemany(
        "INSERT INTO space_activity(space_id, actor_id, client_id, action, memory_id, text, at)"
        " SELECT ?,?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM spaces WHERE id=?)",  # a space deleted meanwhile: none
        [(e.space_id, e.actor_id, e.client_id, e.action, e.memory_id, e.text[:ACTIVITY_TEXT], now, e.space_id)
         for e in entries])


_REPLACE = ("UPDATE memories SET superseded_by=?, valid_until=?, replaced_value=?, flagged_by=NULL WHERE user_id=?"
            " AND id=? AND space_id=? AND superseded_by IS NULL AND deleted_at IS NULL AND document_id IS NULL"
            " AND id <> ? RETURNING seq")
_FLAG = ("UPDATE memories SET flagged_by=? WHERE user_id=? AND id=? AND space_id=? AND superseded_by IS NULL"
         " AND deleted_at IS NULL AND document_id IS NULL AND id <> ?")


def replace_rows(
    c: sqlite3.Connection, user_id: str, stored: Sequence[Memory], items: Sequence[NewMemory]
) -> list[int]:
    """Mark the memories each new one replaces (those still current, of its own space); their seqs."""
    seqs: list[int] = []
    for memory, item in zip(stored, items, strict=True):
        for r in item.replaces:
            seqs += [int(row[0]) for row in c.execute(
                _REPLACE, (memory.id, memory.created_at, r.old_value, user_id, r.old_id, memory.space_id,
                           memory.id)).fetchall()]
        for old_id in item.flags:
            c.execute(_FLAG, (memory.id, user_id, old_id, memory.space_id, memory.id))
    return seqs
