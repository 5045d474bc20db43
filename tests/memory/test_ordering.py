"""``memory.ordering``: newest first among memories about the same thing, and search through history (pure)."""

from __future__ import annotations

from jean_memory.judge._differing import values
from jean_memory.memory.ordering import newest_first, through_history, with_flaggers
from jean_memory.store.records import Memory


def mem(mid: str, text: str, at: float, **fields: object) -> Memory:
    return Memory(mid, "u", text, (), None, {}, at, at, **fields)  # type: ignore[arg-type]


def test_the_newer_value_takes_the_older_ones_place_and_nothing_else_moves() -> None:
    old, other, new = mem("a", "Standup is at 9:15", 1), mem("b", "I like tea", 5), mem("c", "Standup is at 9:45", 9)
    ranked = newest_first([(old, 1.0), (other, 0.9), (new, 0.8)], "what time is standup?")
    assert [m.id for m, _ in ranked] == ["c", "a", "b"]
    # a weak newer match (below half the older one's score) stays where it was
    assert [m.id for m, _ in newest_first([(old, 1.0), (other, 0.9), (new, 0.3)], "what time is standup?")] == [
        "a", "b", "c"]


def test_a_question_that_names_the_old_value_keeps_it_first() -> None:
    seven, ten = mem("a", "durable fact number 7", 1), mem("b", "durable fact number 10", 2)
    assert [m.id for m, _ in newest_first([(seven, 1.0), (ten, 0.9)], "durable fact number 7")] == ["a", "b"]


def test_additions_other_subjects_and_transcript_lines_keep_their_order() -> None:
    mia, ben = mem("a", "Mia lives in Graz", 1), mem("b", "Ben lives in Cologne too", 2)
    assert [m.id for m, _ in newest_first([(mia, 1.0), (ben, 0.9)], "who lives where?")] == ["a", "b"]
    a, b = mem("a", "Gina: we went to Paris in 2019 and it rained the whole trip long", 1), mem(
        "b", "Jon: we went to Rome in 2021 and it rained the whole trip long", 2)
    assert [m.id for m, _ in newest_first([(a, 1.0), (b, 0.9)], "when did it rain on the trip?")] == ["a", "b"]


def test_a_flagged_memory_always_follows_the_one_that_flagged_it() -> None:
    old = mem("a", "Default browser: Chrome", 1, possibly_outdated_by="b")
    new = mem("b", "Firefox is my main browser now", 2)
    assert [m.id for m, _ in newest_first([(old, 1.0), (new, 0.2)], "browser")] == ["b", "a"]


def test_a_replaced_match_stands_for_its_current_version_once() -> None:
    old = mem("a", "My sister Anna lives in Berlin", 1, superseded_by="b")
    head, other = mem("b", "Anna moved to Munich", 2), mem("c", "I have a sister", 3)
    shown = through_history([(old, 1.0), (other, 0.8), (head, 0.5)], {"a": head})
    assert [(m.id, s) for m, s in shown] == [("b", 1.0), ("c", 0.8)]
    assert through_history([(old, 1.0)], {}) == []  # no current version: nothing


def test_a_name_the_newer_memory_opens_on_or_writes_in_capitals_is_said_by_it() -> None:
    """ "Where does Raj work?" names Raj; the newer memory opens on him ("Raj switched jobs"), and its employer is
    written in capitals: it still takes the older one's place."""
    assert {"kpmg", "bmw"} <= values("Raj is at KPMG now, Anna at BMW.")
    old = mem("a", "My husband Raj works at Deloitte as an auditor.", 1, possibly_outdated_by="b")
    new = mem("b", "Raj switched jobs, he's at KPMG now.", 2)
    assert [m.id for m, _ in newest_first([(old, 1.0), (new, 0.6)], "where does Raj work?")] == ["b", "a"]


def test_a_flagged_match_brings_the_memory_that_flagged_it_just_before_it_once() -> None:
    old = mem("a", "Anna moved to Munich last month for a new job.", 1, possibly_outdated_by="b")
    new, other = mem("b", "Anna is back in Berlin, the Munich job didn't work out.", 2), mem("c", "I have a sister", 3)
    shown = with_flaggers([(other, 1.0), (old, 0.8)], {"b": new})
    assert [(m.id, s) for m, s in shown] == [("c", 1.0), ("b", 0.8), ("a", 0.8)]
    assert [m.id for m, _ in with_flaggers([(new, 0.9), (old, 0.8)], {"b": new})] == ["b", "a"]  # there already
    assert [m.id for m, _ in with_flaggers([(old, 0.8)], {})] == ["a"]  # no current flagger: as it was
