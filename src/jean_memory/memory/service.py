"""The memory service: add, search, list, get, update, delete, documents, export and import.

Everything a transport (REST, MCP, dashboard, CLI) does to memories goes through here; it knows no HTTP.
Duplicates: an exact duplicate has the same words in the same order (ignoring case, punctuation and
spacing); a near duplicate has embedding cosine >= ``NEAR_DUPLICATE`` (0.97) to a live memory *and*
the same numbers and negations (so "I like tea" never swallows "I don't like tea", nor "room 12" "room 21").

Time in a question (``timeparse.question_range``): the phrase ("last week", "in May 2023") is taken out of the
words searched for and embedded, so "last week" does not match every memory that says "week". A question that
is about nothing but the time ("what did I do last week", "what happened yesterday") and names a past stretch is
answered from the memories saved in it (``Filters.since``/``until``, within the caller's own), the most like the
question first. Any other question with a time phrase is searched as usual and the candidates saved in the
stretch gain ``FusionWeights.time`` (``fusion.time_boost``). Times are UTC.
"""

from __future__ import annotations

import base64
import builtins
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .. import json_values
from ..embeddings import Embedder, SyncEmbedder
from ..errors import Conflict, InvalidInput, NotFound
from ..store import Stores
from ..store.records import Document, DocumentHeader, Filters, HybridQuery, Memory, MemorySource, NewMemory, Scored
from . import validation as v
from .chunking import chunk_text
from .fusion import FusionWeights, context_boost, fuse, time_boost
from .text import STOP_WORDS, dedup_key, facts_signature, query_terms, words
from .timeparse import question_range

NEAR_DUPLICATE = 0.97
CANDIDATES = 100
MAX_SEQ = 2**63 - 1  # the largest row number and offset both databases take (a signed 64-bit integer)
# Words that, beside a time phrase and stop words, still leave a question about nothing but the time.
_ONLY_TIME = frozenset(
    "do did done doing does happen happened happening up plans plan planned anything everything something things"
    " thing say said talk talked tell remember saved save added note notes memories memory new news".split())


@dataclass(frozen=True, slots=True)
class AddResult:
    memory: Memory
    created: bool


@dataclass(frozen=True, slots=True)
class SearchResult:
    memory: Memory
    score: float


@dataclass(frozen=True, slots=True)
class _NewDocument:
    """A document's fields, validated and cleaned, before it is chunked, embedded and stored."""

    title: str
    content: str
    document_type: str
    source_url: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Memory]
    next_cursor: str | None


