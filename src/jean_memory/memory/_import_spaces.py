"""The spaces an import file's lines go to: the importing account's own spaces, found by name (case-insensitively,
as ``Reach.find`` and ``SpaceService``'s unique name rule match them) and created when missing, all before anything
else of the import is written. One read of the account's spaces per import, whatever the number of lines.

A line without a ``space_name`` (a file from before spaces) goes to the personal space, as does ``personal`` when
the account has no space of that name (its personal space renamed). An import is the account's own data: a space
shared with it is never one of these, even of the same name (a space of its own is made instead)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import Conflict
from ..spaces.reach import Reach
from ..store.protocols import SpaceStore
from ..store.space_records import PERSONAL, Space


async def import_spaces(store: SpaceStore, user_id: str, names: Iterable[str | None]
                        ) -> tuple[dict[str | None, str], Reach]:
    """Each of ``names`` (None: the personal space) -> the id of the account's space it goes to, and a ``Reach``
    of the account's own spaces (writing to its personal space) for the adds of the import."""
    own = [s for s in await store.spaces_of(user_id) if s.owner_id == user_id]
    by_name = {s.name.casefold(): s.id for s in own}
    out: dict[str | None, str] = {None: user_id}
    for name in names:
        if name is None or name in out:
            continue
        folded = name.casefold()
        if folded not in by_name and folded == PERSONAL:
            by_name[folded] = user_id
        elif folded not in by_name:
            space = await _create(store, user_id, name)
            own.append(space)
            by_name[folded] = space.id
        out[name] = by_name[folded]
    return out, Reach(user_id, tuple(own), user_id)


async def _create(store: SpaceStore, user_id: str, name: str) -> Space:
    try:
        return await store.create_space(user_id, name)
    except Conflict:  # made meanwhile (the dashboard, another import): use it
        folded = name.casefold()
        for s in await store.spaces_of(user_id):
            if s.owner_id == user_id and s.name.casefold() == folded:
                return s
        raise
