"""What stores hand ranking besides scores, on every backend: a hit's resolved dates (``Scored.dates``), the
query's best possible lexical score (``Scored.best``), and the saved-or-dated filter (``Filters.when``); and the
ranking they make possible."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.store import Stores
from jean_memory.store.records import Filters, HybridQuery, NewMemory, Scored
from tests.memory.test_small_stores import BASE, DAY, DOZEN
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio

NOV_24 = datetime(2026, 11, 24, 8, tzinfo=UTC).timestamp()
NEXT_WEEK = (datetime(2026, 11, 30, tzinfo=UTC).timestamp(), datetime(2026, 12, 7, tzinfo=UTC).timestamp())
DENTIST = ({"phrase": "next Tuesday", "start": "2026-12-01", "end": "2026-12-01"},)


async def _seed(stores: Stores, email: str) -> tuple[str, list[int]]:
    u = await stores.users.create_user(email, None)
    stored = await stores.memories.insert(u.id, [
        NewMemory("dentist appointment next Tuesday", "k1", unit_vector(1), created_at=NOV_24, dates=DENTIST),
        NewMemory("dentist bill paid", "k2", unit_vector(2), created_at=NOV_24),
        NewMemory("gym membership renewed", "k3", unit_vector(3), created_at=NEXT_WEEK[0] + 3600),
        NewMemory("gym on the 20th", "k4", unit_vector(4), created_at=NOV_24,
                  dates=({"phrase": "the 20th", "start": "2026-11-20", "end": "2026-11-20"},)),
    ])
    return u.id, [m.seq for m in stored]


def _capture(seen: list[tuple[list[Scored], list[Scored]]]) -> Callable[[Sequence[Scored], Sequence[Scored]],
                                                                       list[Scored]]:
    def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
        seen.append((list(lexical), list(dense)))
        return list({s.seq: s for s in (*lexical, *dense)}.values())
    return rank


async def test_hits_carry_their_resolved_dates_and_lexical_hits_the_best_possible(stores: Stores) -> None:
    uid, (dentist, bill, _, _) = await _seed(stores, "dates@example.com")
    seen: list[tuple[list[Scored], list[Scored]]] = []
    vector = np.frombuffer(unit_vector(1), dtype=np.float32)
    await stores.memories.hybrid(uid, HybridQuery(("dentist", "tuesday"), lambda: vector, 10, 10, Filters(),
                                                  _capture(seen)))
    [(lexical, dense)] = seen
    for side in (lexical, dense):
        by_seq = {s.seq: s for s in side}
        assert by_seq[dentist].dates == (("2026-12-01", "2026-12-01"),)
        assert by_seq[bill].dates == ()
    lex = {s.seq: s for s in lexical}
    best = lex[dentist].best
    assert best is not None and best > 0 and all(s.best == best for s in lexical)
    # Both words against one of two: the bill matched less of what the query could match.
    assert lex[dentist].score > lex[bill].score and lex[bill].score < best
    # A search that does not fuse may go without it (SQLite then skips counting each term's matches).
    seen.clear()
    await stores.memories.hybrid(uid, HybridQuery(("dentist", "tuesday"), lambda: vector, 10, 10, Filters(),
                                                  _capture(seen), best_possible=False))
    if type(stores.memories).__module__.endswith("sqlite.memories"):
        assert seen[0][0] and all(s.best is None for s in seen[0][0])
    # The standalone lexical search fills the same fields.
    alone = {s.seq: s for s in await stores.memories.lexical(uid, ["dentist"], 10, Filters())}
    assert alone[dentist].dates == (("2026-12-01", "2026-12-01"),) and alone[dentist].best is not None


async def test_when_keeps_what_was_saved_in_the_stretch_or_is_dated_in_it(stores: Stores) -> None:
    uid, (dentist, bill, gym, on_20th) = await _seed(stores, "when@example.com")
    vector = np.frombuffer(unit_vector(2), dtype=np.float32)
    dense = await stores.memories.dense(uid, vector, 10, Filters(when=NEXT_WEEK))
    assert {s.seq for s in dense} == {dentist, gym}  # dated next week; saved next week
    lexical = await stores.memories.lexical(uid, ["dentist", "gym"], 10, Filters(when=NEXT_WEEK))
    assert {s.seq for s in lexical} == {dentist, gym}
    # The best two lexical matches both fall outside: SQLite ranks every match again with the filter joined.
    assert await stores.memories.lexical(uid, ["bill", "20th"], 1, Filters(when=NEXT_WEEK)) == []
    [renewed] = await stores.memories.lexical(uid, ["bill", "20th", "renewed"], 1, Filters(when=NEXT_WEEK))
    assert renewed.seq == gym and renewed.dates == () and renewed.best is not None
    seen: list[tuple[list[Scored], list[Scored]]] = []
    await stores.memories.hybrid(uid, HybridQuery((), lambda: vector, 10, 10, Filters(when=NEXT_WEEK),
                                                  _capture(seen)))
    assert {s.seq for s in seen[0][1]} == {dentist, gym}
    # The caller's own bounds on the save time still hold beside it.
    narrowed = await stores.memories.dense(uid, vector, 10, Filters(when=NEXT_WEEK, until=NEXT_WEEK[0]))
    assert {s.seq for s in narrowed} == {dentist}
    week_of_20th = (datetime(2026, 11, 16, tzinfo=UTC).timestamp(), datetime(2026, 11, 23, tzinfo=UTC).timestamp())
    assert {s.seq for s in await stores.memories.dense(uid, vector, 10, Filters(when=week_of_20th))} == {on_20th}
    assert bill not in {s.seq for s in dense}
    # A memory added after the user's vectors were first read (SQLite extends its cached matrix) is found too.
    [later] = await stores.memories.insert(uid, [NewMemory("flu shot on Thursday", "k5", unit_vector(5),
                                                           created_at=NOV_24, dates=(
        {"phrase": "Thursday", "start": "2026-12-03", "end": "2026-12-03"},))])
    again = await stores.memories.dense(uid, vector, 10, Filters(when=NEXT_WEEK))
    assert {s.seq for s in again} == {dentist, gym, later.seq}
    assert {s.seq: s.dates for s in again}[later.seq] == (("2026-12-03", "2026-12-03"),)


async def test_a_one_word_match_stays_below_the_nearest_meaning_on_every_backend(
    stores: Stores, embedder: MiniLMEmbedder
) -> None:
    """Issue 13's "which city do I live in" through the service: BM25 on SQLite and ts_rank_cd on PostgreSQL both
    know the one word "live" is less than half of what the question could match."""
    service = MemoryService(stores, embedder)
    user = await stores.users.create_user("lyon@example.com", None)
    for n, text in enumerate(DOZEN):
        await service.add(user.id, text, client_id="c1", created_at=BASE + n * DAY)
    found = await service.search(user.id, "which city do I live in", 10)
    assert [r.memory.text for r in found[:2]] == ["I just moved to Lyon", "My sister lives in Berlin"]
