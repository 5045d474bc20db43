"""bench/timelines.py and its data: every timeline's labels are consistent, the counts are right on a hand-made
outcome, and the harness replays a small timeline end to end through a real service."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from bench.timelines import Outcome, replay, score
from bench.timelines_data import DATA, load_all, parse, problems

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.store import open_sqlite


def test_every_timeline_file_is_consistent_and_four_are_held_out() -> None:
    for path in sorted(DATA.glob("*.json")):
        assert problems(json.loads(path.read_text(encoding="utf-8"))) == [], path.name
    timelines = load_all()
    assert len(timelines) >= 6 and sum(len(t.adds) for t in timelines) >= 250
    assert {t.name for t in timelines if t.held_out} == {"nadia", "wei", "fernanda", "kamau"}
    for t in timelines:
        kinds = {a.kind for a in t.adds}
        assert {"change", "restate", "lookalike"} <= kinds, t.name
        assert any(a.outdates for a in t.adds) and t.questions, t.name
        changed = {old for a in t.adds for old in a.outdates}
        assert all(set(q.stale) <= changed for q in t.questions), f"{t.name}: a stale answer no add outdates"


FIVE: dict[str, Any] = {
    "name": "five", "held_out": False,
    "adds": [
        {"id": "a1", "text": "My sister Anna lives in Berlin.", "kind": "new", "outdates": []},
        {"id": "a2", "text": "I'm allergic to peanuts.", "kind": "new", "outdates": []},
        {"id": "a3", "text": "Anna moved to Munich.", "kind": "change", "outdates": ["a1"]},
        {"id": "a4", "text": "I'm allergic to peanuts.", "kind": "restate", "outdates": [], "restates": ["a2"]},
        {"id": "a5", "text": "My dog is called Rex.", "kind": "new", "outdates": []},
    ],
    "questions": [{"q": "where does Anna live?", "current": ["a3"], "stale": ["a1"]}],
}


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t["adds"][2].update(outdates=["a4"]), "'outdates' names 'a4', not an earlier add"),
    (lambda t: t["adds"][2].update(outdates=[]), "a change must outdate an earlier add"),
    (lambda t: t["adds"][4].update(outdates=["a2"]), "a new outdates nothing"),
    (lambda t: t["adds"][3].update(restates=[]), "a restate names what it restates"),
    (lambda t: t["adds"][1].update(id="a1"), "id used twice"),
    (lambda t: t["questions"][0].update(stale=["a9"]), "names 'a9', not an add"),
    (lambda t: t["questions"][0].update(current=["a1"]), "an add is both current and stale"),
])
def test_inconsistent_labels_are_named(change: Any, expected: str) -> None:
    raw = copy.deepcopy(FIVE)
    assert problems(raw) == []
    change(raw)
    assert any(expected in p for p in problems(raw)), problems(raw)
    with pytest.raises(ValueError, match="five"):
        parse(raw, "five")


def test_score_counts_hides_flags_changes_and_ranks() -> None:
    """a3 hides a1 (right) and a2 (wrong); a4 folds into a2's memory; a5 flags a2 (wrong: a4 restated it)."""
    t = parse(FIVE)
    outcomes = [Outcome("a1", "m1", True), Outcome("a2", "m2", True, seconds=0.002),
                Outcome("a3", "m3", True, hidden=(("m1", "Berlin"), ("m2", "peanuts")), rules={"m1": "facts"}),
                Outcome("a4", "m2", False), Outcome("a5", "m5", True, flagged=(("m2", "peanuts"),))]
    c = score(t, outcomes, [["m5", "m3", "m1"]])
    assert (c.adds, c.right_hides, c.wrong_hides, c.wrong_flags, c.right_flags) == (5, 1, 1, 1, 0)
    assert (c.changes, c.caught_hidden, c.caught_flagged) == (1, 1, 0)
    assert (c.questions, c.above_stale, c.current_first, c.rank_one) == (1, 1, 1, 0)
    assert c.rules == {"hide: facts": [1, 0], "hide: ?": [0, 1], "flag: ?": [0, 1]}
    assert c.kinds == {"change": [1, 0], "new": [0, 1]}
    late = score(t, outcomes[:2] + [Outcome("a3", "m3", True)] + outcomes[3:], [["m1", "m4", "m9", "m3"]])
    assert (late.wrong_hides, late.changes, late.caught_hidden + late.caught_flagged) == (0, 1, 0)
    assert (late.above_stale, late.current_first, late.rank_one) == (0, 0, 0)


@pytest.mark.anyio
async def test_the_harness_replays_five_adds_and_counts_what_the_store_holds(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    stores = open_sqlite(str(tmp_path / "five.sqlite3"))
    await stores.database.migrate()
    try:
        t = parse(FIVE)
        outcomes, rankings = await replay(MemoryService(stores, embedder), stores, t)
        user = await stores.users.get_user_by_email("five@timelines.test")
        assert user is not None
        memory = {o.add_id: o.memory_id for o in outcomes}
        stored = await stores.memories.get(user.id, sorted(set(memory.values())))
    finally:
        await stores.database.close()
    assert [o.created for o in outcomes] == [True, True, True, False, True]  # the verbatim restatement folds
    assert memory["a4"] == memory["a2"] and len(stored) == 4
    c = score(t, outcomes, rankings)
    hidden = {m.id for m in stored if m.superseded_by is not None}
    flagged = {m.id for m in stored if getattr(m, "possibly_outdated_by", None)}
    assert c.right_hides + c.wrong_hides == len(hidden)
    assert c.wrong_hides == len(hidden - {memory["a1"]})
    assert c.right_flags + c.wrong_flags == len(flagged)
    assert (c.changes, c.caught_hidden, c.caught_flagged) == (1, int(memory["a1"] in hidden),
                                                              int(memory["a1"] in flagged - hidden))
    assert c.adds == len(c.seconds) == 5 and all(s > 0 for s in c.seconds)
    ranked = rankings[0]
    at = ranked.index(memory["a3"]) if memory["a3"] in ranked else None
    stale_at = ranked.index(memory["a1"]) if memory["a1"] in ranked else len(ranked)
    assert c.questions == 1 and c.current_first == int(at is not None and at < stale_at and at < 3)


def test_the_tuning_report_names_no_held_out_timeline() -> None:
    """``--tuning-only`` prints the tuning timelines' table and wrong answers, and nothing of a held-out one."""
    from bench.timelines_report import tuning_report

    tuning = parse(FIVE)
    held = parse({**FIVE, "name": "kept", "held_out": True})
    outcomes = [Outcome("a1", "m1", True), Outcome("a2", "m2", True), Outcome("a3", "m3", True),
                Outcome("a4", "m2", False), Outcome("a5", "m5", True, flagged=(("m2", "peanuts"),))]
    counts = {t.name: score(t, outcomes, [["m1", "m3"]]) for t in (tuning, held)}
    text = tuning_report([tuning, held], counts)
    assert "| five | tuning | 5 |" in text and "| **tuning** | tuning | 5 |" in text
    assert "kept" not in text and "held-out" not in text
    assert "five a3: missed change" in text and "five a5: wrong flag" in text
