"""Who a memory call acts for, and which partitions and spaces that covers.

``Who`` is a plain account id (the dashboard, the CLI and older callers: the account's own spaces, all of them) or a
``spaces.Reach`` (a connection: the spaces it was given, with the account's role in each). A memory lives in its
space owner's partition, so a read covers one partition per owner (``read_parts``) and a write goes to one space of
one owner (``write_target``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from ..errors import InvalidInput
from ..spaces.reach import Reach, parts
from ..store import Stores
from ..store.records import Memory

Who: TypeAlias = str | Reach


@dataclass(frozen=True, slots=True)
class Part:
    """One partition a read covers: its owner, and the spaces of it (None: all of them)."""

    owner: str
    spaces: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Target:
    """Where a write goes: the owner's partition, the space, and the writing account when not the owner."""

    owner: str
    space_id: str
    author_id: str | None


def actor(who: Who) -> str:
    return who if isinstance(who, str) else who.user_id


def _no_space(space: object) -> None:
    if space is not None and space != "":
        raise InvalidInput("space can only be chosen through a connection (an API key or an OAuth token)")


def read_parts(who: Who, space: object = None) -> list[Part]:
    """The partitions (and spaces in each) a read covers: the space ``space`` names, or all ``who`` reaches."""
    if isinstance(who, str):
        _no_space(space)
        return [Part(who, None)]
    return [Part(owner, ids) for owner, ids in parts(who.readable(space))]


def write_target(who: Who, space: object = None) -> Target:
    """Where a write goes: the space ``space`` names or the connection's default (``errors.Forbidden`` when it may
    not write there); an account id writes to its personal space."""
    if isinstance(who, str):
        _no_space(space)
        return Target(who, who, None)
    target = who.writable(space)
    return Target(target.owner_id, target.id, who.user_id if who.user_id != target.owner_id else None)


async def readable(stores: Stores, who: Who, ids: Sequence[str]) -> list[Memory]:
    """The live memories among ``ids`` that ``who`` may read (others' and unknown ids left out)."""
    if isinstance(who, str):
        return await stores.memories.get(who, ids)
    return await stores.memories.get_in_spaces(who.ids, ids)


def check_write(who: Who, memory: Memory) -> None:
    """``errors.Forbidden`` naming the memory's space when ``who`` may only read it."""
    if not isinstance(who, str):
        who.check_write(memory.space_id or memory.user_id)


def by_owner(memories: Sequence[Memory]) -> dict[str, list[Memory]]:
    grouped: dict[str, list[Memory]] = {}
    for m in memories:
        grouped.setdefault(m.user_id, []).append(m)
    return grouped


def once(vector: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """``vector`` computed at most once, for a query run in several partitions."""
    done: list[np.ndarray] = []

    def first() -> np.ndarray:
        if not done:
            done.append(vector())
        return done[0]

    return first
