"""Hybrid rank fusion (pure functions).

Reciprocal-rank fusion throws away how *much* better the first hit is, and on conversational memory
(LoCoMo) plain RRF with a small embedding model is worse than BM25 alone. Here each list's scores are
normalised against its own best hit (BM25 by its top score; cosine into [floor, top]) and combined with
weights, so a strong lexical match is not outvoted by a merely plausible semantic one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..store.records import Scored


@dataclass(frozen=True, slots=True)
class FusionWeights:
    lexical: float = 0.6
    dense: float = 0.4
    dense_floor: float = 0.15


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
    ranked = sorted(combined.items(), key=lambda kv: (-kv[1], -kv[0]))
    return [Scored(seq, score) for seq, score in ranked]
