"""Writing an import file's checked lines (``_import_lines``): in chunks, in time linear in the number of lines.

Current memories go first, ``CHUNK`` at a time: one key lookup, one embedding batch and one insert per chunk. Then
the replaced versions, level by level from their replacements, in memory: each gets its id here (``NewMemory.id``)
so that its link is known before anything is stored, and they are written ``CHUNK`` at a time whatever the depth of
a chain. A memory's existing versions (for duplicates) are read and keyed once, not once per version (importing
2,000 versions of one memory read 2 million rows before). Embedding and the resolving of dates run in worker
threads, so other requests are served meanwhile. Embedding is most of the cost (about 93%: 2-3 ms a text).

Spaces: each line goes to the account's own space its ``space_name`` names (``_import_spaces``, made before anything
else is written). Duplicates are looked for in the line's space only (one key lookup per space of a chunk), so the
same text in two spaces stays two memories; a replaced version goes to the space of the memory that replaced it.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread

from ..embeddings import Embedder
from ..errors import Conflict
from ..spaces.reach import Reach
from ..store import Stores
from ..store.records import NewMemory
from . import timeparse
from ._import_lines import DocumentLine, MemoryLine
from ._import_spaces import import_spaces
from .documents import NewDocument
from .rows import vec_bytes
from .scope import Target, Who
from .text import dedup_key

if TYPE_CHECKING:
    from .service import AddResult

CHUNK = 256  # memory texts per embedding batch and insert
ALL = 10**9  # ``versions`` without a limit


class Service(Protocol):
    stores: Stores
    embedder: Embedder

    async def add(
        self, who: Who, text: object, tags: object = None, client_id: str | None = None,
        metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
        expires: object = None, infer_expiry: bool = False, judge: bool = True, replaces: object = None,
        occurred_at: object = None, space: object = None,
    ) -> list[AddResult]: ...

    async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                               created_at: float | None, target: Target | None = None) -> Any: ...


class Importer:
    reach: Reach  # the account's own spaces (``run`` reads them), for the adds of judged lines

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
        self.pending: list[_New] = []  # versions to store, ``CHUNK`` at a time (their ids are chosen here)
        self.space_of: dict[str, str] = {}  # id here -> its space (of the memories this import links versions to)
        self.spaces: dict[str | None, str] = {}  # a line's ``space_name`` -> the id of its space here

    async def run(self, lines: Sequence[MemoryLine | DocumentLine]) -> dict[str, int]:
        self.spaces, self.reach = await import_spaces(self.service.stores.spaces, self.user_id,
                                                      dict.fromkeys(line.space for line in lines))
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
        results = await self.service.add(self.reach, list(line.texts), line.tags, line.client_id, line.metadata,
                                         line.created_at, line.updated_at, line.expires_at, judge=True,
                                         occurred_at=line.occurred_at, space=self.spaces[line.space])
        for result in results:
            self.counts["memories" if result.created else "duplicates"] += 1
        if line.id is not None:
            first = results[0].memory
            self.ids[line.id] = first.id
            self.space_of[first.id] = first.space_id or first.user_id
        self._step(1)

    async def _document(self, line: DocumentLine) -> None:
        fields = line.fields
        space = self.spaces[line.space]
        if await self.service.stores.documents.find_document(self.user_id, fields.title, fields.content,
                                                             space) is not None:
            self.counts["duplicate_documents"] += 1
        else:
            await self.service._insert_document(self.user_id, fields, line.client_id, line.created_at,
                                                Target(self.user_id, space, None))
            self.counts["documents"] += 1
        self._step(1)

    async def _current(self, lines: Sequence[MemoryLine]) -> None:
        """Lines kept as current memories (not judged): a text the user already has is a duplicate."""
        await self._flush()
        for chunk in _chunks(lines):
            try:
                await self._current_chunk(chunk)
            except Conflict:  # another request stored one of these texts meanwhile: look again
                await self._current_chunk(chunk)
            self._step(len(chunk))

    async def _current_chunk(self, chunk: Sequence[MemoryLine]) -> None:
        keys: dict[str, set[str]] = defaultdict(set)  # space -> the chunk's keys in it
        for line in chunk:
            keys[self.spaces[line.space]].update(line.keys)
        existing = {(space, k): m for space, wanted in keys.items()
                    for k, m in (await self.memories.find_by_keys(self.user_id, list(wanted), space)).items()}
        now = time.time()
        expired = [m.id for m in existing.values() if m.expires_at is not None and m.expires_at <= now]
        if expired:  # as for an add: saying an expired fact again makes it a new memory
            await self.memories.delete(self.user_id, expired)
            existing = {k: m for k, m in existing.items() if m.id not in expired}
        found = {k: m.id for k, m in existing.items()}
        new: list[_New] = []
        for line in chunk:
            space = self.spaces[line.space]
            for text, key in zip(line.texts, line.keys, strict=True):
                if (space, key) not in found:
                    found[space, key] = str(uuid.uuid4())
                    new.append(_New(line, text, key, None, found[space, key], space))
        await self._store(new)  # all or nothing (a Conflict: nothing of the chunk is stored, nothing counted)
        self.fresh.update(n.id for n in new)
        self.counts["memories"] += len(new)
        self.counts["duplicates"] += sum(len(line.keys) for line in chunk) - len(new)
        for line in chunk:
            if line.id is not None:
                space = self.spaces[line.space]
                self.ids[line.id] = found[space, line.keys[0]]
                self.space_of[self.ids[line.id]] = space

    async def _replaced(self, lines: Sequence[MemoryLine], mapped: set[str]) -> None:
        """Replaced versions, each linked to its replacement (level by level from the current memories); those
        whose replacement is not in the file (or only in a cycle of replacements) are kept as current memories."""
        waiting: dict[str, list[MemoryLine]] = defaultdict(list)  # exported id of the replacement -> versions
        for line in lines:
            assert line.superseded_by is not None
            waiting[line.superseded_by].append(line)
        ready = mapped
        while waiting:
            level = [line for exported in ready if exported in waiting for line in waiting.pop(exported)]
            if level:
                ready = await self._versions(level, waiting)
                self._step(len(level))
                continue
            ids_waiting = {line.id for group in waiting.values() for line in group if line.id is not None}
            orphans = [k for k in waiting if k not in ids_waiting] or list(waiting)
            kept = [line for k in orphans for line in waiting.pop(k)]
            await self._current(kept)
            ready = {line.id for line in kept if line.id is not None}
        await self._flush()

    async def _versions(self, level: Sequence[MemoryLine], waiting: Mapping[str, object]) -> set[str]:
        """Queue replaced versions whose replacements have ids here (a version the replacement already has is a
        duplicate); the exported ids now mapped. The versions of a memory this import did not store are read once:
        with the predecessors of the level's other such memories, or, when versions in ``waiting`` (by the exported
        id of their replacement) will follow, the whole tree of its versions at once (one read, not one a level)."""
        newer = [(line, self.ids[line.superseded_by]) for line in level if line.superseded_by is not None]
        unknown = list({n for _, n in newer if n not in self.versions})
        for n in unknown:
            self.versions[n] = {}
        old = [n for n in unknown if n not in self.fresh]
        deep = {n for line, n in newer if line.id in waiting} & set(old)
        for n in deep:  # versions of versions in the file: the whole tree of versions in one read
            for m in await self.memories.versions(self.user_id, n, ALL):
                self.versions.setdefault(m.id, {})
                if m.superseded_by is not None:
                    self.versions.setdefault(m.superseded_by, {}).setdefault(dedup_key(m.text), m.id)
        old = [n for n in old if n not in deep]
        for start in range(0, len(old), CHUNK):
            for m in await self.memories.predecessors(self.user_id, old[start:start + CHUNK]):
                assert m.superseded_by is not None
                self.versions[m.superseded_by].setdefault(dedup_key(m.text), m.id)  # the latest replaced first
        done = set()
        for line, n in newer:
            key = line.keys[0]
            space = self.space_of[n]  # a version stays in the space of its chain
            if key in self.versions[n]:
                self.counts["duplicates"] += 1
            else:
                self.versions[n][key] = str(uuid.uuid4())
                self.fresh.add(self.versions[n][key])
                self.pending.append(_New(line, line.texts[0], key, n, self.versions[n][key], space))
                self.counts["memories"] += 1
            if line.id is not None:
                self.ids[line.id] = self.versions[n][key]
                self.space_of[self.ids[line.id]] = space
                done.add(line.id)
        if len(self.pending) >= CHUNK:
            await self._flush()
        return done

    async def _flush(self) -> None:
        for start in range(0, len(self.pending), CHUNK):
            await self._store(self.pending[start:start + CHUNK])
        self.pending.clear()

    async def _store(self, new: Sequence[_New]) -> None:
        """Embed and insert, in one insert."""
        if not new:
            return
        vectors = await self.service.embedder.embed([n.text for n in new])
        dates = await anyio.to_thread.run_sync(_dates, new)
        await self.memories.insert(self.user_id, [
            NewMemory(n.text, n.key, vec_bytes(vector), n.line.tags, n.line.client_id, n.line.metadata,
                      created_at=n.line.created_at, updated_at=n.line.updated_at, expires_at=n.line.expires_at,
                      dates=when, superseded_by=n.newer,
                      valid_until=(n.line.valid_until or n.line.created_at or time.time()) if n.newer else None,
                      replaced_value=n.line.replaced_value if n.newer else None, id=n.id,
                      occurred_at=n.line.occurred_at, correction=n.line.correction and bool(n.newer),
                      space_id=n.space)
            for n, vector, when in zip(new, vectors, dates, strict=True)])


@dataclass(frozen=True, slots=True)
class _New:
    """A memory to store: its line, text and key, the id of the memory that replaced it (a version), its id and its
    space."""

    line: MemoryLine
    text: str
    key: str
    newer: str | None
    id: str
    space: str


def _dates(new: Sequence[_New]) -> list[tuple[dict[str, str], ...]]:
    """Each memory's resolved dates: as exported, else (a current memory of a hand-written line) as an add would."""
    out = []
    for n in new:
        if n.line.dates is not None or n.newer is not None:
            out.append(n.line.dates or ())
            continue
        saved_at = datetime.fromtimestamp(n.line.created_at or time.time(), UTC)
        out.append(tuple({"phrase": d.phrase, "start": d.start.isoformat(), "end": d.end.isoformat()}
                         for d in timeparse.resolve_dates(n.text, saved_at)))
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
