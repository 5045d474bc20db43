"""Hybrid rank fusion and context smoothing (pure functions).

Reciprocal-rank fusion throws away how *much* better the first hit is, and on conversational memory
(LoCoMo) plain RRF with a small embedding model is worse than BM25 alone. Here each list's scores are
normalised against its own best hit (BM25 by its top score; cosine into [floor, top], so a weak cosine
counts for nothing) and combined with weights, so a strong lexical match is not outvoted by a merely
plausible semantic one.

No padding. A candidate that matched no query word enters only with a cosine of at least ``dense_min``
(0.3), an absolute bar, whatever the best cosine was; and a candidate whose final score is 0 is never
returned. MiniLM cosines between everyday questions and memories (``tests/memory/small_stores.json``, 1,115
questions): unrelated memories score 0.07 at the median, 0.23 at the 95th and 0.33 at the 99th percentile,
so 0.3 lets about 2% of them through; the right memory, when it shares no word with the question, scores 0.38
at the median. Lowering the bar to 0.2 found the right memory first a little more often on small stores (79%
against 77%) but returned twice as many results per search and lost 0.4 points of LoCoMo recall@10.

Weak lexical matches. Against its own best hit alone, a lone hit sharing one common word with the question ("My
sister lives in Berlin" for "which city do I live in") would count in full. So when the store knows the query's
best possible lexical score (``Scored.best``: on SQLite the BM25 of a memory holding every query word, the sum of
their IDFs; on PostgreSQL the rank of the query's own words as a memory), each hit is normalised against the
larger of the top hit and ``lexical_best`` (0.5) x that, and a share below ``lexical_floor`` (0.2) counts for
nothing, as a cosine below ``dense_floor`` does. And a candidate whose lexical score is below ``weak_lexical``
(0.5) of the best possible, i.e. it matched less than half of what the question could match, is never ranked
above the best cosine match when that match is strong: at least ``dense_min`` and standing out, ``strong_margin``
(0.2) above the ``strong_rank``-th (10th) nearest memory's cosine. It can only reorder what ranks below it. Among
a person's separate facts the answer stands apart from the rest ("I just moved to Lyon" 0.475, the 10th 0.13);
among hundreds of dialogue turns the nearest few crowd together and the best cosine is no clear answer: without
the margin the rule cost LoCoMo 4 points of recall@1 (31.2 -> 27.4), with it none.
Measured (``bench/results/locomo.md``, ``tests/memory/test_small_stores.py``): LoCoMo hybrid R@10 70.3 -> 71.5 (with
dated memories in time questions),
small-store first-hit rate 76.3% -> 81.4% (the first 44 stores) and 92.3% -> 94.0% (16 stores written before
tuning). A weight shift towards the dense side when lexical evidence is weak, also tried, gained small stores
1 more point but cost LoCoMo 4 to 17 points of recall@10.

Then ``context_boost``: memories saved together usually belong to one exchange, and the answer often sits
beside the memory that shares the question's words ("Have you tried pottery?" / "Yes! I made this bowl last
week"). Each candidate gains ``context`` x its best such neighbour's score. *Together* means all three of:
within ``context_seq_gap`` inserts of each other, saved by the same app (``client_id``; an add call always
is), and within ``context_seconds`` (120 s; one add call shares one time). Separate facts a person saved
on different days, or from different apps, are never neighbours however close their insertion order.
LoCoMo stores one turn a minute, so 120 s with a gap of 2 keeps every neighbour it had with 600 s (60 s
loses 1.7 points of recall@10).

The cap. Borrowed score never lifts a memory above a strong direct match: a boosted candidate is held at or
below (ties go to the direct match) every candidate whose own fused score is at least ``context_strong``
(0.95) x the best fused score and higher than the boosted one's own. So the best direct hits keep their
place, and the boost only reorders what ranks below them, where it found the LoCoMo answers. Two stricter
caps were measured and dropped: capping a boosted candidate at its neighbour's own score, and capping the
boost at a fixed amount (0.2) or at strong = 0.5-0.7 x best; each cost 0.2 to 3 points of LoCoMo recall@10
and changed nothing on small stores. Measured on LoCoMo in ``bench/results/locomo.md``.

Last ``time_boost``: when the question names a stretch of time ("last week", "in May 2023"), candidates saved in
it, or whose resolved dates fall in it, gain ``weights.time``.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..store.records import Scored


@dataclass(frozen=True, slots=True)
class FusionWeights:
    lexical: float = 0.7
    dense: float = 0.3
    dense_floor: float = 0.3
    # The least cosine a candidate with no query word needs to be returned at all.
    dense_min: float = 0.3
    # Lexical hits are normalised against max(top hit, lexical_best x the query's best possible score); a share
    # below lexical_floor counts nothing; below weak_lexical of the best possible, never above the best cosine.
    lexical_best: float = 0.5
    lexical_floor: float = 0.2
    weak_lexical: float = 0.5
    # A best cosine is strong when it is this far above the strong_rank-th nearest memory's cosine.
    strong_margin: float = 0.2
    strong_rank: int = 10
    # Context smoothing: share of the best neighbour's score, and what makes two memories saved together.
    context: float = 0.4
    context_seq_gap: int = 2
    context_seconds: float = 120.0
    # Candidates at or above this share of the best fused score are never passed by a boosted one.
    context_strong: float = 0.95
    # Added to a candidate saved in (or dated in) the stretch of time the question names.
    time: float = 0.2


@dataclass(slots=True)
class Saved:
    """When and by which app a candidate was saved: what decides whether two memories were saved together.
    Not frozen, as ``Scored``: a search makes one per candidate."""

    created_at: float
    client_id: str | None


def fuse(lexical: Sequence[Scored], dense: Sequence[Scored], weights: FusionWeights = FusionWeights()) -> list[Scored]:
    """Combine two scored lists into one, best first; ties keep the newer item first.

    A dense-only candidate below ``weights.dense_min`` is left out; a lexical one below the floor is kept (its
    score is its lexical part). Weak lexical matches count less and never pass the best cosine (see the module)."""
    combined: dict[int, float] = {}
    best = max((s.best for s in lexical if s.best is not None), default=0.0)
    if lexical:
        top = max(s.score for s in lexical)
        scale = max(top, weights.lexical_best * best)
        floor = weights.lexical_floor if best > 0 else 0.0
        if top > 0:
            for s in lexical:
                share = max(0.0, (s.score / scale - floor) / (1.0 - floor))
                combined[s.seq] = combined.get(s.seq, 0.0) + weights.lexical * share
    if dense:
        top = max(s.score for s in dense)
        span = top - weights.dense_floor
        if span > 0:
            for s in dense:
                if s.seq not in combined and s.score < weights.dense_min:
                    continue
                part = max(0.0, (s.score - weights.dense_floor) / span)
                combined[s.seq] = combined.get(s.seq, 0.0) + weights.dense * part
    if best > 0 and dense:
        _below_best_cosine(combined, lexical, _strong_nearest(dense, weights), weights.weak_lexical * best)
    return _ranked(combined, combined)


def _strong_nearest(dense: Sequence[Scored], weights: FusionWeights) -> Scored | None:
    """The best cosine match, if strong: at least ``dense_min`` and ``strong_margin`` above the ``strong_rank``-th
    (0 when there are fewer candidates)."""
    nearest = heapq.nlargest(weights.strong_rank, dense, key=lambda s: s.score)
    if nearest[0].score < weights.dense_min:
        return None
    crowd = nearest[-1].score if len(nearest) == weights.strong_rank else 0.0
    return nearest[0] if nearest[0].score - crowd >= weights.strong_margin else None


def _below_best_cosine(combined: dict[int, float], lexical: Sequence[Scored], nearest: Scored | None,
                       weak: float) -> None:
    """Hold each candidate whose lexical score is below ``weak`` just below the best cosine match ``nearest``."""
    if nearest is None or nearest.seq not in combined:
        return
    cap = math.nextafter(combined[nearest.seq], 0.0)
    for s in lexical:
        if s.seq != nearest.seq and s.score < weak and combined[s.seq] > cap:
            combined[s.seq] = cap


def context_boost(
    fused: Sequence[Scored], saved: Mapping[int, Saved], weights: FusionWeights = FusionWeights()
) -> list[Scored]:
    """Add ``weights.context`` x the best neighbour's score to each candidate (capped, see the module), re-rank,
    and drop what still scores 0.

    Only candidates are looked at: a neighbour that matched nothing adds nothing. Candidates missing from
    ``saved`` (deleted meanwhile) are dropped.
    """
    kept = [s for s in fused if s.seq in saved]
    direct = {s.seq: s.score for s in kept}
    if weights.context <= 0 or len(kept) < 2:
        return [s for s in _ranked(direct, direct) if s.score > 0]
    items = sorted(kept, key=lambda s: s.seq)
    bar = weights.context_strong * max(direct.values())
    strong = sorted(score for score in direct.values() if score >= bar)
    gap = weights.context_seq_gap
    boosted: dict[int, float] = {}
    for i, item in enumerate(items):
        best = 0.0
        for j in range(max(0, i - gap), min(len(items), i + gap + 1)):
            other = items[j]
            if j != i and _together(item.seq, other.seq, saved, weights):
                best = max(best, other.score)
        score = item.score + weights.context * best
        above = bisect.bisect_right(strong, item.score)  # the weakest strong match stronger than this one
        if best > 0 and above < len(strong):
            score = min(score, strong[above])
        boosted[item.seq] = score
    return [s for s in _ranked(boosted, direct) if s.score > 0]


def time_boost(
    ranked: Sequence[Scored], created_at: Mapping[int, float], window: tuple[float, float],
    weights: FusionWeights = FusionWeights(), dated: Mapping[int, Sequence[tuple[float, float]]] | None = None,
) -> list[Scored]:
    """Add ``weights.time`` to each candidate saved in ``window`` (epoch seconds, start inclusive, end exclusive)
    or, through ``dated`` (seq -> its resolved dates as epoch [start, end) pairs), about a time that overlaps it;
    then re-rank. Only candidates are looked at: the boost reorders what matched, it never adds a memory."""
    if weights.time <= 0:
        return list(ranked)
    start, end = window
    boosted: dict[int, float] = {}
    for s in ranked:
        when = created_at.get(s.seq)
        hit = when is not None and start <= when < end
        if not hit and dated:
            hit = any(a < end and b > start for a, b in dated.get(s.seq, ()))
        boosted[s.seq] = s.score + (weights.time if hit else 0.0)
    return _ranked(boosted, {s.seq: s.score for s in ranked})



def _together(a: int, b: int, saved: Mapping[int, Saved], weights: FusionWeights) -> bool:
    first, second = saved[a], saved[b]
    return (abs(a - b) <= weights.context_seq_gap and first.client_id == second.client_id
            and abs(first.created_at - second.created_at) <= weights.context_seconds)


def _ranked(scores: Mapping[int, float], direct: Mapping[int, float]) -> list[Scored]:
    """Best first; on equal scores the stronger direct match, then the newer memory."""
    order = sorted(scores.items(), key=lambda kv: (-kv[1], -direct[kv[0]], -kv[0]))
    return [Scored(seq, score) for seq, score in order]
