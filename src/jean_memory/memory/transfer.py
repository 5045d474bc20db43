"""Export and import: every memory (replaced versions with their links) and document as JSON lines, and back.
Part of ``MemoryService``."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import json_values
from ..embeddings import Embedder
from ..errors import InvalidInput
from ..store import Stores
from ..store.records import Filters, Memory, NewMemory
from . import validation as v
from .documents import NewDocument
from .rows import vec_bytes
from .text import dedup_key

if TYPE_CHECKING:
    from .service import AddResult


def _dates(value: object) -> tuple[dict[str, str], ...]:
    """An exported ``dates`` list, keeping only well-formed entries."""
    if not isinstance(value, list):
        return ()
    return tuple({k: str(d[k])[:100] for k in ("phrase", "start", "end")} for d in value[:50]
                 if isinstance(d, dict) and all(isinstance(d.get(k), str) for k in ("phrase", "start", "end")))


class TransferMixin:
    stores: Stores
    embedder: Embedder
    limits: v.Limits

    if TYPE_CHECKING:
        async def add(
            self, user_id: str, text: object, tags: object = None, client_id: str | None = None,
            metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
            expires: object = None, infer_expiry: bool = False, judge: bool = True,
        ) -> list[AddResult]: ...

        async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                                   created_at: float | None) -> Any: ...

        def _document_fields(self, title: object, content: object, document_type: object, source_url: object,
                             metadata: object) -> NewDocument: ...

    async def export(self, user_id: str) -> AsyncIterator[dict[str, Any]]:
        """Every live memory (oldest first; replaced and expired ones too, with their links) and document, as
        JSON-ready dicts."""
        before: int | None = None
        pages: list[list[Memory]] = []
        while True:
            batch = await self.stores.memories.page(user_id, 500, before, Filters(include_history=True))
            if not batch:
                break
            pages.append(batch)
            before = batch[-1].seq
        for batch in reversed(pages):
            for m in reversed(batch):
                yield {"type": "memory", "id": m.id, "text": m.text, "tags": list(m.tags), "client_id": m.client_id,
                       "metadata": dict(m.metadata), "created_at": m.created_at, "updated_at": m.updated_at,
                       "superseded_by": m.superseded_by, "valid_until": m.valid_until, "expires_at": m.expires_at,
                       "dates": [dict(d) for d in m.dates], "replaced_value": m.replaced_value}
        offset = 0
        while True:
            docs = await self.stores.documents.list_documents(user_id, 100, offset)
            if not docs:
                break
            offset += len(docs)
            for d in docs:
                yield {"type": "document", "id": d.id, "title": d.title, "content": d.content,
                       "document_type": d.document_type, "source_url": d.source_url, "client_id": d.client_id,
                       "metadata": dict(d.metadata), "created_at": d.created_at}

    async def export_lines(self, user_id: str) -> AsyncIterator[str]:
        """``export`` as JSON lines, each ending in a newline and always encodable as UTF-8 (the file format of
        the dashboard's Export and ``jean-memory export``). A value no write accepts today, stored before,
        comes out repaired as ``json_values.readable`` says rather than ending the file early."""
        async for record in self.export(user_id):
            yield json.dumps(json_values.readable(record, json_values.MAX_DEPTH + 1), ensure_ascii=False) + "\n"

    async def import_records(self, user_id: str, records: Iterable[Mapping[str, Any]],
                             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Import what ``export`` wrote. Ids are new; text, tags, client, metadata, times, expiry and the links
        between versions (``superseded_by``, mapped to the new ids) are kept. A memory or a document the user
        already has (same words; same title and content; a replaced version the same memory already has) is
        skipped and counted, so importing one file twice adds nothing the second time. A file written before
        versions were kept (no ``superseded_by`` field) is judged like new memories: later facts replace earlier
        ones. ``progress(done, total)`` is called after each record (the CLI draws a bar with it)."""
        counts = {"memories": 0, "duplicates": 0, "documents": 0, "duplicate_documents": 0}
        records = list(records)
        # Check everything first (a bad line imports nothing); documents come back validated, for use as they are.
        documents = [self._check_record(n, record) for n, record in enumerate(records, 1)]
        ids: dict[str, str] = {}  # exported id -> id here
        replaced: list[Mapping[str, Any]] = []

        def step() -> None:
            if progress is not None:
                progress(sum(counts.values()), len(records))

        for record, document in zip(records, documents, strict=True):
            kind = record.get("type")
            if kind == "memory":
                if record.get("superseded_by"):  # a replaced version: once the memory that replaced it is here
                    replaced.append(record)
                    continue
                await self._import_memory(user_id, record, ids, counts, judge="superseded_by" not in record)
            elif document is not None:
                if await self.stores.documents.find_document(user_id, document.title, document.content) is not None:
                    counts["duplicate_documents"] += 1
                else:
                    await self._insert_document(user_id, document, record.get("client_id"),
                                                v.time_field(record.get("created_at"), "created_at"))
                    counts["documents"] += 1
            step()
        while replaced:
            ready = [r for r in replaced if str(r["superseded_by"]) in ids]
            if not ready:  # replaced by memories not in the file: kept, as current memories
                for record in replaced:
                    await self._import_memory(user_id, record, ids, counts, judge=False)
                    step()
                break
            replaced = [r for r in replaced if str(r["superseded_by"]) not in ids]
            for record in ready:
                await self._import_version(user_id, record, ids[str(record["superseded_by"])], ids, counts)
                step()
        return counts

    async def _import_memory(self, user_id: str, record: Mapping[str, Any], ids: dict[str, str],
                             counts: dict[str, int], judge: bool) -> None:
        created = v.time_field(record.get("created_at"), "created_at")
        updated = v.time_field(record.get("updated_at"), "updated_at")
        result = await self.add(user_id, record.get("text"), record.get("tags"), record.get("client_id"),
                                record.get("metadata"), created, updated, record.get("expires_at"), judge=judge)
        counts["memories" if result[0].created else "duplicates"] += 1
        if isinstance(record.get("id"), str):
            ids[record["id"]] = result[0].memory.id

    async def _import_version(self, user_id: str, record: Mapping[str, Any], newer: str, ids: dict[str, str],
                              counts: dict[str, int]) -> None:
        """A replaced version, linked to ``newer`` (its replacement, already imported)."""
        text = v.text_field(record.get("text"), "memory text", self.limits.memory_bytes)
        key = dedup_key(text)
        same = [m for m in await self.stores.memories.predecessors(user_id, [newer]) if dedup_key(m.text) == key]
        if same:
            counts["duplicates"] += 1
            memory = same[0]
        else:
            vector = (await self.embedder.embed([text]))[0]
            created = v.time_field(record.get("created_at"), "created_at")
            value = record.get("replaced_value")
            [memory] = await self.stores.memories.insert(user_id, [NewMemory(
                text, key, vec_bytes(vector), v.tags_field(record.get("tags")), record.get("client_id"),
                v.metadata_field(record.get("metadata")), created_at=created,
                updated_at=v.time_field(record.get("updated_at"), "updated_at"),
                expires_at=v.time_field(record.get("expires_at"), "expires_at"),
                dates=_dates(record.get("dates")), superseded_by=newer,
                valid_until=v.time_field(record.get("valid_until"), "valid_until") or created or time.time(),
                replaced_value=value[:200] if isinstance(value, str) and value else None)])
            counts["memories"] += 1
        if isinstance(record.get("id"), str):
            ids[record["id"]] = memory.id

    def _check_record(self, n: int, record: object) -> NewDocument | None:
        """Raise for a record that cannot be imported; a document's validated fields, None for a memory."""
        try:
            if not isinstance(record, Mapping):
                raise InvalidInput("not a JSON object")
            if record.get("type") == "memory":
                v.texts_field(record.get("text"), self.limits)
                v.tags_field(record.get("tags"))
                v.metadata_field(record.get("metadata"))
                v.time_field(record.get("created_at"), "created_at")
                v.time_field(record.get("updated_at"), "updated_at")
                for name in ("valid_until", "expires_at"):
                    v.time_field(record.get(name), name)
                for name in ("id", "superseded_by", "replaced_value"):
                    if record.get(name) is not None and not isinstance(record.get(name), str):
                        raise InvalidInput(f"{name} must be a string or null")
                if record.get("superseded_by") is not None:
                    v.text_field(record.get("text"), "memory text", self.limits.memory_bytes)
            elif record.get("type") == "document":
                v.time_field(record.get("created_at"), "created_at")
                return self._document_fields(record.get("title"), record.get("content"),
                                             record.get("document_type"), record.get("source_url"),
                                             record.get("metadata"))
            else:
                raise InvalidInput("type must be 'memory' or 'document'")
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}; nothing was imported") from exc
        return None
