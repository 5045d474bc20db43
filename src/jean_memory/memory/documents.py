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
from .scope import Target, Who, read_parts, write_target
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
        self, who: Who, title: object, content: object, document_type: object = None,
        source_url: object = None, client_id: str | None = None, metadata: object = None,
        created_at: float | None = None, space: object = None,
    ) -> Document:
        """Store a document (its chunks are searched alongside memories) in ``space`` (``who``'s default when None)."""
        target = write_target(who, space)
        fields = self._document_fields(title, content, document_type, source_url, metadata)
        return await self._insert_document(target.owner, fields, client_id, created_at, target)

    def _document_fields(self, title: object, content: object, document_type: object, source_url: object,
                         metadata: object) -> NewDocument:
        return NewDocument(
            v.title_field(title), v.text_field(content, "content", self.limits.document_bytes),
            v.text_field(document_type, "document_type", 64) if document_type is not None else "text",
            v.text_field(source_url, "source_url", 2048) if source_url is not None else None,
            v.metadata_field(metadata))

    async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                               created_at: float | None, target: Target | None = None) -> Document:
        now = time.time()
        space_id = target.space_id if target is not None else user_id
        author = target.author_id if target is not None else None
        doc = Document(str(uuid.uuid4()), user_id, fields.title, fields.content, fields.document_type,
                       fields.source_url, client_id, fields.metadata, created_at or now, created_at or now, space_id)
        pieces = chunk_text(doc.content)
        vectors = await self.embedder.embed([f"{doc.title}\n{p}" for p in pieces])
        chunks = [
            NewMemory(p, dedup_key(p), vec_bytes(vec), (), client_id, {"title": doc.title, "chunk": i},
                      document_id=doc.id, created_at=doc.created_at, space_id=space_id, author_id=author)
            for i, (p, vec) in enumerate(zip(pieces, vectors, strict=True))
        ]
        return await self.stores.documents.insert_document(doc, chunks)

    async def get_document(self, who: Who, document_id: object) -> Document:
        did = v.id_field(document_id)
        if isinstance(who, str):
            doc = await self.stores.documents.get_document(who, did)
        else:
            doc = await self.stores.documents.get_document_in_spaces(who.ids, did)
        if doc is None:
            raise NotFound(f"no document with id {did}")
        return doc

    async def document_headers(self, who: Who, ids: Sequence[str]) -> dict[str, DocumentHeader]:
        """Id, title and source url of the documents ``who`` reaches among ``ids``, without their content."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, DocumentHeader] = {}
        for part in read_parts(who):
            found |= await self.stores.documents.document_headers(part.owner, wanted)
        return found

    async def list_documents(self, who: Who, limit: int = 50, offset: int = 0, space: object = None
                             ) -> builtins.list[Document]:
        """Newest first; ``limit`` is clamped to 1..200 and ``offset`` to 0..2**63-1 (past the end: an empty list)."""
        n, skip = max(1, min(limit, 200)), max(0, min(offset, MAX_SEQ))
        covered = read_parts(who, space)
        if len(covered) == 1:
            return await self.stores.documents.list_documents(covered[0].owner, n, skip, covered[0].spaces)
        docs: builtins.list[Document] = []
        for part in covered:  # each partition's first offset + limit, merged
            docs += await self.stores.documents.list_documents(part.owner, n + skip, 0, part.spaces)
        return sorted(docs, key=lambda d: (-d.created_at, d.id))[skip: skip + n]

    async def delete_document(self, who: Who, document_id: object) -> None:
        did = v.id_field(document_id)
        doc = await self.get_document(who, did)
        if not isinstance(who, str):
            who.check_write(doc.space_id or doc.user_id)
        if not await self.stores.documents.delete_document(doc.user_id, did):
            raise NotFound(f"no document with id {did}")
