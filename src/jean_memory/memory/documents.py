"""Documents: stored whole, searched as chunks (memories that point at their document). Part of ``MemoryService``."""

from __future__ import annotations

import builtins
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..embeddings import Embedder
from ..errors import NotFound
from ..store import Stores
from ..store.records import Document, DocumentHeader, NewMemory
from . import validation as v
from .chunking import chunk_text
from .rows import MAX_SEQ, vec_bytes
from .text import dedup_key


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document's fields, validated and cleaned, before it is chunked, embedded and stored."""

    title: str
    content: str
    document_type: str
    source_url: str | None
    metadata: dict[str, Any]


class DocumentsMixin:
    stores: Stores
    embedder: Embedder
    limits: v.Limits

    async def store_document(
        self, user_id: str, title: object, content: object, document_type: object = None,
        source_url: object = None, client_id: str | None = None, metadata: object = None,
        created_at: float | None = None,
    ) -> Document:
        fields = self._document_fields(title, content, document_type, source_url, metadata)
        return await self._insert_document(user_id, fields, client_id, created_at)

    def _document_fields(self, title: object, content: object, document_type: object, source_url: object,
                         metadata: object) -> NewDocument:
        return NewDocument(
            v.title_field(title), v.text_field(content, "content", self.limits.document_bytes),
            v.text_field(document_type, "document_type", 64) if document_type is not None else "text",
            v.text_field(source_url, "source_url", 2048) if source_url is not None else None,
            v.metadata_field(metadata))

    async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                               created_at: float | None) -> Document:
        now = time.time()
        doc = Document(str(uuid.uuid4()), user_id, fields.title, fields.content, fields.document_type,
                       fields.source_url, client_id, fields.metadata, created_at or now, created_at or now)
        pieces = chunk_text(doc.content)
        vectors = await self.embedder.embed([f"{doc.title}\n{p}" for p in pieces])
        chunks = [
            NewMemory(p, dedup_key(p), vec_bytes(vec), (), client_id, {"title": doc.title, "chunk": i},
                      document_id=doc.id, created_at=doc.created_at)
            for i, (p, vec) in enumerate(zip(pieces, vectors, strict=True))
        ]
        return await self.stores.documents.insert_document(doc, chunks)

    async def get_document(self, user_id: str, document_id: object) -> Document:
        did = v.id_field(document_id)
        doc = await self.stores.documents.get_document(user_id, did)
        if doc is None:
            raise NotFound(f"no document with id {did}")
        return doc

    async def document_headers(self, user_id: str, ids: Sequence[str]) -> dict[str, DocumentHeader]:
        """Id, title and source url of the user's documents among ``ids``, without their content."""
        return await self.stores.documents.document_headers(user_id, list(dict.fromkeys(ids)))

    async def list_documents(self, user_id: str, limit: int = 50, offset: int = 0) -> builtins.list[Document]:
        """Newest first; ``limit`` is clamped to 1..200 and ``offset`` to 0..2**63-1 (past the end: an empty list)."""
        return await self.stores.documents.list_documents(user_id, max(1, min(limit, 200)),
                                                          max(0, min(offset, MAX_SEQ)))

    async def delete_document(self, user_id: str, document_id: object) -> None:
        did = v.id_field(document_id)
        if not await self.stores.documents.delete_document(user_id, did):
            raise NotFound(f"no document with id {did}")
