"""The memory service: add, update, delete; with its parts ``reading`` (get, search, list, count), ``changes``
(history), ``documents`` and ``transfer`` (export and import). Every call acts for a ``scope.Who``: an account's own
spaces, or the spaces a connection reaches (``spaces.Reach``); a write goes to one space.

Everything a transport (REST, MCP, dashboard, CLI) does to memories goes through here; it knows no HTTP.
Duplicates: an exact duplicate has the same words in the same order (ignoring case, punctuation and
spacing); a near duplicate has embedding cosine >= ``NEAR_DUPLICATE`` (0.97) to a current memory *and*
the same numbers and negations (so "I like tea" never swallows "I don't like tea", nor "room 12" "room 21").

Current truth: a new memory is checked against the few memories nearest to it (lexical and dense, one store call
that also finds near duplicates and replaced versions it says again); ``judge.decide`` gives each a verdict and
``outcomes.choose`` what the add does: at most one memory marked replaced (certain), the rest flagged possibly
outdated (``possibly_outdated_by``), in the insert's transaction. Replaced and expired memories are kept (as
history) but searches and lists leave them out unless asked (``include_history``); a search that matches a
replaced memory returns its current version, one that matches a flagged memory brings the memory that flagged it,
and the newer of two memories about the same thing comes first (``ordering``). Changing a memory's text keeps the
previous text as a version (a correction).

Time in a question (``timeparse.question_range``): the phrase ("last week", "in May 2023") is taken out of the
words searched for and embedded, so "last week" does not match every memory that says "week". A question that
is about nothing but the time ("what did I do last week", "what do I have next week") is answered from the memories
saved in that stretch or about it (a date resolved at save time falls in it: "dentist next Tuesday", saved on the
24th, is about 1 December; ``Filters.when``), within the caller's own ``since``/``until``, the most like the
question first. Any other question with a time phrase is searched as usual and the candidates saved in or dated in
the stretch gain ``FusionWeights.time`` (``fusion.time_boost``). Times are UTC.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import numpy as np

from ..embeddings import Embedder, SyncEmbedder
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..judge import Verdict, decide
from ..store import Stores
from ..store.records import (
    Filters,
    HybridQuery,
    Memory,
    NewMemory,
    Replacement,
    Scored,
)
from . import expiry, outcomes, timeparse
from . import validation as v
from .changes import HISTORY_LIMIT, Change, ChangesMixin, shorten
from .documents import DocumentsMixin
from .fusion import FusionWeights
from .reading import HEAD_HOPS, ReadingMixin, SearchResult
from .rows import MAX_SEQ, Page, decode_cursor, encode_cursor, vec_bytes
from .scope import Target, Who, actor, by_owner, check_write, read_parts, readable, write_target
from .text import dedup_key, facts_signature, query_terms
from .transfer import TransferMixin

__all__ = ["MAX_SEQ", "AddResult", "Change", "MemoryService", "Page", "SearchResult", "decode_cursor",
           "encode_cursor", "shorten"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
NEAR_DUPLICATE = 0.97
REPLACE_CANDIDATES = 5  # current memories (of each side, lexical and dense) a new one is judged against
CANDIDATE_TERMS = 8  # lexical terms of a new memory used to find them (bounds the cost of an add)
CONFIRMED = 3  # doubtful verdicts per new memory put to ``confirm`` (an LLM), at once
# ``confirm(new, old)``: does ``new`` replace ``old``? True or False, or None when it cannot say.
Confirm = Callable[[str, str], Awaitable[bool | None]]
@dataclass(frozen=True, slots=True)
class AddResult:
    memory: Memory
    created: bool
    replaced: tuple[Memory, ...] = ()  # the memories it replaced, as they are now (marked, ``replaced_value`` set)
    flagged: tuple[Memory, ...] = ()  # the memories it may make outdated, as they are now (``possibly_outdated_by``)
    reasons: Mapping[str, str] = field(default_factory=dict)  # old memory id -> why ("your phone: 555 -> 556")


@dataclass(frozen=True, slots=True)
class _Fresh:
    index: int
    item: NewMemory
    outcome: outcomes.Outcome


def _result(memory: Memory, outcome: outcomes.Outcome) -> AddResult:
    replaced = tuple(dataclasses.replace(m, superseded_by=memory.id, valid_until=memory.created_at,
                                         replaced_value=value, possibly_outdated_by=None)
                     for m, value, _ in outcome.replaced)
    flagged = tuple(dataclasses.replace(m, possibly_outdated_by=memory.id) for m, _ in outcome.flagged)
    reasons = {m.id: r for m, _, r in outcome.replaced} | {m.id: r for m, r in outcome.flagged}
    return AddResult(memory, True, replaced, flagged, reasons)


def _occurred(value: object, n: int) -> list[float | None]:
    """``occurred_at`` per text: one value for all, or a list of one per text (None where not given)."""
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise InvalidInput(f"occurred_at: give one time for all, or one per memory ({n}), not {len(value)}")
        return [v.when_field(x, "occurred_at") for x in value]
    one = v.when_field(value, "occurred_at")
    return [one] * n


class MemoryService(ReadingMixin, ChangesMixin, DocumentsMixin, TransferMixin):
    def __init__(
        self, stores: Stores, embedder: Embedder, limits: v.Limits | None = None, weights: FusionWeights | None = None,
        clock: Callable[[], float] = time.time, confirm: Confirm | None = None,
    ) -> None:
        self.stores = stores
        self.embedder = embedder
        # A local embedder's blocking call, for a store to run in its worker thread; asked once, as a runtime
        # Protocol check walks the protocol's members on every call.
        self._embed_sync = embedder.embed_sync if isinstance(embedder, SyncEmbedder) else None
        self.limits = limits or v.Limits()
        self.weights = weights or FusionWeights()
        self.clock = clock  # "now" for time words in questions
        self.confirm = confirm  # a second opinion on doubtful replacements (``llm.confirm_replacement``)

    # -- writing ---------------------------------------------------------------------------------------

    async def add(
        self, who: Who, text: object, tags: object = None, client_id: str | None = None,
        metadata: object = None, created_at: float | None = None, updated_at: float | None = None,
        expires: object = None, infer_expiry: bool = False, judge: bool = True, replaces: object = None,
        occurred_at: object = None, space: object = None,
    ) -> list[AddResult]:
        """Add one or many memories; duplicates are not stored again, their existing memory is returned.

        ``expires``: an ISO date or date and time, or a duration such as ``30d`` (``expiry.parse_expires``), or
        UNIX seconds. ``infer_expiry``: without ``expires``, plainly temporary facts get ``expiry.expiry_for``.
        ``judge``: check each new memory against the user's current ones: the one it certainly replaces is marked
        replaced, those it may make outdated are flagged (``judge.decide``, ``outcomes.choose``).
        ``replaces``: ids of the user's current memories the new one makes outdated (the assistant's judgment):
        marked replaced at once (with several texts, by the first one). ``occurred_at``: when the facts were said
        or happened (ISO 8601 or UNIX seconds; one for all, or a list with one per text): relative dates resolve
        against it, and replacement and flags go by it. ``space``: the space they go to (its id, or the name of one
        of the account's own spaces; ``who``'s default when None); duplicates, replacements and flags are looked for
        in that space only.
        """
        now = time.time()
        target = write_target(who, space)
        expires_at = self._expires(expires, now)
        explicit = v.ids_field(replaces, "replaces")
        args = (target, text, tags, client_id, metadata, created_at, updated_at, expires_at, infer_expiry, judge,
                explicit, occurred_at)
        try:
            return await self._add(*args)
        except Conflict:  # a concurrent add stored one of these texts between our check and our insert
            return await self._add(*args)

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
            return expiry.parse_expires(value, datetime.fromtimestamp(now, UTC)).timestamp()
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(str(exc)) from exc

    async def _add(
        self, target: Target, text: object, tags: object, client_id: str | None, metadata: object,
        created_at: float | None, updated_at: float | None, expires_at: float | None, infer_expiry: bool,
        judge: bool, explicit: Sequence[str], occurred_at: object,
    ) -> list[AddResult]:
        user_id, space_id = target.owner, target.space_id
        texts, keys = await off_loop(_chars(text, self.limits.batch), _texts_and_keys, text, self.limits)
        tag_tuple = v.tags_field(tags)
        meta = v.metadata_field(metadata)
        occurred = _occurred(occurred_at, len(texts))
        named = await self._named(space_id, explicit)
        existing = await self.stores.memories.find_by_keys(user_id, list(set(keys)), space_id)
        now = time.time()
        expired = [m.id for m in existing.values() if m.expires_at is not None and m.expires_at <= now]
        if expired:  # saying an expired fact again makes it a new memory
            await self.stores.memories.delete(user_id, expired, actor=target.author_id)
            existing = {k: m for k, m in existing.items() if m.id not in expired}
        vectors = await self._vectors(texts, keys, existing)
        lazy = len(texts) == 1 and self._embed_sync is not None  # the one text is embedded in the store's call
        results: list[AddResult | None] = [None] * len(texts)
        fresh: list[_Fresh] = []
        batch_seen: dict[str, int] = {}
        for i, (t, key) in enumerate(zip(texts, keys, strict=True)):
            if key in existing:
                results[i] = AddResult(existing[key], False)
                continue
            if key in batch_seen:
                continue
            near, candidates, cosines, vector = await self._neighbours(user_id, space_id, t, vectors[i], overlap=lazy)
            if near is not None:
                results[i] = AddResult(near, False)
                continue
            at = occurred[i]
            when = at if at is not None else (created_at or now)
            outcome = await self._outcome(user_id, t, key, candidates, cosines, when) if judge else outcomes.Outcome()
            if named and not fresh:  # the assistant's own judgment: certain, and no other replacement beside it
                outcome = outcomes.Outcome([(m, None, "named by the assistant") for m in named],
                                           [f for f in outcome.flagged if f[0].id not in {m.id for m in named}])
            batch_seen[key] = i
            saved_at = datetime.fromtimestamp(when, UTC)
            ends, dates = await off_loop(len(t), _when, t, saved_at, expires_at, infer_expiry)
            newer = outcome.superseded_by
            item = NewMemory(t, key, vec_bytes(vector), tag_tuple, client_id, meta, created_at=created_at,
                             updated_at=updated_at, expires_at=ends, dates=dates,
                             replaces=tuple(Replacement(m.id, value) for m, value, _ in outcome.replaced),
                             flags=tuple(m.id for m, _ in outcome.flagged), occurred_at=occurred[i],
                             superseded_by=newer, valid_until=now if newer else None,
                             possibly_outdated_by=outcome.flagged_by, space_id=space_id,
                             author_id=target.author_id)
            fresh.append(_Fresh(i, item, outcome))
        if fresh:
            stored = await self.stores.memories.insert(user_id, [f.item for f in fresh])
            for f, memory in zip(fresh, stored, strict=True):
                results[f.index] = _result(memory, f.outcome)
        elif named:  # the text was known already: the named memories are replaced by the one that says it
            at, known = next((i, r) for i, r in enumerate(results) if r is not None)
            results[at] = await self._replaced_by_known(user_id, named, known.memory)
        for i, key in enumerate(keys):
            if results[i] is None:
                first = results[batch_seen[key]]
                assert first is not None
                results[i] = AddResult(first.memory, False)
        return [r for r in results if r is not None]

    async def _replaced_by_known(self, user_id: str, named: Sequence[Memory], by: Memory) -> AddResult:
        """``named`` replaced by ``by``, a memory already stored. When ``by`` was flagged by one of them (or by one
        of their earlier versions), that flag no longer holds: ``by`` is now the latest version of the flagger's
        chain, and confirming it would hide both."""
        done = [m for m in [await self.stores.memories.resolve_flag(user_id, m.id, True, new_id=by.id)
                            for m in named] if m is not None]
        if done and by.possibly_outdated_by is not None:
            chain = await self.stores.memories.versions(user_id, by.id, HISTORY_LIMIT)
            if by.possibly_outdated_by in {m.id for m in chain}:
                by = await self.stores.memories.resolve_flag(user_id, by.id, False) or by
        return AddResult(by, False, tuple(done), reasons={m.id: "named by the assistant" for m in done})

    async def _named(self, space_id: str, ids: Sequence[str]) -> list[Memory]:
        """The current memories ``replaces`` names, of the space written to (a replacement never crosses spaces); a
        clear error, before anything is saved, for any other id."""
        if not ids:
            return []
        found = {m.id: m for m in await self.stores.memories.get_in_spaces([space_id], ids)
                 if m.document_id is None and m.superseded_by is None}
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidInput(f"replaces: no current memory with id {missing[0]} in the space written to (ids come "
                               "from search_memory, list_memories or jean_memory results)")
        return [found[i] for i in ids]

    async def _vectors(self, texts: Sequence[str], keys: Sequence[str], existing: Mapping[str, Memory]
                       ) -> list[Callable[[], np.ndarray]]:
        """Each text's embedding, as a callable. One new text with a local
        embedder is embedded inside the store's candidate call (``_neighbours``), as a search is: one hop to a worker
        thread fewer; and a text already stored is not embedded at all. Otherwise every text is embedded here in one
        batch."""
        embed_sync = self._embed_sync
        if len(texts) == 1 and embed_sync is not None:
            text, known = texts[0], keys[0] in existing
            done: list[np.ndarray] = []

            def lazy() -> np.ndarray:
                if not done:
                    done.append(embed_sync([text])[0])
                return done[0]

            return [lazy] if not known else []
        vectors = await self.embedder.embed(texts)
        return [_constant(row) for row in vectors]

    async def _neighbours(self, user_id: str, space_id: str, text: str, vector: Callable[[], np.ndarray],
                          overlap: bool = False) -> tuple[Memory | None, list[Memory], dict[int, float], np.ndarray]:
        """A near duplicate of ``text`` among the user's current memories (or None), the current memories nearest to
        it, lexically and densely (``REPLACE_CANDIDATES`` of each): one store call; the embedding cosine of
        those the dense side found, by ``seq`` (both stores score dense hits by cosine); and ``text``'s vector (the
        store asks ``vector`` for it, in its worker thread, where it may be computed). ``overlap``: ``vector``
        computes, and may run beside the lexical query (``HybridQuery.overlap``). That query reads only the text's
        rarer words (``common_terms=False``), about 1 ms at 10k memories: beside it a dialogue turn's add took
        15.6 ms against 17.3 ms after it (in-process, 10k memories, 2 vCPUs). Before the common words were left
        out, the lexical side took ~5 ms and running the two at once slowed both (the embedding 6 -> 12 ms)."""
        dense_hits: list[Scored] = []

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            dense_hits.extend(dense)
            return list({s.seq: s for s in (*dense, *lexical)}.values())

        terms = await off_loop(len(text), query_terms, text, CANDIDATE_TERMS)
        query = HybridQuery(tuple(terms), vector, REPLACE_CANDIDATES, 2 * REPLACE_CANDIDATES,
                            Filters(include_history=True, spaces=(space_id,)), rank, best_possible=False,
                            overlap=overlap,
                            common_terms=False)
        now = time.time()
        found = [m for m, _ in await self.stores.memories.hybrid(user_id, query)
                 if m.superseded_by is not None or m.is_current(now)]  # current ones, and replaced ones
        close = {h.seq for h in dense_hits[:3] if h.score >= NEAR_DUPLICATE}
        near = [m for m in found if m.seq in close and m.superseded_by is None]
        same = await off_loop(len(text) + sum(len(m.text) for m in near), _same_facts, text, near) if near else None
        cosines = {h.seq: h.score for h in dense_hits}
        return same, found, cosines, vector()

    async def _outcome(self, user_id: str, text: str, key: str, candidates: Sequence[Memory],
                       cosines: Mapping[int, float], when: float) -> outcomes.Outcome:
        """What ``text`` does to the candidates (``outcomes.choose`` over ``judge.decide``, off the event loop). A
        replaced candidate that says what ``text`` says is a change back: the latest version of its chain is
        replaced. With ``confirm`` (an LLM), the first ``CONFIRMED`` flags are put to it at once: yes replaces,
        no drops the flag, no answer keeps it."""
        current = [m for m in candidates if m.document_id is None and m.superseded_by is None]
        back = [m for m in candidates if m.superseded_by is not None and m.document_id is None
                and (dedup_key(m.text) == key or cosines.get(m.seq, 0.0) >= NEAR_DUPLICATE)]
        judged = await off_loop(len(text) + sum(len(m.text) for m in current), _judged, text, current, cosines)
        if back:
            versions = await self.stores.memories.versions(user_id, back[0].id, HEAD_HOPS)  # head first
            head = versions[0] if versions else None
            if head is not None and head.superseded_by is None and head.id != back[0].id and head.is_current(when):
                reason = f"back to what it was before: {shorten(back[0].text)}"
                judged = [j for j in judged if j.memory.id != head.id]
                judged.append(outcomes.Judged(head, Verdict("replace", reason, "restated", None, 1.0), 1.0))
        outcome = outcomes.choose(judged, when)
        if self.confirm is not None and outcome.flagged:
            asked = outcome.flagged[:CONFIRMED]
            answers = await asyncio.gather(*(self.confirm(text, m.text) for m, _ in asked))
            yes = [(m, r) for (m, r), a in zip(asked, answers, strict=True) if a is True]
            no = {m.id for (m, _), a in zip(asked, answers, strict=True) if a is False}
            outcome.replaced += [(m, None, f"{r} (confirmed)") for m, r in yes]
            done = no | {m.id for m, _ in yes}
            outcome.flagged = [(m, r) for m, r in outcome.flagged if m.id not in done]
        return outcome

    async def update(self, who: Who, memory_id: object, text: object = None, tags: object = None,
                     metadata: object = None) -> Memory:
        """Change a memory's text, tags or metadata (what is given; tags and metadata replace the old ones). The id
        stays with the memory; a changed text keeps the previous one as a replaced version (``history``)."""
        mid = v.id_field(memory_id)
        if text is None and tags is None and metadata is None:
            raise InvalidInput("give the new text, tags or metadata of the memory")
        tag_tuple = v.tags_field(tags) if tags is not None else None
        meta = v.metadata_field(metadata) if metadata is not None else None
        new_text = key = embedding = None
        found = await readable(self.stores, who, [mid])
        if not found or found[0].document_id is not None:
            raise NotFound(f"no memory with id {mid}")
        check_write(who, found[0])
        user_id, space_id = found[0].user_id, found[0].space_id or found[0].user_id
        if text is not None:
            new_text = v.text_field(text, "memory text", self.limits.memory_bytes)
            key = dedup_key(new_text)
            same = (await self.stores.memories.find_by_keys(user_id, [key], space_id)).get(key)
            if same is not None and same.id != mid:
                raise Conflict(f"memory {same.id} already says this; change the text or delete one of the two")
            embedding = vec_bytes((await self.embedder.embed([new_text]))[0])
        memory = await self.stores.memories.update(user_id, mid, new_text, key, embedding, tag_tuple, meta,
                                                   actor=actor(who))
        if memory is None:
            raise NotFound(f"no memory with id {mid}")
        return memory

    async def delete(self, who: Who, memory_ids: object) -> int:
        """Delete the memories among ``memory_ids`` that ``who`` reaches; how many. Nothing is deleted when one of
        them is in a space ``who`` may only read (``errors.Forbidden`` naming it)."""
        if isinstance(memory_ids, str):
            memory_ids = [memory_ids]
        if not isinstance(memory_ids, Sequence) or not memory_ids:
            raise InvalidInput("memory_ids must be a non-empty list of memory ids")
        if len(memory_ids) > 1000:
            raise InvalidInput("at most 1000 ids per call")
        ids = [v.id_field(m) for m in memory_ids]
        if isinstance(who, str):
            return await self.stores.memories.delete(who, ids)
        found = [m for m in await readable(self.stores, who, ids) if m.document_id is None]
        for m in found:
            check_write(who, m)
        done = 0
        for owner, group in by_owner(found).items():
            done += await self.stores.memories.delete(owner, [m.id for m in group], actor=who.user_id)
        return done

    async def delete_all(self, who: Who) -> int:
        """Every memory ``who`` may delete: an account's own, or those of the spaces a connection may write to."""
        if isinstance(who, str):
            return await self.stores.memories.delete(who, None)
        spaces = [s for s in who.spaces if s.can_write]
        if not spaces:
            raise Forbidden("this connection may only read its spaces, so it cannot delete memories")
        done = 0
        for part in read_parts(who):
            ids = tuple(i for i in part.spaces or () if (s := who.get(i)) is not None and s.can_write)
            if ids:
                done += await self.stores.memories.delete(part.owner, None, spaces=ids, actor=who.user_id)
        return done

