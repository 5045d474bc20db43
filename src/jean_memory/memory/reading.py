"""The reading side of ``MemoryService``: get, search, list, count and the apps memories came from.

Search is hybrid (``fusion``): lexical and dense candidates from the store, fused and lifted by time and by the app
that saved them together, over every partition the caller reaches (``scope.read_parts``: one per space owner, hits
merged by score). Replaced memories are searched too and each stands for its chain's latest version (``_heads``,
``ordering.through_history``); a flagged match brings the memory that flagged it (``_flaggers``); among results about
the same thing the newer comes first (``ordering.newest_first``). Time words in a question are read as the
``service`` module's docstring says.
"""

from __future__ import annotations

import builtins
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

import numpy as np

from ..embeddings import Embedder
from ..errors import NotFound
from ..store import Stores
from ..store.records import Filters, HybridQuery, Memory, MemorySource, Scored
from . import ordering
from . import validation as v
from .fusion import FusionWeights, Saved, context_boost, fuse, time_boost
from .rows import Page, decode_cursor, encode_cursor
from .scope import Who, by_owner, once, read_parts, readable
from .text import STOP_WORDS, query_terms, words
from .timeparse import question_range

CANDIDATES = 100
HISTORY_EXTRA = 5  # results asked beyond the limit, for replaced ones that stand for a version already there
HEAD_HOPS = 8  # replacements followed from a replaced memory to its chain's latest version
# Words that, beside a time phrase and stop words, still leave a question about nothing but the time.
_ONLY_TIME = frozenset(
    "do did done doing does happen happened happening up plans plan planned anything everything something things"
    " thing say said talk talked tell remember saved save added note notes memories memory new news booked"
    " scheduled arranged reserved organised organized".split())


@dataclass(frozen=True, slots=True)
class SearchResult:
    memory: Memory
    score: float


