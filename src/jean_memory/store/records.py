"""Records that cross the store boundary: frozen, slotted dataclasses; times are UNIX seconds (float)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    password_hash: str | None
    created_at: float
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    user_id: str
    name: str
    prefix: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None
    spaces: tuple[str, ...] | None = None  # the spaces it may read (None: every space its account owns)
    write_space: str | None = None  # where it writes by default (None: the personal space)


@dataclass(frozen=True, slots=True)
class Memory:
    """A memory, or a chunk of a document when ``document_id`` is set (chunks are searched alongside)."""

    id: str
    user_id: str
    text: str
    tags: tuple[str, ...]
    client_id: str | None
    metadata: Mapping[str, Any]
    created_at: float
    updated_at: float
    seq: int = 0
    document_id: str | None = None
    deleted_at: float | None = None
    superseded_by: str | None = None  # the id of the newer memory that replaced this one
    valid_until: float | None = None  # when it stopped being true (it was replaced)
    expires_at: float | None = None  # when it stops coming back (a temporary fact)
    dates: tuple[Mapping[str, str], ...] = ()  # relative dates resolved at save time: {"phrase", "start", "end"}
    replaced_value: str | None = None  # what a replaced memory stated ("Berlin"), when the judgment knew
    possibly_outdated_by: str | None = None  # a newer memory that may make this one outdated (a doubtful change)
    occurred_at: float | None = None  # when its fact was said or happened, when saved after the fact
    correction: bool = False  # a version an edit kept (a corrected text, not a change of fact)
    space_id: str = ""  # the space it belongs to (``user_id`` is the space's owner)
    author_id: str | None = None  # the account that wrote it (None: the owner, or written before spaces)

    def is_current(self, now: float) -> bool:
        """Neither replaced nor expired at ``now``."""
        return self.superseded_by is None and (self.expires_at is None or self.expires_at > now)

    def status(self, now: float) -> str:
        """``current``, ``possibly_outdated``, ``replaced`` or ``expired`` (the contract's names)."""
        if self.superseded_by is not None:
            return "replaced"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "possibly_outdated" if self.possibly_outdated_by is not None else "current"

    @property
    def when(self) -> float:
        """When its fact holds from: ``occurred_at`` when given, else when it was saved (orders versions)."""
        return self.occurred_at if self.occurred_at is not None else self.created_at


@dataclass(frozen=True, slots=True)
class Replacement:
    """An existing current memory the new one replaces, and the value the old one stated (when known)."""

    old_id: str
    old_value: str | None = None


@dataclass(frozen=True, slots=True)
class MemorySource:
    """An app a user's memories came from: the client id recorded on them, the OAuth client's name when the id is
    a registered OAuth client (else None), and how many of the user's live memories it added."""

    client_id: str
    name: str | None
    memories: int


def sort_sources(sources: Iterable[MemorySource]) -> list[MemorySource]:
    """The order of ``MemoryStore.sources``, the same on every backend (SQL collations differ)."""
    return sorted(sources, key=lambda s: ((s.name or s.client_id).casefold(), s.client_id))


@dataclass(frozen=True, slots=True)
class NewMemory:
    text: str
    key: str
    embedding: bytes
    tags: tuple[str, ...] = ()
    client_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    document_id: str | None = None
    created_at: float | None = None
    updated_at: float | None = None
    expires_at: float | None = None
    dates: tuple[Mapping[str, str], ...] = ()
    replaces: tuple[Replacement, ...] = ()  # current memories it replaces, in the same transaction as the insert
    superseded_by: str | None = None  # stored already replaced (an imported history row)
    valid_until: float | None = None
    replaced_value: str | None = None
    flags: tuple[str, ...] = ()  # current memories it may make outdated (marked ``possibly_outdated_by`` its id)
    occurred_at: float | None = None
    correction: bool = False
    possibly_outdated_by: str | None = None  # stored already flagged (an imported row)
    space_id: str | None = None  # its space, one the owner (the ``user_id`` it is inserted for) owns; None: personal
    author_id: str | None = None  # the account that wrote it, when not the owner
    # Its id, chosen by the caller (a new UUID): an import links a file's versions before storing them. None: the
    # store picks one.
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    user_id: str
    title: str
    content: str
    document_type: str
    source_url: str | None
    client_id: str | None
    metadata: Mapping[str, Any]
    created_at: float
    updated_at: float
    space_id: str = ""  # its space (and its chunks'); "" on insert: the personal space


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """What a search result needs of a document, without its content (which may be megabytes)."""

    id: str
    title: str
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    """Search and list filters. ``tags``: every listed tag must be present."""

    tags: tuple[str, ...] = ()
    since: float | None = None
    until: float | None = None
    client_id: str | None = None
    include_chunks: bool = False
    include_history: bool = False  # False: only current memories (not replaced, not expired)
    # Saved in [start, end) (UNIX seconds) *or* holding a resolved date in it: a question about a stretch of time.
    when: tuple[float, float] | None = None
    # Only memories of these spaces (of the partition searched: spaces the ``user_id`` owns); None: every one.
    spaces: tuple[str, ...] | None = None

    def when_days(self) -> tuple[str, str] | None:
        """``when`` as the ISO days it touches (first, last; inclusive), to compare with ``Memory.dates``."""
        if self.when is None:
            return None
        start, end = self.when
        return (datetime.fromtimestamp(start, UTC).date().isoformat(),
                datetime.fromtimestamp(max(start, end - 1e-3), UTC).date().isoformat())


def date_spans(dates: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """``Memory.dates`` as (start, end) ISO pairs; malformed entries are skipped."""
    return tuple((d["start"], d["end"]) for d in dates
                 if isinstance(d.get("start"), str) and isinstance(d.get("end"), str))


def overlaps(spans: Iterable[tuple[str, str]], days: tuple[str, str]) -> bool:
    """Whether any (start, end) ISO span touches the inclusive ISO ``days``."""
    first, last = days
    return any(start <= last and end >= first for start, end in spans)


@dataclass(slots=True)
class Scored:
    """A search hit. Both stores fill in ``created_at`` and ``client_id``: ranking smooths scores over memories the
    same app saved together (``memory.fusion.context_boost``) and drops a candidate without ``created_at``.

    Not frozen, though nothing changes one: a search makes about a thousand, and a frozen dataclass is built
    through ``object.__setattr__``, 4.5 times slower (0.74 against 0.16 us each; ~0.6 ms a search)."""

    seq: int
    score: float
    created_at: float | None = None
    client_id: str | None = None
    # The memory's resolved dates (``Memory.dates``) as (start, end) ISO dates, end inclusive: ranking lifts a
    # memory about the stretch of time a question names (``fusion.time_boost``).
    dates: tuple[tuple[str, str], ...] = ()
    # A lexical hit: the score a memory matching every query word would get (the query's best possible), when the
    # store knows it; ``fusion.fuse`` weighs weak lexical matches by it. The same on every hit of one search.
    best: float | None = None


@dataclass(frozen=True, slots=True)
class HybridQuery:
    """One hybrid search, for a store to run in as few round trips as it can (``MemoryStore.hybrid``).

    ``vector`` returns the query's unit embedding and may compute it, blocking: a store calls it off the event
    loop. ``rank`` is pure: it fuses the lexical and dense candidates (``pool`` of each), best first.
    ``overlap``: ``vector`` computes the embedding (a local model) and may run beside the lexical side, in a
    second thread (both release the GIL).
    """

    terms: tuple[str, ...]
    vector: Callable[[], np.ndarray]
    pool: int
    limit: int
    filters: Filters
    rank: Callable[[Sequence[Scored], Sequence[Scored]], list[Scored]]
    # Fill ``Scored.best`` on the lexical hits. False (the replacement check of an add, which does not fuse) lets
    # SQLite skip counting each term's matches (~0.1 ms at 10k memories); PostgreSQL fills it anyway (no cost).
    best_possible: bool = True
    overlap: bool = False
    # False: the lexical side may leave out terms common in the store (SQLite: ``bm25.rare_terms``), which cost
    # much and find little; an add's replacement check, whose long texts name what they are about in rarer words.
    common_terms: bool = True
