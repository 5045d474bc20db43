"""Pure fusion logic: score-aware fusion and context smoothing."""

from __future__ import annotations

from jean_memory.memory.fusion import FusionWeights, Saved, context_boost, fuse, time_boost
from jean_memory.store.records import Scored


def test_fuse_normalises_each_list_against_its_best_hit() -> None:
    lexical = [Scored(1, 10.0), Scored(2, 5.0)]
    dense = [Scored(2, 0.9), Scored(3, 0.6)]
    w = FusionWeights(lexical=0.7, dense=0.3, dense_floor=0.3)
    ranked = fuse(lexical, dense, w)
    scores = {s.seq: round(s.score, 6) for s in ranked}
    assert scores == {1: 0.7, 2: round(0.35 + 0.3, 6), 3: round(0.3 * 0.5, 6)}
    assert [s.seq for s in ranked] == [1, 2, 3]


def test_fuse_ignores_cosine_below_the_floor_and_empty_lists() -> None:
    ranked = fuse([], [Scored(1, 0.2), Scored(2, 0.1)], FusionWeights(dense_floor=0.3))
    assert ranked == []
    assert fuse([], []) == []


def test_fuse_breaks_ties_newest_first() -> None:
    assert [s.seq for s in fuse([Scored(1, 2.0), Scored(5, 2.0)], [])] == [5, 1]


def _saved(times: dict[int, float], client: str | None = "app") -> dict[int, Saved]:
    return {seq: Saved(at, client) for seq, at in times.items()}


def test_context_boost_lifts_a_neighbour_below_the_strong_direct_matches() -> None:
    w = FusionWeights(context=0.5, context_seq_gap=2, context_seconds=120)
    fused = [Scored(10, 1.0), Scored(30, 0.45), Scored(11, 0.4)]
    ranked = context_boost(fused, _saved({10: 0.0, 11: 60.0, 30: 120.0}), w)
    assert [s.seq for s in ranked] == [10, 11, 30]
    assert ranked[1].score == 0.4 + 0.5 * 1.0
    assert ranked[0].score == 1.0 + 0.5 * 0.4


def test_context_boost_never_passes_a_strong_direct_match() -> None:
    """The issue's case: a memory saved right after a match must not pass an unrelated, stronger direct match."""
    w = FusionWeights(context=0.4, context_seq_gap=2, context_seconds=120, context_strong=0.95)
    fused = [Scored(1, 1.0), Scored(5, 0.97), Scored(2, 0.7)]  # 2 was saved right after 1
    ranked = context_boost(fused, _saved({1: 0.0, 2: 5.0, 5: 30.0}), w)
    assert [s.seq for s in ranked] == [1, 5, 2]


def test_context_boost_needs_the_same_app_order_and_time() -> None:
    w = FusionWeights(context=0.5, context_seq_gap=2, context_seconds=120)
    fused = [Scored(10, 1.0), Scored(11, 0.4), Scored(13, 0.3), Scored(20, 0.2)]
    saved = {10: Saved(0.0, "a"), 11: Saved(600.0, "a"), 13: Saved(0.0, "a"), 20: Saved(0.0, "b"),
             21: Saved(0.0, "a")}
    ranked = {s.seq: s.score for s in context_boost([*fused, Scored(21, 0.9)], saved, w)}
    assert ranked[11] == 0.4  # adjacent insert, but saved ten minutes later: separate facts
    assert ranked[13] == 0.3  # same time, but three inserts apart
    assert ranked[20] == 0.2  # next to 21 in time and order, but saved by another app


def test_context_boost_drops_zero_scores() -> None:
    ranked = context_boost([Scored(1, 0.5), Scored(9, 0.0)], _saved({1: 0.0, 9: 0.0}))
    assert [s.seq for s in ranked] == [1]


def test_fuse_leaves_out_weak_dense_only_candidates() -> None:
    w = FusionWeights(dense_min=0.3)
    ranked = fuse([Scored(1, 2.0)], [Scored(1, 0.1), Scored(2, 0.29), Scored(3, 0.31)], w)
    assert [s.seq for s in ranked] == [1, 3]


def test_context_boost_drops_missing_and_can_be_switched_off() -> None:
    fused = [Scored(1, 1.0), Scored(2, 0.5)]
    assert [s.seq for s in context_boost(fused, _saved({2: 0.0}))] == [2]
    off = context_boost(fused, _saved({1: 0.0, 2: 0.0}), FusionWeights(context=0.0))
    assert off == fused


def test_time_boost_lifts_candidates_saved_or_dated_in_the_window() -> None:
    ranked = [Scored(1, 0.9), Scored(2, 0.8), Scored(3, 0.75), Scored(4, 0.1)]
    created = {1: 50.0, 2: 150.0, 3: 10.0, 4: 120.0}
    w = FusionWeights(time=0.2)
    # 2 and 4 were saved in [100, 200); 3 was saved before it but speaks of a date inside it.
    boosted = time_boost(ranked, created, (100.0, 200.0), w, dated={3: [(180.0, 260.0)], 1: [(0.0, 100.0)]})
    assert [s.seq for s in boosted] == [2, 3, 1, 4]
    assert {s.seq: round(s.score, 6) for s in boosted} == {1: 0.9, 2: 1.0, 3: 0.95, 4: 0.3}
    assert time_boost(ranked, created, (100.0, 200.0), FusionWeights(time=0.0)) == ranked


def test_a_weak_lexical_match_counts_less_than_against_its_own_top() -> None:
    """One query word of two, half the best possible BM25 or less: no longer the full lexical weight."""
    w = FusionWeights(lexical=0.7, dense=0.3, lexical_best=0.5, lexical_floor=0.2, weak_lexical=0.5)
    weak = fuse([Scored(1, 2.0, best=5.0)], [], w)  # 2.0 / max(2.0, 2.5) = 0.8 -> (0.8 - 0.2) / 0.8 = 0.75
    assert round(weak[0].score, 6) == round(0.7 * 0.75, 6)
    strong = fuse([Scored(1, 5.0, best=5.0)], [], w)
    assert strong[0].score == 0.7
    unknown = fuse([Scored(1, 2.0)], [], w)  # a store that does not know the best possible: as before
    assert unknown[0].score == 0.7


def test_a_weak_lexical_match_never_passes_the_best_cosine() -> None:
    """Issue 13's "which city do I live in": 'My sister lives in Berlin' (2) matched one word; 'I just moved to
    Lyon' (5) matched none but is the nearest meaning."""
    lexical = [Scored(2, 2.09, best=5.25)]
    crowd = [Scored(seq, 0.2 - seq / 1000) for seq in range(10, 20)]  # the rest of the store, far below
    dense = [Scored(5, 0.475), Scored(2, 0.445), *crowd]
    ranked = fuse(lexical, dense)
    assert [s.seq for s in ranked][:2] == [5, 2]
    assert ranked[1].score < ranked[0].score
    # Matching most of what the query could match, the lexical hit keeps its place above the nearest cosine.
    assert [s.seq for s in fuse([Scored(2, 4.0, best=5.25)], dense)][0] == 2
    # A nearest cosine below dense_min protects nothing.
    assert [s.seq for s in fuse(lexical, [Scored(5, 0.29), Scored(2, 0.28)])] == [2]
    # Nor one that does not stand out: the 10th nearest memory is within 0.2 of it (a crowd of dialogue turns).
    close = [Scored(5, 0.475), Scored(2, 0.445), *(Scored(seq, 0.4) for seq in range(10, 20))]
    assert [s.seq for s in fuse(lexical, close)][0] == 2
