"""Export and import: every memory (replaced versions with their links) and document as JSON lines, and back.
Part of ``MemoryService``."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .. import json_values
from ..embeddings import Embedder
from ..store import Stores
from ..store.records import Filters, Memory
from . import validation as v
from ._import_lines import check_lines
from ._importer import Importer
from .documents import NewDocument
from .scope import Part, Target, Who, read_parts

if TYPE_CHECKING:
    from .service import AddResult


class TransferMixin:
    stores: Stores
    embedder: Embedder
    limits: v.Limits

    if TYPE_CHECKING:
        async def add(
            self, who: Who, text: object, tags: object = None, client_id: str | None = None,
            metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
            expires: object = None, infer_expiry: bool = False, judge: bool = True, replaces: object = None,
            occurred_at: object = None, space: object = None,
        ) -> list[AddResult]: ...

        async def _insert_document(self, user_id: str, fields: NewDocument, client_id: str | None,
                                   created_at: float | None, target: Target | None = None) -> Any: ...

        def _document_fields(self, title: object, content: object, document_type: object, source_url: object,
                             metadata: object) -> NewDocument: ...

    async def export(self, who: Who) -> AsyncIterator[dict[str, Any]]:
        """Every live memory (oldest first; replaced and expired ones too, with their links) and document ``who``
        reaches, as JSON-ready dicts, each with its ``space`` (id) and ``space_name``. ``import_records`` puts
        each back into the importing account's space of that name."""
        for part in read_parts(who):
            async for record in self._export_part(part):
                yield record

    async def _export_part(self, part: Part) -> AsyncIterator[dict[str, Any]]:
        before: int | None = None
        now = time.time()
        names = {s.id: s.name for s in await self.stores.spaces.spaces_of(part.owner) if s.owner_id == part.owner}
        pages: list[list[Memory]] = []
        while True:
            batch = await self.stores.memories.page(part.owner, 500, before,
                                                    Filters(include_history=True, spaces=part.spaces))
            if not batch:
                break
            pages.append(batch)
            before = batch[-1].seq
        for batch in reversed(pages):
            for m in reversed(batch):
                space = m.space_id or m.user_id
                yield {"type": "memory", "id": m.id, "space": space, "space_name": names.get(space, ""),
                       "text": m.text, "tags": list(m.tags), "client_id": m.client_id,
                       "metadata": dict(m.metadata), "created_at": m.created_at, "updated_at": m.updated_at,
                       "superseded_by": m.superseded_by, "valid_until": m.valid_until, "expires_at": m.expires_at,
                       "dates": [dict(d) for d in m.dates], "replaced_value": m.replaced_value,
                       "status": m.status(now), "possibly_outdated_by": m.possibly_outdated_by,
                       "occurred_at": m.occurred_at, "correction": m.correction}
        offset = 0
        while True:
            docs = await self.stores.documents.list_documents(part.owner, 100, offset, part.spaces)
            if not docs:
                break
            offset += len(docs)
            for d in docs:
                space = d.space_id or d.user_id
                yield {"type": "document", "id": d.id, "space": space, "space_name": names.get(space, ""),
                       "title": d.title, "content": d.content, "document_type": d.document_type,
                       "source_url": d.source_url, "client_id": d.client_id,
                       "metadata": dict(d.metadata), "created_at": d.created_at}

    async def export_lines(self, who: Who) -> AsyncIterator[str]:
        """``export`` as JSON lines, each ending in a newline and always encodable as UTF-8 (the file format of
        the dashboard's Export and ``jean-memory export``). A value no write accepts today, stored before,
        comes out repaired as ``json_values.readable`` says rather than ending the file early."""
        async for record in self.export(who):
            yield json.dumps(json_values.readable(record, json_values.MAX_DEPTH + 1), ensure_ascii=False) + "\n"

    async def import_records(self, user_id: str, records: Iterable[object],
                             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Import what ``export`` wrote. Ids are new; text, tags, client, metadata, times, expiry, dates and the
        links between versions (``superseded_by``, mapped to the new ids) are kept. A memory or a document the user
        already has (same words; same title and content; a replaced version the same memory already has) is
        skipped and counted, so importing one file twice adds nothing the second time. A file written before
        versions were kept (no ``superseded_by`` field) is judged like new memories: later facts replace earlier
        ones. Every line is checked, in a worker thread, before anything is written: a bad one raises
        ``InvalidInput`` naming the line and the field, and nothing is imported. Time linear in the number of
        lines (``_importer``). ``progress(done, total)`` is called as lines are stored (the CLI draws a bar).

        Spaces: a line goes to the user's own space its ``space_name`` names (case-insensitively; made when missing,
        before anything else is written; never a space shared with the user), to the personal space without one (a
        file from before spaces) or for ``personal``; its ``space`` id, of the server that wrote the file, is not
        read. Duplicates are looked for within the line's space, and a replaced version goes to its chain's space.
        A ``space_name`` that is no valid name is a bad line like any other."""
        records = list(records)
        lines = await anyio.to_thread.run_sync(check_lines, records, self.limits, self._document_fields)
        return await Importer(self, user_id, len(lines), progress).run(lines)