class ReadingMixin:
    stores: Stores
    embedder: Embedder
    weights: FusionWeights
    clock: Callable[[], float]
    _embed_sync: Callable[[Sequence[str]], np.ndarray] | None

    async def get(self, who: Who, memory_id: object) -> Memory:
        mid = v.id_field(memory_id)
        found = await readable(self.stores, who, [mid])
        if not found:
            raise NotFound(f"no memory with id {mid}")
        return found[0]

    async def search(
        self, who: Who, query: object, limit: object = None, tags: object = None, since: object = None,
        until: object = None, include_documents: bool = False, client_id: str | None = None,
        include_history: bool = False, space: object = None,
    ) -> list[SearchResult]:
        """Best matches first; current memories only unless ``include_history`` (replaced and expired ones too).
        ``space``: that space only (else every space ``who`` reaches)."""
        q = v.query_field(query)
        covered = read_parts(who, space)
        n = v.limit_field(limit, 10, 100)
        filters = Filters(v.tags_field(tags), v.time_field(since, "since"), v.time_field(until, "until"),
                          _app(client_id), include_documents, include_history is True)
        weights = self.weights
        now = self.clock()
        asked = question_range(q, datetime.fromtimestamp(now, UTC))
        rest = _without(q, asked.phrase) if asked is not None else q
        text = rest if words(rest) else q  # a question that is only "yesterday" is still embedded as written
        window = (asked.start.timestamp(), asked.end.timestamp()) if asked is not None else None
        only_time = window is not None and all(w in STOP_WORDS or w in _ONLY_TIME for w in words(rest))

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            saved = {s.seq: Saved(s.created_at, s.client_id) for s in (*lexical, *dense) if s.created_at is not None}
            ranked = context_boost(fuse(lexical, dense, weights), saved, weights)
            if window is not None:
                created = {seq: when.created_at for seq, when in saved.items()}
                dated = {s.seq: _epochs(s.dates) for s in (*lexical, *dense) if s.dates}
                ranked = time_boost(ranked, created, window, weights, dated)
            return ranked

        def rank_in_window(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            # Every memory of the stretch answers the question: no floor, the most like it first.
            return [Scored(s.seq, max(0.0, s.score), s.created_at) for s in dense if s.created_at is not None]

        vector = await self.query_vector(text)
        if len(covered) > 1:
            vector = once(vector)
        # Through history: replaced memories are searched too, each standing for its chain's latest version.
        wide = replace(filters, include_history=True)
        pool, limit = max(CANDIDATES, n * 2), n if include_history else n + HISTORY_EXTRA
        if only_time and window is not None:
            query = HybridQuery((), vector, pool, limit, replace(wide, when=window), rank_in_window)
        else:
            # Stop words alone ("the and of"; "who did I see" beside the time phrase "this morning") match nearly
            # every memory, as padding, and made BM25 score them all (~20 ms at 10k): such a question is searched
            # by meaning alone, where a memory needs a cosine of at least ``dense_min``.
            terms = query_terms(text) if any(w not in STOP_WORDS for w in words(text)) else []
            query = HybridQuery(tuple(terms), vector, pool, limit, wide, rank,
                                overlap=bool(terms) and self._embed_sync is not None)
        hits: builtins.list[tuple[Memory, float]] = []
        for part in covered:
            hits += await self.stores.memories.hybrid(part.owner, replace(query, filters=replace(
                query.filters, spaces=part.spaces)))
        if len(covered) > 1:  # partitions ranked apart: their fused scores compare
            hits = sorted(hits, key=lambda h: -h[1])[: query.limit]
        if not include_history:
            real_now = time.time()
            hits = [(m, s) for m, s in hits if m.superseded_by is not None or m.is_current(real_now)]
            replaced = [m for m, _ in hits if m.superseded_by is not None]
            heads: dict[str, Memory] = {}
            for owner, group in by_owner(replaced).items():
                heads |= await self._heads(owner, group)
            hits = ordering.through_history(hits, {k: h for k, h in heads.items() if _passes(h, filters)})
            hits = ordering.with_flaggers(hits, await self._flaggers(hits[:n], filters))
        if window is None:  # a question about a stretch of time asks for then, not for what is newest
            hits = ordering.newest_first(hits[:n], q)
        return [SearchResult(m, score) for m, score in hits[:n]]

    async def query_vector(self, text: str) -> Callable[[], np.ndarray]:
        """``text``'s embedding as ``HybridQuery.vector`` wants it: a local embedder computes it when the store asks
        (in its worker thread); a remote one is asked here and the store handed the answer."""
        if (embed_sync := self._embed_sync) is not None:

            def vector() -> np.ndarray:
                row: np.ndarray = embed_sync([text])[0]
                return row

            return vector
        ready: np.ndarray = (await self.embedder.embed([text]))[0]
        return lambda: ready

    async def _flaggers(self, hits: Sequence[tuple[Memory, float]], filters: Filters) -> dict[str, Memory]:
        """The current memories that flagged one of ``hits`` and are not among them (by id), passing ``filters``.
        A flag never crosses spaces: each flagger is in its flagged memory's space, so in its partition."""
        shown = {m.id for m, _ in hits}
        found: list[Memory] = []
        for owner, group in by_owner([m for m, _ in hits]).items():
            wanted = {m.possibly_outdated_by for m in group if m.possibly_outdated_by} - shown
            if wanted:
                found += await self.stores.memories.get(owner, sorted(wanted))
        now = time.time()
        return {m.id: m for m in found
                if m.superseded_by is None and m.document_id is None and m.is_current(now) and _passes(m, filters)}

    async def _heads(self, user_id: str, replaced: Sequence[Memory]) -> dict[str, Memory]:
        """Each replaced memory's chain's latest version (current, or absent), a few hops at most."""
        heads: dict[str, Memory] = {}
        pending: dict[str, str | None] = {m.id: m.superseded_by for m in replaced if m.superseded_by}
        known: dict[str, Memory] = {}
        for _ in range(HEAD_HOPS):
            wanted = {t for t in pending.values() if t is not None and t not in known}
            if wanted:
                known.update((m.id, m) for m in await self.stores.memories.get(user_id, list(wanted)))
            nxt: dict[str, str | None] = {}
            for start, target in pending.items():
                head = known.get(target or "")
                if head is None:
                    continue
                if head.superseded_by is None:
                    heads[start] = head
                else:
                    nxt[start] = head.superseded_by
            if not nxt:
                break
            pending = nxt
        now = time.time()
        return {k: h for k, h in heads.items() if h.is_current(now) and h.document_id is None}

    async def list(
        self, who: Who, limit: object = None, cursor: object = None, tags: object = None,
        client_id: str | None = None, include_history: bool = False, space: object = None,
    ) -> Page:
        """Newest first; current memories only unless ``include_history``; ``space``: that space only."""
        n = v.limit_field(limit, 20, 200)
        before = decode_cursor(cursor)
        filters = Filters(v.tags_field(tags), client_id=_app(client_id), include_history=include_history is True)
        items: builtins.list[Memory] = []
        covered = read_parts(who, space)
        for part in covered:
            items += await self.stores.memories.page(part.owner, n + 1, before, replace(filters, spaces=part.spaces))
        if len(covered) > 1:  # seq orders every partition alike
            items = sorted(items, key=lambda m: -m.seq)[: n + 1]
        more = len(items) > n
        items = items[:n]
        return Page(items, encode_cursor(items[-1].seq) if more and items else None)

    async def count(self, who: Who, space: object = None) -> int:
        """How many current memories ``who`` reaches (in ``space``, when given)."""
        return sum([await self.stores.memories.count(p.owner, p.spaces) for p in read_parts(who, space)])

    async def sources(self, user_id: str) -> builtins.list[MemorySource]:
        """The apps the user's memories came from (for filtering by app)."""
        return await self.stores.memories.sources(user_id)


def _app(client_id: object) -> str | None:
    """A filter by app (client id): text a database can compare (PostgreSQL refuses NUL with a ``DataError``)."""
    return v.plain_string(client_id, "app (client id)", 1000)


def _passes(memory: Memory, filters: Filters) -> bool:
    """Whether a chain's latest version passes the caller's tag, app and time filters (the store applied them to
    the replaced memory that matched, not to the version that stands for it)."""
    return (set(filters.tags) <= set(memory.tags) and filters.client_id in (None, memory.client_id)
            and (filters.since is None or memory.created_at >= filters.since)
            and (filters.until is None or memory.created_at < filters.until))


def _epochs(spans: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
    """(start, end) ISO days, end inclusive, as UNIX [start, end) seconds."""
    out: list[tuple[float, float]] = []
    for start, end in spans:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            out.append((datetime.combine(first, dt_time(), UTC).timestamp(),
                        datetime.combine(last + timedelta(days=1), dt_time(), UTC).timestamp()))
        except (ValueError, OverflowError):  # an imported row's dates are read as they were stored
            continue
    return out


def _without(question: str, phrase: str) -> str:
    """The question with the time phrase taken out."""
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    return " ".join(re.sub(pattern, " ", question, count=1, flags=re.IGNORECASE).split())
