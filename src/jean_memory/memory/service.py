"""The memory service: add, search, list, get, update, delete, documents, export and import.

Everything a transport (REST, MCP, dashboard, CLI) does to memories goes through here; it knows no HTTP.
Duplicates: an exact duplicate has the same words in the same order (ignoring case, punctuation and
spacing); a near duplicate has embedding cosine >= ``NEAR_DUPLICATE`` (0.97) to a current memory *and*
the same numbers and negations (so "I like tea" never swallows "I don't like tea", nor "room 12" "room 21").

Current truth: a new memory is checked against the few current memories nearest to it (lexical and dense, one
store call that also finds near duplicates); each one ``supersede.judge`` says it replaces is marked replaced by it,
in the insert's transaction. Replaced and expired memories are kept (as history) but searches and lists leave
them out unless asked (``include_history``). Changing a memory's text keeps the previous text as a replaced version.

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
import dataclasses
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
from ..store.records import (
    Document,
    DocumentHeader,
    Filters,
    HybridQuery,
    Memory,
    MemorySource,
    NewMemory,
    Replacement,
    Scored,
)
from . import supersede, timeparse
from . import validation as v
from .chunking import chunk_text
from .fusion import FusionWeights, Saved, context_boost, fuse, time_boost
from .text import STOP_WORDS, dedup_key, facts_signature, query_terms, words
from .timeparse import question_range

NEAR_DUPLICATE = 0.97
REPLACE_CANDIDATES = 5  # current memories (of each side, lexical and dense) a new one is judged against
CANDIDATE_TERMS = 8  # lexical terms of a new memory used to find them (bounds the cost of an add)
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
    replaced: tuple[Memory, ...] = ()  # the memories it replaced, as they are now (marked, ``replaced_value`` set)


@dataclass(frozen=True, slots=True)
class Change:
    """A replacement: ``old`` (replaced, ``old.valid_until`` is when) and the memory that replaced it (None when
    that one was deleted since)."""

    old: Memory
    new: Memory | None
    at: float


@dataclass(frozen=True, slots=True)
class _Fresh:
    index: int
    item: NewMemory
    replaced: tuple[Memory, ...]


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


def _dates(value: object) -> tuple[dict[str, str], ...]:
    """An exported ``dates`` list, keeping only well-formed entries."""
    if not isinstance(value, list):
        return ()
    return tuple({k: str(d[k])[:100] for k in ("phrase", "start", "end")} for d in value[:50]
                 if isinstance(d, dict) and all(isinstance(d.get(k), str) for k in ("phrase", "start", "end")))


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1].rstrip()}…"'


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
        expires: object = None, infer_expiry: bool = False, judge: bool = True,
    ) -> list[AddResult]:
        """Add one or many memories; duplicates are not stored again, their existing memory is returned.

        ``expires``: an ISO date or date and time, or a duration such as ``30d`` (``timeparse.parse_expires``), or
        UNIX seconds. ``infer_expiry``: without ``expires``, plainly temporary facts get ``timeparse.expiry_for``.
        ``judge``: check each new memory against the user's current ones and mark those it replaces.
        """
        now = time.time()
        expires_at = self._expires(expires, now)
        try:
            return await self._add(user_id, text, tags, client_id, metadata, created_at, updated_at, expires_at,
                                   infer_expiry, judge)
        except Conflict:  # a concurrent add stored one of these texts between our check and our insert
            return await self._add(user_id, text, tags, client_id, metadata, created_at, updated_at, expires_at,
                                   infer_expiry, judge)

    @staticmethod
    def _expires(value: object, now: float) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise InvalidInput("expires must be an ISO date such as 2026-12-31 or a duration such as 30d")
        if isinstance(value, int | float):
            return v.time_field(value, "expires")
        if not isinstance(value, str) or len(value) > 64:
            raise InvalidInput("expires must be an ISO date such as 2026-12-31 or a duration such as 30d")
        try:
            return timeparse.parse_expires(value, datetime.fromtimestamp(now, UTC)).timestamp()
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(str(exc)) from exc

    async def _add(
        self, user_id: str, text: object, tags: object, client_id: str | None, metadata: object,
        created_at: float | None, updated_at: float | None, expires_at: float | None, infer_expiry: bool,
        judge: bool,
    ) -> list[AddResult]:
        texts = v.texts_field(text, self.limits)
        tag_tuple = v.tags_field(tags)
        meta = v.metadata_field(metadata)
        keys = [dedup_key(t) for t in texts]
        existing = await self.stores.memories.find_by_keys(user_id, list(set(keys)))
        now = time.time()
        expired = [m.id for m in existing.values() if m.expires_at is not None and m.expires_at <= now]
        if expired:  # saying an expired fact again makes it a new memory
            await self.stores.memories.delete(user_id, expired)
            existing = {k: m for k, m in existing.items() if m.id not in expired}
        vectors = await self.embedder.embed(texts)
        saved_at = datetime.fromtimestamp(created_at or now, UTC)
        results: list[AddResult | None] = [None] * len(texts)
        fresh: list[_Fresh] = []
        batch_seen: dict[str, int] = {}
        for i, (t, key) in enumerate(zip(texts, keys, strict=True)):
            if key in existing:
                results[i] = AddResult(existing[key], False)
                continue
            if key in batch_seen:
                continue
            near, candidates, cosines = await self._neighbours(user_id, t, vectors[i])
            if near is not None:
                results[i] = AddResult(near, False)
                continue
            replaced = self._replaced(t, candidates, cosines) if judge else []
            batch_seen[key] = i
            expiry = expires_at
            if expiry is None and infer_expiry:
                inferred = timeparse.expiry_for(t, saved_at)
                expiry = inferred.timestamp() if inferred is not None else None
            dates = tuple({"phrase": d.phrase, "start": d.start.isoformat(), "end": d.end.isoformat()}
                          for d in timeparse.resolve_dates(t, saved_at))
            item = NewMemory(t, key, _vec_bytes(vectors[i]), tag_tuple, client_id, meta, created_at=created_at,
                             updated_at=updated_at, expires_at=expiry, dates=dates,
                             replaces=tuple(Replacement(m.id, value) for m, value in replaced))
            fresh.append(_Fresh(i, item, tuple(dataclasses.replace(m, replaced_value=value) for m, value in replaced)))
        if fresh:
            stored = await self.stores.memories.insert(user_id, [f.item for f in fresh])
            for f, memory in zip(fresh, stored, strict=True):
                olds = tuple(dataclasses.replace(m, superseded_by=memory.id, valid_until=memory.created_at)
                             for m in f.replaced)
                results[f.index] = AddResult(memory, True, olds)
        for i, key in enumerate(keys):
            if results[i] is None:
                first = results[batch_seen[key]]
                assert first is not None
                results[i] = AddResult(first.memory, False)
        return [r for r in results if r is not None]

    async def _neighbours(self, user_id: str, text: str, vector: np.ndarray
                          ) -> tuple[Memory | None, list[Memory], dict[int, float]]:
        """A near duplicate of ``text`` among the user's current memories (or None), the current memories nearest to
        it, lexically and densely (``REPLACE_CANDIDATES`` of each): one store call; and the embedding cosine of
        those the dense side found, by ``seq`` (both stores score dense hits by cosine)."""
        dense_hits: list[Scored] = []

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            dense_hits.extend(dense)
            return list({s.seq: s for s in (*dense, *lexical)}.values())

        query = HybridQuery(tuple(query_terms(text, CANDIDATE_TERMS)), lambda: vector, REPLACE_CANDIDATES,
                            2 * REPLACE_CANDIDATES, Filters(), rank)
        found = [m for m, _ in await self.stores.memories.hybrid(user_id, query)]
        close = {h.seq for h in dense_hits[:3] if h.score >= NEAR_DUPLICATE}
        signature = facts_signature(text) if close else None
        cosines = {h.seq: h.score for h in dense_hits}
        for memory in found:
            if memory.seq in close and facts_signature(memory.text) == signature:
                return memory, found, cosines
        return None, found, cosines

    @staticmethod
    def _replaced(text: str, candidates: Sequence[Memory], cosines: Mapping[int, float]
                  ) -> list[tuple[Memory, str | None]]:
        """The candidates ``text`` replaces, with the value each stated (when the judgment knows it). A candidate the
        dense side found is judged with its cosine (``supersede.judge``'s generic rule); one found only lexically is
        judged on its text alone."""
        out: list[tuple[Memory, str | None]] = []
        for memory in candidates:
            if memory.document_id is not None or memory.superseded_by is not None:
                continue
            judgment = supersede.judge(text, memory.text, similarity=cosines.get(memory.seq))
            if judgment.replaces:
                out.append((memory, judgment.old_value))
        return out

    async def update(self, user_id: str, memory_id: object, text: object = None, tags: object = None,
                     metadata: object = None) -> Memory:
        """Change a memory's text, tags or metadata (what is given; tags and metadata replace the old ones). The id
        stays with the memory; a changed text keeps the previous one as a replaced version (``history``)."""
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
        include_history: bool = False,
    ) -> list[SearchResult]:
        """Best matches first; current memories only unless ``include_history`` (replaced and expired ones too)."""
        q = v.query_field(query)
        n = v.limit_field(limit, 10, 100)
        filters = Filters(v.tags_field(tags), v.time_field(since, "since"), v.time_field(until, "until"),
                          client_id, include_documents, include_history is True)
        weights = self.weights
        now = self.clock()
        asked = question_range(q, datetime.fromtimestamp(now, UTC))
        rest = _without(q, asked.phrase) if asked is not None else q
        text = rest if words(rest) else q  # a question that is only "yesterday" is still embedded as written
        window = (asked.start.timestamp(), asked.end.timestamp()) if asked is not None else None
        only_time = window is not None and window[0] <= now and all(
            w in STOP_WORDS or w in _ONLY_TIME for w in words(rest))

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            saved = {s.seq: Saved(s.created_at, s.client_id) for s in (*lexical, *dense) if s.created_at is not None}
            ranked = context_boost(fuse(lexical, dense, weights), saved, weights)
            if window is not None:
                created = {seq: when.created_at for seq, when in saved.items()}
                ranked = time_boost(ranked, created, window, weights)
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
        client_id: str | None = None, include_history: bool = False,
    ) -> Page:
        """Newest first; current memories only unless ``include_history``."""
        n = v.limit_field(limit, 20, 200)
        before = decode_cursor(cursor)
        filters = Filters(v.tags_field(tags), client_id=client_id, include_history=include_history is True)
        items = await self.stores.memories.page(user_id, n + 1, before, filters)
        more = len(items) > n
        items = items[:n]
        return Page(items, encode_cursor(items[-1].seq) if more and items else None)

    async def count(self, user_id: str) -> int:
        """How many current memories the user has."""
        return await self.stores.memories.count(user_id)

    # -- history ---------------------------------------------------------------------------------------

    async def changes(self, user_id: str, limit: int = 50) -> builtins.list[Change]:
        """Recent replacements, most recent first (``limit`` clamped to 1..200)."""
        olds = await self.stores.memories.changes(user_id, max(1, min(limit, 200)))
        ids = list({m.superseded_by for m in olds if m.superseded_by is not None})
        news = {m.id: m for m in await self.stores.memories.get(user_id, ids)}
        return [Change(m, news.get(m.superseded_by or ""), m.valid_until or m.updated_at) for m in olds]

    async def undo_change(self, user_id: str, old_id: object) -> Memory:
        """Make a replaced memory current again (the one that replaced it stays current); the pair is recorded so
        it is not replaced again. The memory, now current."""
        mid = self._id(old_id)
        memory = await self.stores.memories.unlink(user_id, mid)
        if memory is None:
            raise NotFound(f"no replaced memory with id {mid}")
        return memory

    async def history(self, user_id: str, memory_id: object) -> builtins.list[Memory]:
        """The versions of a memory, newest first: from the latest memory in its chain of replacements back
        through every memory that chain replaced (the given one included)."""
        memory = await self.get(user_id, memory_id)
        seen = {memory.id}
        head = memory
        while head.superseded_by is not None and len(seen) < 1000:
            found = await self.stores.memories.get(user_id, [head.superseded_by])
            if not found or found[0].id in seen:
                break
            head = found[0]
            seen.add(head.id)
        versions, frontier = [head], [head.id]
        seen = {head.id}
        while frontier and len(versions) < 1000:
            older = [m for m in await self.stores.memories.predecessors(user_id, frontier) if m.id not in seen]
            seen.update(m.id for m in older)
            versions += older
            frontier = [m.id for m in older]
        return [head, *sorted(versions[1:], key=lambda m: (-(m.valid_until or 0.0), -m.seq))]

    async def change_notes(self, user_id: str, memories: Sequence[Memory]) -> dict[str, str]:
        """For memories that replaced another: "changed from Berlin on 2026-11-27" (the value the replaced one
        stated when known, else its text, shortened), keyed by memory id."""
        olds = await self.stores.memories.predecessors(user_id, [m.id for m in memories])
        notes: dict[str, str] = {}
        for old in olds:  # latest first: the first one seen for a memory is the one it last replaced
            if old.superseded_by is None or old.superseded_by in notes:
                continue
            value = old.replaced_value or shorten(old.text)
            when = datetime.fromtimestamp(old.valid_until or old.updated_at, UTC).date().isoformat()
            notes[old.superseded_by] = f"changed from {value} on {when}"
        return notes

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
                text, key, _vec_bytes(vector), v.tags_field(record.get("tags")), record.get("client_id"),
                v.metadata_field(record.get("metadata")), created_at=created,
                updated_at=v.time_field(record.get("updated_at"), "updated_at"),
                expires_at=v.time_field(record.get("expires_at"), "expires_at"),
                dates=_dates(record.get("dates")), superseded_by=newer,
                valid_until=v.time_field(record.get("valid_until"), "valid_until") or created or time.time(),
                replaced_value=value[:200] if isinstance(value, str) and value else None)])
            counts["memories"] += 1
        if isinstance(record.get("id"), str):
            ids[record["id"]] = memory.id

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

    @staticmethod
    def _id(value: object) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 64 or not value.isprintable():
            raise InvalidInput("ids are strings like 1b4e28ba-2fa1-11d2-883f-0016d3cca427")  # not "\ud800" either
        return value.strip()


def _without(question: str, phrase: str) -> str:
    """The question with the time phrase taken out."""
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    return " ".join(re.sub(pattern, " ", question, count=1, flags=re.IGNORECASE).split())

