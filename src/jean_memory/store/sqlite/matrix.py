"""A user's vectors in memory for dense search on SQLite, and the search filters applied to them with numpy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from ..records import Filters, Memory, Scored, date_spans, overlaps

SPLIT_ROWS = 4096  # from here ``UserMatrix.top`` scores in two threads when given a helper


@dataclass(slots=True)
class UserMatrix:
    """One user's live vectors, with what the search filters need (time, chunk or memory, app, tags, replaced,
    expiry), in ``seq`` order. Arrays may hold spare rows past ``size`` so that appends are cheap; a reader takes
    ``size`` first, and rows below it never change, except ``replaced`` flags set by ``mark_replaced`` (a reader
    sees the flag before or after, both consistent snapshots of one row)."""

    version: int
    seqs: np.ndarray
    vectors: np.ndarray
    created: np.ndarray
    is_chunk: np.ndarray
    client_ids: list[str | None]
    tags: list[frozenset[str]]
    size: int = 0
    replaced: np.ndarray | None = None  # bool per row: another memory replaced it (None: none replaced)
    expires: np.ndarray | None = None  # float per row: expiry time, +inf for none (None: none expire)
    dated: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # seq -> resolved dates, if any
    # The space of each row as a small code (``space_codes``; one array even when the rows are in one space) and
    # each space id's code: a filter naming every space here costs nothing, any other one a lookup by code.
    space_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    space_index: dict[str, int] = field(default_factory=dict)

    def mask(self, filters: Filters) -> np.ndarray:
        """Which of the first ``size`` rows the filters keep."""
        n = self.size
        created = self.created[:n]
        mask = np.ones(n, dtype=bool)
        if not filters.include_chunks:
            mask &= ~self.is_chunk[:n]
        if not filters.include_history:
            if self.replaced is not None:
                mask &= ~self.replaced[:n]
            if self.expires is not None:
                mask &= self.expires[:n] > time.time()
        if filters.spaces is not None:
            codes = [self.space_index[s] for s in filters.spaces if s in self.space_index]
            if len(set(codes)) < len(self.space_index):
                mask &= self._in_spaces(codes)
        if filters.since is not None:
            mask &= created >= filters.since
        if filters.until is not None:
            mask &= created < filters.until
        days = filters.when_days()
        if filters.when is not None and days is not None:
            mask &= self._when(filters.when, days)
        if filters.client_id is not None or filters.tags:
            wanted = set(filters.tags)
            mask &= np.array([
                (filters.client_id is None or cid == filters.client_id) and wanted <= tags
                for cid, tags in zip(self.client_ids[:n], self.tags[:n], strict=True)
            ], dtype=bool)
        return mask

    def _in_spaces(self, codes: list[int]) -> np.ndarray:
        """Rows of the spaces with these codes. At 10k rows one comparison costs 1.5 us: up to 8 spaces they are
        OR-ed; beyond, a lookup table by code (``np.take``, 26 us; ``np.isin`` takes 136)."""
        rows = self.space_codes[: self.size]
        if len(codes) <= 8:
            keep = rows == codes[0] if codes else np.zeros(len(rows), dtype=bool)
            for code in codes[1:]:
                keep |= rows == code
            return keep
        wanted = np.zeros(len(self.space_index), dtype=bool)
        wanted[codes] = True
        return np.take(wanted, rows)

    def _when(self, window: tuple[float, float], days: tuple[str, str]) -> np.ndarray:
        """Rows saved in ``window`` or holding a resolved date in ``days``."""
        n = self.size
        keep = (self.created[:n] >= window[0]) & (self.created[:n] < window[1])
        about = [seq for seq, spans in self.dated.items() if overlaps(spans, days)]
        if about:
            wanted = np.asarray(about, dtype=np.int64)
            at = np.minimum(np.searchsorted(self.seqs[:n], wanted), n - 1)
            keep[at[self.seqs[at] == wanted]] = True
        return keep

    def top(self, vector: np.ndarray, limit: int, mask: np.ndarray, helper: Executor | None = None) -> list[Scored]:
        """The ``limit`` best cosine scores among the rows ``mask`` keeps (``mask`` from ``self.mask``).

        With ``helper``, a matrix of ``SPLIT_ROWS`` or more is scored in two halves at once, one in ``helper``: the
        product reads every vector from memory (15 MB at 10k memories) and one core cannot draw it in as fast as
        two (1.35 against 0.96 ms at 10k, cold caches, 2 vCPUs). Each score is the same dot product either way."""
        n = len(mask)
        k = min(limit, int(mask.sum()))
        if k <= 0:
            return []
        query, rows = vector.astype(np.float32), self.vectors[:n]
        if helper is not None and n >= SPLIT_ROWS:
            products, half = np.empty(n, dtype=np.float32), n // 2
            first = helper.submit(np.dot, rows[:half], query, products[:half])
            np.dot(rows[half:], query, products[half:])
            first.result()
        else:
            products = rows @ query
        scores = np.where(mask, products, -np.inf)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        dated, clients = self.dated, self.client_ids
        return [Scored(seq, score, at, clients[i], dated.get(seq, ()) if dated else ())
                for i, seq, score, at in zip(top.tolist(), self.seqs[top].tolist(), scores[top].tolist(),
                                             self.created[top].tolist(), strict=True)]

    def lookup(
        self, seqs: Sequence[int], mask: np.ndarray
    ) -> tuple[dict[int, tuple[float, str | None, tuple[tuple[str, str], ...]]], list[int]]:
        """For hits found elsewhere: ``created_at``, ``client_id`` and resolved dates of those held here that
        ``mask`` keeps, and the seqs not held."""
        n = len(mask)
        if n == 0:
            return {}, list(seqs)
        wanted = np.asarray(seqs, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.seqs[:n], wanted), n - 1)
        held = self.seqs[at] == wanted
        kept = {int(s): (float(self.created[i]), self.client_ids[i], self.dated.get(int(s), ()))
                for s, i, h in zip(wanted, at, held, strict=True) if h and mask[i]}
        return kept, [int(s) for s, h in zip(wanted, held, strict=True) if not h]

    def space_code(self, space_id: str) -> int:
        """The code of ``space_id``, given one when new."""
        code = self.space_index.get(space_id)
        if code is None:
            code = self.space_index[space_id] = len(self.space_index)
        return code

    def mark_replaced(self, seqs: Sequence[int]) -> None:
        """Flag rows another memory replaced (those not held here are ignored)."""
        n = self.size
        if not seqs or n == 0:
            return
        if self.replaced is None:
            self.replaced = np.zeros(len(self.seqs), dtype=bool)
        wanted = np.asarray(seqs, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.seqs[:n], wanted), n - 1)
        self.replaced[at[self.seqs[at] == wanted]] = True

    def append(self, memories: Sequence[Memory], vectors: np.ndarray) -> None:
        k, need = len(memories), self.size + len(memories)
        if need > len(self.seqs):
            cap = max(need, 2 * len(self.seqs), 64)
            self.seqs = _grow(self.seqs, cap, self.size)
            self.vectors = _grow(self.vectors, cap, self.size)
            self.created = _grow(self.created, cap, self.size)
            self.is_chunk = _grow(self.is_chunk, cap, self.size)
            self.space_codes = _grow(self.space_codes, cap, self.size)
            if self.replaced is not None:
                self.replaced = _grow(self.replaced, cap, self.size)
            if self.expires is not None:
                self.expires = _grow(self.expires, cap, self.size)
        rows = slice(self.size, need)
        if self.replaced is None and any(m.superseded_by is not None for m in memories):
            self.replaced = np.zeros(len(self.seqs), dtype=bool)
        if self.replaced is not None:
            self.replaced[rows] = [m.superseded_by is not None for m in memories]
        if self.expires is None and any(m.expires_at is not None for m in memories):
            self.expires = np.full(len(self.seqs), np.inf, dtype=np.float64)
        if self.expires is not None:
            self.expires[rows] = [np.inf if m.expires_at is None else m.expires_at for m in memories]
        self.seqs[rows] = [m.seq for m in memories]
        self.vectors[rows] = vectors
        self.created[rows] = [m.created_at for m in memories]
        self.is_chunk[rows] = [m.document_id is not None for m in memories]
        self.space_codes[rows] = [self.space_code(m.space_id or m.user_id) for m in memories]
        self.client_ids.extend(m.client_id for m in memories)
        self.dated.update((m.seq, spans) for m in memories if m.dates and (spans := date_spans(m.dates)))
        self.tags.extend(frozenset(m.tags) for m in memories)
        self.size += k


def _grow(array: np.ndarray, capacity: int, used: int) -> np.ndarray:
    bigger = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    bigger[:used] = array[:used]
    return bigger
