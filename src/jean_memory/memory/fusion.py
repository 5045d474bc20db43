"""Hybrid rank fusion and context smoothing (pure functions).

Reciprocal-rank fusion throws away how *much* better the first hit is, and on conversational memory
(LoCoMo) plain RRF with a small embedding model is worse than BM25 alone. Here each list's scores are
normalised against its own best hit (BM25 by its top score; cosine into [floor, top], so a weak cosine
counts for nothing) and combined with weights, so a strong lexical match is not outvoted by a merely
plausible semantic one.

Then ``context_boost``: memories saved one right after the other (adjacent in the user's insertion order and
within a few minutes) usually belong to one exchange, and the answer often sits beside the memory that
shares the question's words ("Have you tried pottery?" / "Yes! I made this bowl last week"). Each candidate
gains a share of its best such neighbour's fused score. Measured on LoCoMo in ``bench/results/locomo.md``.

Last ``time_boost``: when the question names a stretch of time ("last week", "in May 2023"), candidates saved in it,
or whose resolved dates fall in it, gain ``weights.time``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..store.records import Scored


@dataclass(frozen=True, slots=True)
class FusionWeights:
    lexical: float = 0.7
    dense: float = 0.3
    dense_floor: float = 0.3
    # Context smoothing: share of the best neighbour's score, and what makes two memories neighbours.
    context: float = 0.4
    context_seq_gap: int = 2
    context_seconds: float = 600.0
    # Added to a candidate saved in (or dated in) the stretch of time the question names.
    time: float = 0.2


def fuse(lexical: Sequence[Scored], dense: Sequence[Scored], weights: FusionWeights = FusionWeights()) -> list[Scored]:
    """Combine two scored lists into one, best first; ties keep the newer item first."""
    combined: dict[int, float] = {}
    if lexical:
        top = max(s.score for s in lexical)
        if top > 0:
            for s in lexical:
                combined[s.seq] = combined.get(s.seq, 0.0) + weights.lexical * (s.score / top)
    if dense:
        top = max(s.score for s in dense)
        span = top - weights.dense_floor
        if span > 0:
            for s in dense:
                part = max(0.0, (s.score - weights.dense_floor) / span)
                combined[s.seq] = combined.get(s.seq, 0.0) + weights.dense * part
    return _ranked(combined)


def context_boost(
    fused: Sequence[Scored], created_at: Mapping[int, float], weights: FusionWeights = FusionWeights()
) -> list[Scored]:
    """Add ``weights.context`` x the best neighbour's score to each candidate, then re-rank.

    Two candidates are neighbours when their ``seq`` (insertion order) differ by at most ``context_seq_gap``
    and their ``created_at`` by at most ``context_seconds``. Only candidates are looked at: a neighbour that
    matched nothing adds nothing. Candidates missing from ``created_at`` (deleted meanwhile) are dropped.
    """
    if weights.context <= 0 or len(fused) < 2:
        return [s for s in fused if s.seq in created_at]
    items = sorted((s for s in fused if s.seq in created_at), key=lambda s: s.seq)
    boosted: dict[int, float] = {}
    for i, item in enumerate(items):
        best = 0.0
        for j in range(max(0, i - weights.context_seq_gap), min(len(items), i + weights.context_seq_gap + 1)):
            other = items[j]
            if (j != i and abs(other.seq - item.seq) <= weights.context_seq_gap
                    and abs(created_at[other.seq] - created_at[item.seq]) <= weights.context_seconds):
                best = max(best, other.score)
        boosted[item.seq] = item.score + weights.context * best
    return _ranked(boosted)


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
    return _ranked(boosted)


def _ranked(scores: dict[int, float]) -> list[Scored]:
    return [Scored(seq, score) for seq, score in sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))]
