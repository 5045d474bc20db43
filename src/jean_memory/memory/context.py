"""What ``jean_memory`` shows beside a message: the search hits, filled up with the memories nearest in meaning.

Search (``MemoryService.search``) returns no padding: a memory that shares no word with the question enters only
with a cosine of at least ``FusionWeights.dense_min`` (0.3). That is right for a search box, but ``jean_memory`` is
called on every message and its reader is an LLM that can tell a related memory from an unrelated one. On a
person's small store of everyday facts the answer often shares no word with the question and scores below 0.3
("who do I report to" / "My manager is called Rachel Kim"; "do I have kids" / "Our daughter Sofia started
kindergarten"): search found nothing at all for 122 of the 1,115 questions of ``tests/memory/small_stores.json``,
while the answer was among the 5 nearest memories by cosine for 98%.

So the context takes the search hits first (the best-ranked, unchanged), then fills the places left at that depth
with the nearest memories by meaning whose cosine is at least ``RELATED_MIN``. MiniLM cosines between everyday
questions and unrelated memories are 0.07 at the median and 0.23 at the 95th percentile; the answer's is 0.18 at
the 1st percentile (``fusion``'s module docstring; ``tests/mcp_server/small_context.py`` measures the result).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ..store.records import Filters, HybridQuery, Memory, Scored
from .scope import Who, once, read_parts
from .service import MemoryService, SearchResult

RELATIVE_FLOOR = 0.35  # a search hit scored below this share of the best hit is noise beside it
RELATED_MIN = 0.15  # cosine a memory needs to fill a place in the context that search left empty


async def nearest(service: MemoryService, who: Who, text: str, n: int, least: float = RELATED_MIN,
                  skip: Collection[str] = (), space: object = None) -> list[SearchResult]:
    """The ``n`` current memories ``who`` reaches (in ``space`` when given) nearest to ``text`` in meaning with a
    cosine of at least ``least``, leaving out ``skip`` (ids); the score is the cosine. One store call per partition;
    no words are matched."""
    covered = read_parts(who, space)
    vector = once(await service.query_vector(text))

    def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
        return sorted((s for s in dense if s.score >= least and s.created_at is not None),
                      key=lambda s: s.score, reverse=True)

    found: list[tuple[Memory, float]] = []
    for part in covered:
        query = HybridQuery((), vector, n + len(skip), n + len(skip), Filters(spaces=part.spaces), rank)
        found += await service.stores.memories.hybrid(part.owner, query)
    found.sort(key=lambda hit: -hit[1])
    return [SearchResult(m, score) for m, score in found if m.id not in skip][:n]


async def relevant(service: MemoryService, who: Who, query: str, n: int, documents: bool = False,
                   skip: Collection[str] = (), fill: bool = True, space: object = None) -> list[SearchResult]:
    """Up to ``n`` memories for ``query``: the search hits (within ``RELATIVE_FLOOR`` of the best), then with
    ``fill`` the nearest in meaning (``nearest``) in the places left; none of ``skip``. ``space``: that space
    only (else every space ``who`` reaches)."""
    hits = await service.search(who, query, n, include_documents=documents, space=space)
    kept = [h for h in hits if h.score >= RELATIVE_FLOOR * hits[0].score and h.memory.id not in skip]
    if fill and len(kept) < n:
        kept += await nearest(service, who, query, n - len(kept), skip={*skip, *(h.memory.id for h in kept)},
                              space=space)
    return kept


def newer_first(sections: Sequence[Sequence[str]], newer: Mapping[str, str], fixed: int = 0) -> list[list[str]]:
    """The context's sections (memory ids, in the order shown) with each memory flagged possibly outdated
    (``newer``: its id -> the id of the newer memory) placed right after its newer one: moved there when the newer
    one is shown before it in its section; else the newer one takes its place (taken from where it was, or added:
    the caller fetches it) and it follows. A newer one shown in an earlier section stays there. The first ``fixed``
    sections (what the call saved) are never reordered."""
    out = [list(s) for s in sections]
    for _ in range(len(newer) + 1):  # chains settle in a few passes; a cycle (never stored) cannot loop forever
        moved = False
        for si in range(fixed, len(out)):
            for old in list(out[si]):
                new = newer.get(old)
                if new is None or new == old:
                    continue
                at = out[si].index(old)
                where = next(((sj, s.index(new)) for sj, s in enumerate(out) if new in s), None)
                if where is not None and (where[0] < si or (where[0] == si and where[1] < at)):
                    if where[0] == si:  # right after it and the others it flagged that come first
                        out[si].remove(old)
                        to = where[1] + 1
                        while to < len(out[si]) and newer.get(out[si][to]) == new and out[si][to] != old:
                            to += 1
                        out[si].insert(to, old)
                        moved = moved or to != at
                    continue
                if where is not None:
                    out[where[0]].remove(new)
                out[si].insert(out[si].index(old), new)
                moved = True
        if not moved:
            break
    return out
