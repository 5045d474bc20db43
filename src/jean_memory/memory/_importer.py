"""Writing an import file's checked lines (``_import_lines``): in chunks, in time linear in the number of lines.

Current memories go first, ``CHUNK`` at a time: one key lookup, one embedding batch and one insert per chunk. Then
the replaced versions, level by level from their replacements (a version is stored once the memory that replaced it
is, linked to it): each memory's existing versions are read and keyed once, not once per version (importing 2,000
versions of one memory read 2 million rows before). Embedding runs in the embedder's worker thread, and the resolving
of dates in one too, so other requests are served meanwhile.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread

from ..embeddings import Embedder
from ..errors import Conflict
from ..store import Stores
from ..store.records import Memory, NewMemory
from . import timeparse
from ._import_lines import DocumentLine, MemoryLine
from .documents import NewDocument
from .rows import vec_bytes
from .text import dedup_key

if TYPE_CHECKING:
    from .service import AddResult

CHUNK = 256  # memory texts per embedding batch and insert


class Service(Protocol):
    stores: Stores
    embedder: Embedder

    async def add(
        self, user_id: str, text: object, tags: object = None, client_id: str | None = None,
        metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
        expires: object = None, infer_expiry: bool = False, judge: bool = True,
    ) -> list[AddResult]: ...

    async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                               created_at: float | None) -> Any: ...


class Importer:
    def __init__(self, service: Service, user_id: str, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.service = service
        self.memories = service.stores.memories
        self.user_id = user_id
        self.total = total
        self.progress = progress
        self.done = 0
        self.counts = {"memories": 0, "duplicates": 0, "documents": 0, "duplicate_documents": 0}
        self.ids: dict[str, str] = {}  # exported id -> id here
        self.fresh: set[str] = set()  # ids of memories this import stored (no versions but the ones it stores)
        self.versions: dict[str, dict[str, str]] = {}  # memory id -> its versions' keys -> their ids

    async def run(self, lines: Sequence[MemoryLine | DocumentLine]) -> dict[str, int]:
        memories = [line for line in lines if isinstance(line, MemoryLine)]
        current = [line for line in memories if line.superseded_by is None]
        for line in (line for line in current if line.judge):  # an old file: judged like new memories, in order
            await self._judged(line)
        await self._current([line for line in current if not line.judge])
        for document in lines:
            if isinstance(document, DocumentLine):
                await self._document(document)
        await self._replaced([line for line in memories if line.superseded_by is not None],
                             {line.id for line in current if line.id is not None})
        return self.counts

    def _step(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)

    async def _judged(self, line: MemoryLine) -> None:
        results = await self.service.add(self.user_id, list(line.texts), line.tags, line.client_id, line.metadata,
                                         line.created_at, line.updated_at, line.expires_at, judge=True)
        for result in results:
            self.counts["memories" if result.created else "duplicates"] += 1
        if line.id is not None:
            self.ids[line.id] = results[0].memory.id
        self._step(1)

    async def _document(self, line: DocumentLine) -> None:
        fields = line.fields
        if await self.service.stores.documents.find_document(self.user_id, fields.title, fields.content) is not None:
            self.counts["duplicate_documents"] += 1
        else:
            await self.service._insert_document(self.user_id, fields, line.client_id, line.created_at)
            self.counts["documents"] += 1
        self._step(1)

    async def _current(self, lines: Sequence[MemoryLine]) -> None:
        """Lines kept as current memories (not judged): a text the user already has is a duplicate."""
        for chunk in _chunks(lines):
            try:
                await self._current_chunk(chunk)
            except Conflict:  # another request stored one of these texts meanwhile: look again
                await self._current_chunk(chunk)
            self._step(len(chunk))

    async def _current_chunk(self, chunk: Sequence[MemoryLine]) -> None:
        existing = await self.memories.find_by_keys(self.user_id, list({k for line in chunk for k in line.keys}))
        now = time.time()
        expired = [m.id for m in existing.values() if m.expires_at is not None and m.expires_at <= now]
        if expired:  # as for an add: saying an expired fact again makes it a new memory
            await self.memories.delete(self.user_id, expired)
            existing = {k: m for k, m in existing.items() if m.id not in expired}
        new: dict[str, tuple[MemoryLine, str]] = {}  # key -> the line and text stored for it
        for line in chunk:
            for text, key in zip(line.texts, line.keys, strict=True):
                if key not in existing and key not in new:
                    new[key] = (line, text)
        stored = await self._insert([(line, text, key, None) for key, (line, text) in new.items()])
        found = {**{k: m.id for k, m in existing.items()}, **{k: m.id for k, m in zip(new, stored, strict=True)}}
        self.counts["memories"] += len(stored)
        self.counts["duplicates"] += sum(len(line.keys) for line in chunk) - len(stored)
        for line in chunk:
            if line.id is not None:
                self.ids[line.id] = found[line.keys[0]]

    async def _replaced(self, lines: Sequence[MemoryLine], mapped: set[str]) -> None:
        """Replaced versions, each once its replacement is stored; those whose replacement is not in the file (or
        only in a cycle of replacements) are kept as current memories."""
        waiting: dict[str, list[MemoryLine]] = defaultdict(list)  # exported id of the replacement -> versions
        for line in lines:
            assert line.superseded_by is not None
            waiting[line.superseded_by].append(line)
        ready = mapped
        while waiting:
            level = [line for exported in ready if exported in waiting for line in waiting.pop(exported)]
            if level:
                ready = set()
                for chunk in _chunks(level):
                    ready |= await self._versions(chunk)
                    self._step(len(chunk))
                continue
            ids_waiting = {line.id for group in waiting.values() for line in group if line.id is not None}
            orphans = [k for k in waiting if k not in ids_waiting] or list(waiting)
            kept = [line for k in orphans for line in waiting.pop(k)]
            await self._current(kept)
            ready = {line.id for line in kept if line.id is not None}

    async def _versions(self, chunk: Sequence[MemoryLine]) -> set[str]:
        """Store a chunk of replaced versions whose replacements are stored; the exported ids now mapped."""
        newer = [(line, self.ids[line.superseded_by]) for line in chunk if line.superseded_by is not None]
        unknown = list({n for _, n in newer if n not in self.versions})
        for n in unknown:
            self.versions[n] = {}
        if old := [n for n in unknown if n not in self.fresh]:
            for m in await self.memories.predecessors(self.user_id, old):
                assert m.superseded_by is not None
                self.versions[m.superseded_by].setdefault(dedup_key(m.text), m.id)  # the latest replaced first
        new: dict[tuple[str, str], tuple[MemoryLine, str, str, str]] = {}
        for line, n in newer:
            key = line.keys[0]
            if key not in self.versions[n] and (n, key) not in new:
                new[(n, key)] = (line, line.texts[0], key, n)
        stored = await self._insert(list(new.values()))
        for (n, key), memory in zip(new, stored, strict=True):
            self.versions[n][key] = memory.id
        self.counts["memories"] += len(stored)
        self.counts["duplicates"] += len(chunk) - len(stored)
        done = set()
        for line, n in newer:
            if line.id is not None:
                self.ids[line.id] = self.versions[n][line.keys[0]]
                done.add(line.id)
        return done

    async def _insert(self, new: Sequence[tuple[MemoryLine, str, str, str | None]]) -> list[Memory]:
        """Embed and store (line, text, key, id of the memory that replaced it) in one insert."""
        if not new:
            return []
        vectors = await self.service.embedder.embed([text for _, text, _, _ in new])
        dates = await anyio.to_thread.run_sync(_dates, new)
        stored = await self.memories.insert(self.user_id, [
            NewMemory(text, key, vec_bytes(vector), line.tags, line.client_id, line.metadata,
                      created_at=line.created_at, updated_at=line.updated_at, expires_at=line.expires_at,
                      dates=when, superseded_by=newer,
                      valid_until=(line.valid_until or line.created_at or time.time()) if newer else None,
                      replaced_value=line.replaced_value if newer else None)
            for (line, text, key, newer), vector, when in zip(new, vectors, dates, strict=True)])
        self.fresh.update(m.id for m in stored)
        return stored


def _dates(new: Sequence[tuple[MemoryLine, str, str, str | None]]) -> list[tuple[dict[str, str], ...]]:
    """Each memory's resolved dates: as exported, else (a current memory of a hand-written line) as an add would."""
    out = []
    for line, text, _, newer in new:
        if line.dates is not None or newer is not None:
            out.append(line.dates or ())
            continue
        saved_at = datetime.fromtimestamp(line.created_at or time.time(), UTC)
        out.append(tuple({"phrase": d.phrase, "start": d.start.isoformat(), "end": d.end.isoformat()}
                         for d in timeparse.resolve_dates(text, saved_at)))
    return out


def _chunks(lines: Sequence[MemoryLine]) -> Iterator[list[MemoryLine]]:
    """``lines`` in runs of about ``CHUNK`` texts (a hand-written line may hold many)."""
    chunk: list[MemoryLine] = []
    size = 0
    for line in lines:
        chunk.append(line)
        size += len(line.texts)
        if size >= CHUNK:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
