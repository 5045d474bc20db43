"""What one new memory does to the current memories it was judged against (pure): at most one replaced (certain,
its latest version), the rest flagged possibly outdated; reversed when the new memory's fact is the older one.

``choose`` takes the verdicts of ``judge.decide`` per candidate. (A pair the person un-replaced or dismissed is
recorded in ``memory_unlinks``; a new memory is always a new pair, so nothing here reads it.) Memories told after
the fact (``occurred_at``) are ordered by when their fact held (``Memory.when``): a backfilled memory older than the
current one it contradicts does not replace it; it is stored already replaced or flagged by it
(``Outcome.superseded_by``, ``Outcome.flagged_by``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..judge import Verdict
from ..store.records import Memory


@dataclass(frozen=True, slots=True)
class Judged:
    memory: Memory
    verdict: Verdict
    similarity: float | None = None


@dataclass(slots=True)
class Outcome:
    replaced: list[tuple[Memory, str | None, str]] = field(default_factory=list)  # (memory, old value, reason)
    flagged: list[tuple[Memory, str]] = field(default_factory=list)  # (memory, reason)
    superseded_by: str | None = None  # the new memory is stored already replaced by this newer one
    flagged_by: str | None = None  # the new memory is stored already flagged by this newer one


def choose(judged: Sequence[Judged], when: float) -> Outcome:
    """``when``: the new memory's time (``occurred_at`` or now)."""
    out = Outcome()
    live = [j for j in judged if j.verdict.outcome != "none"]
    later = [j for j in live if j.memory.when > when]  # told after the fact: the newer fact stands
    for j in later:
        if j.verdict.outcome == "replace" and out.superseded_by is None:
            out.superseded_by = j.memory.id
        elif out.flagged_by is None:
            out.flagged_by = j.memory.id
    if out.superseded_by is not None:
        out.flagged_by = None
    earlier = [j for j in live if j.memory.when <= when]
    certain = sorted((j for j in earlier if j.verdict.outcome == "replace"),
                     key=lambda j: (-j.verdict.confidence, -(j.similarity or 0.0), -j.memory.when))
    if certain:
        first = certain[0]
        out.replaced.append((first.memory, first.verdict.old_value, first.verdict.reason))
    chosen = {m.id for m, _, _ in out.replaced}
    out.flagged = [(j.memory, j.verdict.reason) for j in earlier if j.memory.id not in chosen]
    return out