def _vec_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"m{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: object) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > 40:
        raise InvalidInput("cursor is not one this server gave out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("m") or not raw[1:].isdigit():
            raise ValueError
        seq = int(raw[1:])
    except ValueError as exc:
        raise InvalidInput("cursor is not one this server gave out") from exc
    if seq > MAX_SEQ:  # no row has it, and the database could not compare with it
        raise InvalidInput("cursor is not one this server gave out")
    return seq


class MemoryService:
    def __init__(
        self, stores: Stores, embedder: Embedder, limits: v.Limits | None = None, weights: FusionWeights | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.stores = stores
        self.embedder = embedder
        self.limits = limits or v.Limits()
        self.weights = weights or FusionWeights()
        self.clock = clock  # "now" for time words in questions

    # -- writing ---------------------------------------------------------------------------------------

    async def add(
        self, user_id: str, text: object, tags: object = None, client_id: str | None = None,
        metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
    ) -> list[AddResult]:
        """Add one or many memories; duplicates are not stored again, their existing memory is returned."""
        try:
            return await self._add(user_id, text, tags, client_id, metadata, created_at, updated_at)
        except Conflict:  # a concurrent add stored one of these texts between our check and our insert
            return await self._add(user_id, text, tags, client_id, metadata, created_at, updated_at)

    async def _add(
        self, user_id: str, text: object, tags: object, client_id: str | None, metadata: object,
        created_at: float | None, updated_at: float | None,
    ) -> list[AddResult]:
        texts = v.texts_field(text, self.limits)
        tag_tuple = v.tags_field(tags)
        meta = v.metadata_field(metadata)
        keys = [dedup_key(t) for t in texts]
        existing = await self.stores.memories.find_by_keys(user_id, list(set(keys)))
        vectors = await self.embedder.embed(texts)
        results: list[AddResult | None] = [None] * len(texts)
        fresh: list[tuple[int, NewMemory]] = []
        batch_seen: dict[str, int] = {}
        for i, (t, key) in enumerate(zip(texts, keys, strict=True)):
            if key in existing:
                results[i] = AddResult(existing[key], False)
                continue
            if key in batch_seen:
                continue
            near = await self._near_duplicate(user_id, t, vectors[i])
            if near is not None:
                results[i] = AddResult(near, False)
                continue
            batch_seen[key] = i
            fresh.append((i, NewMemory(t, key, _vec_bytes(vectors[i]), tag_tuple, client_id, meta,
                                       created_at=created_at, updated_at=updated_at)))
        if fresh:
            stored = await self.stores.memories.insert(user_id, [item for _, item in fresh])
            for (i, _), memory in zip(fresh, stored, strict=True):
                results[i] = AddResult(memory, True)
        for i, key in enumerate(keys):
            if results[i] is None:
                first = results[batch_seen[key]]
                assert first is not None
                results[i] = AddResult(first.memory, False)
        return [r for r in results if r is not None]

    async def _near_duplicate(self, user_id: str, text: str, vector: np.ndarray) -> Memory | None:
        hits = await self.stores.memories.dense(user_id, vector, 3, Filters())
        candidates = [h for h in hits if h.score >= NEAR_DUPLICATE]
        if not candidates:
            return None
        signature = facts_signature(text)
        for memory in await self.stores.memories.get_by_seq(user_id, [h.seq for h in candidates]):
            if facts_signature(memory.text) == signature:
                return memory
        return None

    async def update(self, user_id: str, memory_id: object, text: object = None, tags: object = None,
                     metadata: object = None) -> Memory:
        """Change a memory's text, tags or metadata (what is given; tags and metadata replace the old ones)."""
        mid = self._id(memory_id)
        if text is None and tags is None and metadata is None:
            raise InvalidInput("give the new text, tags or metadata of the memory")
        tag_tuple = v.tags_field(tags) if tags is not None else None
        meta = v.metadata_field(metadata) if metadata is not None else None
        new_text = key = embedding = None
        if text is not None:
            new_text = v.text_field(text, "memory text", self.limits.memory_bytes)
            key = dedup_key(new_text)
            same = (await self.stores.memories.find_by_keys(user_id, [key])).get(key)
            if same is not None and same.id != mid:
                raise Conflict(f"memory {same.id} already says this; change the text or delete one of the two")
            embedding = _vec_bytes((await self.embedder.embed([new_text]))[0])
        memory = await self.stores.memories.update(user_id, mid, new_text, key, embedding, tag_tuple, meta)
        if memory is None:
            raise NotFound(f"no memory with id {mid}")
        return memory

    async def delete(self, user_id: str, memory_ids: object) -> int:
        if isinstance(memory_ids, str):
            memory_ids = [memory_ids]
        if not isinstance(memory_ids, Sequence) or not memory_ids:
            raise InvalidInput("memory_ids must be a non-empty list of memory ids")
        if len(memory_ids) > 1000:
            raise InvalidInput("at most 1000 ids per call")
        ids = [self._id(m) for m in memory_ids]
        return await self.stores.memories.delete(user_id, ids)

    async def delete_all(self, user_id: str) -> int:
        return await self.stores.memories.delete(user_id, None)

    # -- reading ---------------------------------------------------------------------------------------

    async def get(self, user_id: str, memory_id: object) -> Memory:
        mid = self._id(memory_id)
        found = await self.stores.memories.get(user_id, [mid])
        if not found:
            raise NotFound(f"no memory with id {mid}")
        return found[0]

    async def search(
        self, user_id: str, query: object, limit: object = None, tags: object = None, since: object = None,
        until: object = None, include_documents: bool = False, client_id: str | None = None,
    ) -> list[SearchResult]:
        q = v.query_field(query)
        n = v.limit_field(limit, 10, 100)
        filters = Filters(v.tags_field(tags), v.time_field(since, "since"), v.time_field(until, "until"),
                          client_id, include_documents)
        weights = self.weights
        now = self.clock()
        asked = question_range(q, datetime.fromtimestamp(now, UTC))
        rest = _without(q, asked.phrase) if asked is not None else q
        text = rest if words(rest) else q  # a question that is only "yesterday" is still embedded as written
        window = (asked.start.timestamp(), asked.end.timestamp()) if asked is not None else None
        only_time = window is not None and window[0] <= now and all(
            w in STOP_WORDS or w in _ONLY_TIME for w in words(rest))

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            created = {s.seq: s.created_at for s in (*lexical, *dense) if s.created_at is not None}
            ranked = context_boost(fuse(lexical, dense, weights), created, weights)
            if window is not None:
                ranked = time_boost(ranked, created, window, weights, _dated((*lexical, *dense)))
            return ranked

        def rank_in_window(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            # Every memory of the stretch answers the question: no floor, the most like it first.
            return [Scored(s.seq, max(0.0, s.score), s.created_at) for s in dense if s.created_at is not None]

        if isinstance(self.embedder, SyncEmbedder):
            embed_sync = self.embedder.embed_sync

            def vector() -> np.ndarray:
                row: np.ndarray = embed_sync([text])[0]
                return row
        else:  # a remote embedder: ask it here, hand the store the answer
            ready: np.ndarray = (await self.embedder.embed([text]))[0]

            def vector() -> np.ndarray:
                return ready

        if only_time and window is not None:
            in_window = replace(filters, since=window[0] if since is None else max(window[0], filters.since or 0.0),
                                until=window[1] if until is None else min(window[1], filters.until or 0.0))
            query = HybridQuery((), vector, max(CANDIDATES, n * 2), n, in_window, rank_in_window)
        else:
            # Stop words alone left beside a time phrase ("who did I see | this morning") match everything.
            terms = query_terms(text) if text == q or any(w not in STOP_WORDS for w in words(text)) else []
            query = HybridQuery(tuple(terms), vector, max(CANDIDATES, n * 2), n, filters, rank)
        return [SearchResult(m, score) for m, score in await self.stores.memories.hybrid(user_id, query)]

    async def list(
        self, user_id: str, limit: object = None, cursor: object = None, tags: object = None,
        client_id: str | None = None,
    ) -> Page:
        n = v.limit_field(limit, 20, 200)
        before = decode_cursor(cursor)
        filters = Filters(v.tags_field(tags), client_id=client_id)
        items = await self.stores.memories.page(user_id, n + 1, before, filters)
        more = len(items) > n
        items = items[:n]
        return Page(items, encode_cursor(items[-1].seq) if more and items else None)

    async def count(self, user_id: str) -> int:
        return await self.stores.memories.count(user_id)

    async def sources(self, user_id: str) -> builtins.list[MemorySource]:
        """The apps the user's memories came from (for filtering by app)."""
        return await self.stores.memories.sources(user_id)

    # -- documents -------------------------------------------------------------------------------------

    async def store_document(
        self, user_id: str, title: object, content: object, document_type: object = None,
        source_url: object = None, client_id: str | None = None, metadata: object = None,
        created_at: float | None = None,
    ) -> Document:
        fields = self._document_fields(title, content, document_type, source_url, metadata)
        return await self._insert_document(user_id, fields, client_id, created_at)

    def _document_fields(self, title: object, content: object, document_type: object, source_url: object,
                         metadata: object) -> _NewDocument:
        return _NewDocument(
            v.title_field(title), v.text_field(content, "content", self.limits.document_bytes),
            v.text_field(document_type, "document_type", 64) if document_type is not None else "text",
            v.text_field(source_url, "source_url", 2048) if source_url is not None else None,
            v.metadata_field(metadata))

    async def _insert_document(self, user_id: str, fields: _NewDocument, client_id: str | None,
                               created_at: float | None) -> Document:
        now = time.time()
        doc = Document(str(uuid.uuid4()), user_id, fields.title, fields.content, fields.document_type,
                       fields.source_url, client_id, fields.metadata, created_at or now, created_at or now)
        pieces = chunk_text(doc.content)
        vectors = await self.embedder.embed([f"{doc.title}\n{p}" for p in pieces])
        chunks = [
            NewMemory(p, dedup_key(p), _vec_bytes(vec), (), client_id, {"title": doc.title, "chunk": i},
                      document_id=doc.id, created_at=doc.created_at)
            for i, (p, vec) in enumerate(zip(pieces, vectors, strict=True))
        ]
        return await self.stores.documents.insert_document(doc, chunks)

    async def get_document(self, user_id: str, document_id: object) -> Document:
        did = self._id(document_id)
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
        did = self._id(document_id)
        if not await self.stores.documents.delete_document(user_id, did):
            raise NotFound(f"no document with id {did}")

    # -- export / import -------------------------------------------------------------------------------

    async def export(self, user_id: str) -> AsyncIterator[dict[str, Any]]:
        """Every live memory (oldest first) and document, as JSON-ready dicts."""
        before: int | None = None
        pages: list[list[Memory]] = []
        while True:
            batch = await self.stores.memories.page(user_id, 500, before, Filters())
            if not batch:
                break
            pages.append(batch)
            before = batch[-1].seq
        for batch in reversed(pages):
            for m in reversed(batch):
                yield {"type": "memory", "id": m.id, "text": m.text, "tags": list(m.tags), "client_id": m.client_id,
                       "metadata": dict(m.metadata), "created_at": m.created_at, "updated_at": m.updated_at}
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
        """Import what ``export`` wrote. Ids are new; text, tags, client, metadata and times are kept. A memory or a
        document the user already has (same words; same title and content) is skipped and counted, so importing
        one file twice adds nothing the second time. ``progress(done, total)`` is called after each record (the CLI
        draws a bar with it)."""
        counts = {"memories": 0, "duplicates": 0, "documents": 0, "duplicate_documents": 0}
        records = list(records)
        # Check everything first (a bad line imports nothing); documents come back validated, for use as they are.
        documents = [self._check_record(n, record) for n, record in enumerate(records, 1)]
        for record, document in zip(records, documents, strict=True):
            kind = record.get("type")
            if kind == "memory":
                created = v.time_field(record.get("created_at"), "created_at")
                updated = v.time_field(record.get("updated_at"), "updated_at")
                result = await self.add(user_id, record.get("text"), record.get("tags"), record.get("client_id"),
                                        record.get("metadata"), created, updated)
                counts["memories" if result[0].created else "duplicates"] += 1
            elif document is not None:
                if await self.stores.documents.find_document(user_id, document.title, document.content) is not None:
                    counts["duplicate_documents"] += 1
                else:
                    await self._insert_document(user_id, document, record.get("client_id"),
                                                v.time_field(record.get("created_at"), "created_at"))
                    counts["documents"] += 1
            if progress is not None:
                progress(sum(counts.values()), len(records))
        return counts

    def _check_record(self, n: int, record: object) -> _NewDocument | None:
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

    @staticmethod
    def _id(value: object) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise InvalidInput("ids are strings like 1b4e28ba-2fa1-11d2-883f-0016d3cca427")
        return value.strip()


def _without(question: str, phrase: str) -> str:
    """The question with the time phrase taken out."""
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    return " ".join(re.sub(pattern, " ", question, count=1, flags=re.IGNORECASE).split())


def _dated(candidates: Sequence[Scored]) -> Mapping[int, Sequence[tuple[float, float]]] | None:
    """HOOK for resolved dates: seq -> the [start, end) epoch spans of each candidate's ``Memory.dates``.

    None until the stores hand ranking the dates they keep (as they hand it ``Scored.created_at``); then a memory
    saved in March that says "on the 14th" of April also answers "what happened in April" (``fusion.time_boost``)."""
    return None
