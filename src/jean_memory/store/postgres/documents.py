"""Documents on PostgreSQL; their chunks are rows of ``memories`` with ``document_id`` set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from ..records import Document, DocumentHeader, NewMemory
from .db import PostgresDatabase
from .memories import insert_rows


def _doc(row: DictRow) -> Document:
    return Document(
        row["id"], row["user_id"], row["title"], row["content"], row["document_type"], row["source_url"],
        row["client_id"], row["metadata"], row["created_at"], row["updated_at"], row["space_id"] or row["user_id"],
    )


class PostgresDocumentStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def insert_document(self, doc: Document, chunks: Sequence[NewMemory]) -> Document:
        doc = replace(doc, space_id=doc.space_id or doc.user_id)
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT INTO documents(id, user_id, title, content, document_type, source_url, client_id, metadata,"
                " created_at, updated_at, space_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (doc.id, doc.user_id, doc.title, doc.content, doc.document_type, doc.source_url, doc.client_id,
                 Jsonb(dict(doc.metadata)), doc.created_at, doc.updated_at, doc.space_id),
            )
            await insert_rows(conn, doc.user_id, [replace(chunk, space_id=doc.space_id) for chunk in chunks])
        return doc

    async def get_document(self, user_id: str, document_id: str) -> Document | None:
        row = await self.db.fetchone("SELECT * FROM documents WHERE id=%s AND user_id=%s", (document_id, user_id))
        return _doc(row) if row else None

    async def get_document_in_spaces(self, spaces: Sequence[str], document_id: str) -> Document | None:
        if not spaces:
            return None
        row = await self.db.fetchone("SELECT * FROM documents WHERE id=%s AND space_id = ANY(%s)",
                                     (document_id, list(spaces)))
        return _doc(row) if row else None

    async def list_documents(self, user_id: str, limit: int, offset: int, spaces: Sequence[str] | None = None
                             ) -> list[Document]:
        where = "" if spaces is None else " AND space_id = ANY(%s)"
        rows = await self.db.fetchall(
            f"SELECT * FROM documents WHERE user_id=%s{where} ORDER BY created_at DESC, id LIMIT %s OFFSET %s",
            (user_id, *(() if spaces is None else (list(spaces),)), limit, offset))
        return [_doc(r) for r in rows]

    async def find_document(self, user_id: str, title: str, content: str, space_id: str | None = None
                            ) -> str | None:
        row = await self.db.fetchone(
            "SELECT id FROM documents WHERE user_id=%s AND COALESCE(space_id, user_id)=%s AND title=%s"
            " AND length(content)=%s AND content=%s LIMIT 1",
            (user_id, space_id or user_id, title, len(content), content))
        return str(row["id"]) if row else None

    async def document_headers(self, user_id: str, ids: Sequence[str]) -> dict[str, DocumentHeader]:
        if not ids:
            return {}
        rows = await self.db.fetchall("SELECT id, title, source_url FROM documents WHERE user_id=%s AND id = ANY(%s)",
                                      (user_id, list(ids)))
        return {r["id"]: DocumentHeader(r["id"], r["title"], r["source_url"]) for r in rows}

    async def delete_document(self, user_id: str, document_id: str) -> bool:
        async with self.db.tx() as conn:
            await conn.execute("DELETE FROM memories WHERE document_id=%s AND user_id=%s", (document_id, user_id))
            cur = await conn.execute("DELETE FROM documents WHERE id=%s AND user_id=%s", (document_id, user_id))
            return cur.rowcount > 0
