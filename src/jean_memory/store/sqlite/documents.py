"""Documents on SQLite; their chunks are rows of ``memories`` with ``document_id`` set."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from ..records import Document, DocumentHeader, NewMemory
from .db import SqliteDatabase
from .rows import bump, insert_rows, spaces_sql, stored_json


def _doc(row: sqlite3.Row) -> Document:
    return Document(
        row["id"], row["user_id"], row["title"], row["content"], row["document_type"], row["source_url"],
        row["client_id"], stored_json(row["metadata"]), row["created_at"], row["updated_at"],
        row["space_id"] or row["user_id"],
    )


class SqliteDocumentStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def insert_document(self, doc: Document, chunks: Sequence[NewMemory]) -> Document:
        doc = replace(doc, space_id=doc.space_id or doc.user_id)

        def run(c: sqlite3.Connection) -> Document:
            c.execute(
                "INSERT INTO documents(id, user_id, title, content, document_type, source_url, client_id, metadata,"
                " created_at, updated_at, space_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc.id, doc.user_id, doc.title, doc.content, doc.document_type, doc.source_url, doc.client_id,
                 json.dumps(dict(doc.metadata)), doc.created_at, doc.updated_at, doc.space_id),
            )
            insert_rows(c, doc.user_id, [replace(chunk, space_id=doc.space_id) for chunk in chunks])
            return doc

        return await self.db.write(run)

    async def get_document(self, user_id: str, document_id: str) -> Document | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT * FROM documents WHERE id=? AND user_id=?", (document_id, user_id)).fetchone())
        return _doc(row) if row else None

    async def get_document_in_spaces(self, spaces: Sequence[str], document_id: str) -> Document | None:
        if not spaces:
            return None
        row = await self.db.read(lambda c: c.execute(
            f"SELECT * FROM documents m WHERE m.id=? AND {spaces_sql(spaces)}", (document_id, *spaces)).fetchone())
        return _doc(row) if row else None

    async def list_documents(self, user_id: str, limit: int, offset: int, spaces: Sequence[str] | None = None
                             ) -> list[Document]:
        where = "" if spaces is None else f" AND {spaces_sql(spaces)}"
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT * FROM documents m WHERE m.user_id=?{where} ORDER BY m.created_at DESC, m.id LIMIT ? OFFSET ?",
            (user_id, *(spaces or ()), limit, offset)).fetchall())
        return [_doc(r) for r in rows]

    async def find_document(self, user_id: str, title: str, content: str, space_id: str | None = None
                            ) -> str | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT id FROM documents WHERE user_id=? AND COALESCE(space_id, user_id)=? AND title=?"
            " AND length(content)=? AND content=? LIMIT 1",
            (user_id, space_id or user_id, title, len(content), content)).fetchone())
        return str(row[0]) if row else None

    async def document_headers(self, user_id: str, ids: Sequence[str]) -> dict[str, DocumentHeader]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self.db.read(lambda c: c.execute(
            f"SELECT id, title, source_url FROM documents WHERE user_id=? AND id IN ({marks})",
            (user_id, *ids)).fetchall())
        return {r["id"]: DocumentHeader(r["id"], r["title"], r["source_url"]) for r in rows}

    async def delete_document(self, user_id: str, document_id: str) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            c.execute("DELETE FROM memories WHERE document_id=? AND user_id=?", (document_id, user_id))
            cur = c.execute("DELETE FROM documents WHERE id=? AND user_id=?", (document_id, user_id))
            if cur.rowcount:
                bump(c, user_id)
            return cur.rowcount > 0

        return await self.db.write(run)