# -- the text scans of an add ---------------------------------------------------------------------------

OFF_LOOP_CHARS = 4096  # an add that reads more characters than this does its text scans in a worker thread


async def off_loop(chars: int, fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``fn(*args)``: one of an add's text scans (validation and keys, dates and expiry, the judgment), which read
    ``chars`` characters. The usual short texts are read here (a hop to a thread costs two thread wake-ups); longer
    ones in a worker thread, so that a batch of 64 KB memories never holds the event loop (each scan is linear or
    bounded, so no one call holds the interpreter for long either)."""
    if chars <= OFF_LOOP_CHARS:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


def _chars(text: object, batch: int) -> int:
    """How many characters ``text`` (one memory text or a list of them, not yet checked) holds, for ``off_loop``."""
    if isinstance(text, str):
        return len(text)
    if isinstance(text, Sequence) and not isinstance(text, bytes | bytearray) and len(text) <= batch:
        return sum(len(t) for t in text if isinstance(t, str))
    return 0


def _texts_and_keys(text: object, limits: v.Limits) -> tuple[list[str], list[str]]:
    texts = v.texts_field(text, limits)
    return texts, [dedup_key(t) for t in texts]


def _when(text: str, saved_at: datetime, expires_at: float | None, infer_expiry: bool
          ) -> tuple[float | None, tuple[dict[str, str], ...]]:
    """When a new memory expires (``expires_at``, else inferred when asked), and the dates its time words mean."""
    ends = expires_at
    if ends is None and infer_expiry:
        inferred = expiry.expiry_for(text, saved_at)
        ends = inferred.timestamp() if inferred is not None else None
    dates = tuple({"phrase": d.phrase, "start": d.start.isoformat(), "end": d.end.isoformat()}
                  for d in timeparse.resolve_dates(text, saved_at))
    return ends, dates


def _same_facts(text: str, near: Sequence[Memory]) -> Memory | None:
    """The first of ``near`` (close in meaning) with the same numbers and negations as ``text``: a near duplicate."""
    signature = facts_signature(text)
    return next((m for m in near if facts_signature(m.text) == signature), None)


def _judged(text: str, current: Sequence[Memory], cosines: Mapping[int, float]) -> list[outcomes.Judged]:
    return [outcomes.Judged(m, decide(text, m.text, cosines.get(m.seq)), cosines.get(m.seq)) for m in current]






def _constant(row: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: row
