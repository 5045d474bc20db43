"""A memory's history: recent replacements and flags (the dashboard's Changes page), undo, confirm and dismiss, the
versions of one memory and the "changed from Berlin on 2026-11-27" notes ``jean_memory`` adds. Part of
``MemoryService``. An edit's earlier wording is history too, but not a change of fact: it is left out of both."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..errors import Conflict, InvalidInput, NotFound
from ..store import Stores
from ..store.records import Memory
from . import validation as v
from .scope import Who, by_owner, check_write, readable

HISTORY_LIMIT = 1000  # versions of one memory shown (and walked each way)


@dataclass(frozen=True, slots=True)
class Change:
    """A replacement: ``old`` (replaced, ``old.valid_until`` is when) and the memory that replaced it (None when
    that one was deleted since)."""

    old: Memory
    new: Memory | None
    at: float


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1].rstrip()}…"'


class ChangesMixin:
    stores: Stores

    if TYPE_CHECKING:
        async def get(self, who: Who, memory_id: object) -> Memory: ...

    async def _owner(self, who: Who, memory_id: str) -> str:
        """The partition of a memory ``who`` may change (an account id: its own); ``NotFound`` for one it cannot
        reach, ``errors.Forbidden`` for one in a space it may only read."""
        if isinstance(who, str):
            return who
        found = await readable(self.stores, who, [memory_id])
        if not found:
            raise NotFound(f"no memory with id {memory_id}")
        check_write(who, found[0])
        return found[0].user_id

    async def changes(self, user_id: str, limit: int = 50) -> builtins.list[Change]:
        """Recent replacements, most recent first (``limit`` clamped to 1..200)."""
        olds = await self.stores.memories.changes(user_id, max(1, min(limit, 200)))
        ids = list({m.superseded_by for m in olds if m.superseded_by is not None})
        news = {m.id: m for m in await self.stores.memories.get(user_id, ids)}
        return [Change(m, news.get(m.superseded_by or ""), m.valid_until or m.updated_at) for m in olds]

    async def flags(self, user_id: str, limit: int = 50) -> builtins.list[Change]:
        """Memories flagged possibly outdated, newest first, each with the newer memory that flagged it."""
        olds = await self.stores.memories.flagged(user_id, max(1, min(limit, 200)))
        ids = list({m.possibly_outdated_by for m in olds if m.possibly_outdated_by is not None})
        news = {m.id: m for m in await self.stores.memories.get(user_id, ids)}
        return [Change(m, news.get(m.possibly_outdated_by or ""), m.updated_at) for m in olds
                if m.possibly_outdated_by in news]

    async def resolve_flag(self, who: Who, memory_id: object, decision: object) -> Memory:
        """``confirm``: the newer memory replaces the flagged one (hidden, kept as history; undo as any change).
        ``dismiss``: the flag is cleared and the pair never flagged again. The memory as it is now."""
        if decision not in ("confirm", "dismiss"):
            raise InvalidInput("decision must be 'confirm' or 'dismiss'")
        mid = v.id_field(memory_id)
        user_id = await self._owner(who, mid)
        if decision == "confirm":
            await self._not_its_own_version(user_id, mid)
        memory = await self.stores.memories.resolve_flag(user_id, mid, decision == "confirm")
        if memory is None:
            raise NotFound(f"no memory with id {mid} is flagged possibly outdated")
        return memory

    async def _not_its_own_version(self, user_id: str, memory_id: str) -> None:
        """Confirming a flag whose newer memory has since been replaced by the flagged one (the user said the old
        value again) would make each replace the other and hide both: a ``Conflict``."""
        flagged = await self.stores.memories.get(user_id, [memory_id])
        newer = flagged[0].possibly_outdated_by if flagged else None
        if newer is None:
            return
        chain = await self.stores.memories.versions(user_id, newer, HISTORY_LIMIT)
        if chain and chain[0].id == memory_id:
            raise Conflict(f"memory {memory_id} has since replaced the memory that flagged it; dismiss the flag")

    async def undo_change(self, who: Who, old_id: object) -> Memory:
        """Make a replaced memory current again (the one that replaced it stays current); the pair is recorded so
        it is not replaced again. The memory, now current."""
        mid = v.id_field(old_id)
        user_id = await self._owner(who, mid)
        memory = await self.stores.memories.unlink(user_id, mid)
        if memory is None:
            raise NotFound(f"no replaced memory with id {mid}")
        return memory

    async def history(self, who: Who, memory_id: object) -> builtins.list[Memory]:
        """The versions of a memory, newest first: from the latest memory in its chain of replacements back
        through every memory that chain replaced (the given one included), at most ``HISTORY_LIMIT``; one store
        query however long the chain (``store/chains.py``)."""
        memory = await self.get(who, memory_id)
        return await self.stores.memories.versions(memory.user_id, memory.id, HISTORY_LIMIT) or [memory]

    async def change_notes(self, who: Who, memories: Sequence[Memory]) -> dict[str, str]:
        """For memories that replaced another: "changed from Berlin on 2026-11-27" (the value the replaced one
        stated when known, else its text, shortened), keyed by memory id."""
        olds = [old for owner, group in by_owner(memories).items()
                for old in await self.stores.memories.predecessors(owner, [m.id for m in group])]
        olds.sort(key=lambda m: (-(m.valid_until or 0.0), -m.seq))
        notes: dict[str, str] = {}
        for old in olds:  # latest first: the first one seen for a memory is the one it last replaced
            if old.superseded_by is None or old.superseded_by in notes or old.correction:
                continue
            value = old.replaced_value or shorten(old.text)
            when = datetime.fromtimestamp(old.valid_until or old.updated_at, UTC).date().isoformat()
            notes[old.superseded_by] = f"changed from {value} on {when}"
        return notes
