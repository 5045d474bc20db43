"""Newest first among memories about the same thing, and search through history (pure functions).

Two results are about the same thing when one flagged the other (``possibly_outdated_by``), or when both are saved
notes (not lines of a conversation: ``supersede.is_note``), share a word of the question that is not a value, and
differ in a value (a number, date, time, name or place: ``judge._differing``). Then the newer (``Memory.when``) takes
the place of the older one in the ranking, and the older follows it: nothing moves above a result it did not
already follow, so an unrelated, stronger match keeps its place.

A replaced memory that matches a question stands for its chain: its latest version comes back where it would have
ranked (``through_history``), once. A flagged one that matches brings the newer memory that flagged it, just before
it (``with_flaggers``): "Where does my sister live?" matches "My sister Anna moved to Munich", flagged by "Anna is
back in Berlin", which never says "sister".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..judge._differing import differing_value, values
from ..judge.supersede import is_note
from ..judge.verdict import ADDED
from ..store.records import Memory
from .text import STOP_WORDS, words

CLOSE = 0.5  # the newer one scored at least this share of the older one's score


def _content(text: str) -> frozenset[str]:
    """Content words, a plural's "s" dropped ("Fridays" and "Friday"), numbers left out."""
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                     for w in words(text) if w not in STOP_WORDS and not any(c.isdigit() for c in w) and len(w) > 1)


def _asked_value(named: frozenset[str], older: Memory, newer: Memory) -> bool:
    """The question names a value the older memory states and the newer one does not say at all (a name the newer
    one opens on, "Raj switched jobs", is said)."""
    return bool(named) and bool(named & values(older.text) - values(newer.text) - set(words(newer.text)))


def same_thing(a: Memory, b: Memory, asked: frozenset[str]) -> bool:
    if a.possibly_outdated_by == b.id or b.possibly_outdated_by == a.id:
        return True
    if not _content(a.text) & _content(b.text) & asked or ADDED.search(a.text) or ADDED.search(b.text):
        return False  # "Ben lives in Cologne too" adds to what it shares, it changes nothing
    return is_note(a.text) and is_note(b.text) and differing_value(a.text, b.text) is not None


def newest_first(results: Sequence[tuple[Memory, float]], question: str) -> list[tuple[Memory, float]]:
    """``results`` (best first) with each memory placed before the older memories about the same thing it follows;
    a flagged memory always after the one that flagged it. A question that names a value ("fact number 7", "the
    3pm meeting") keeps the memory that states it ahead of newer ones that do not."""
    asked, named = _content(question), values(question)
    out = list(results)
    i = 0
    while i < len(out):
        older, older_score = out[i]
        for j in range(i + 1, len(out)):
            newer, score = out[j]
            flagged = older.possibly_outdated_by == newer.id
            if newer.when > older.when and (flagged or score >= CLOSE * older_score) and same_thing(
                    older, newer, asked) and not _asked_value(named, older, newer):
                out.insert(i, out.pop(j))  # the newer one takes the older one's place; the rest keep their order
                break
        else:
            i += 1
            continue
        # the moved memory may itself follow an even newer one: look again from the same place, a bounded number
        # of times (each move puts a strictly newer memory first)
    return out


def through_history(results: Sequence[tuple[Memory, float]], heads: Mapping[str, Memory]
                    ) -> list[tuple[Memory, float]]:
    """Each replaced memory of ``results`` as its chain's latest version (``heads``: replaced id -> head), at the
    replaced one's rank; a memory that is already in the results, or has no current head, is not repeated."""
    seen: set[str] = set()
    out: list[tuple[Memory, float]] = []
    for memory, score in results:
        shown = heads.get(memory.id, memory) if memory.superseded_by is not None else memory
        if shown.superseded_by is not None or shown.id in seen:
            continue
        seen.add(shown.id)
        out.append((shown, score))
    return out


def with_flaggers(results: Sequence[tuple[Memory, float]], flaggers: Mapping[str, Memory]
                  ) -> list[tuple[Memory, float]]:
    """Each flagged memory of ``results`` preceded by the memory that flagged it (``flaggers``: flagger id -> memory),
    at the flagged one's score, when that one is not in the results already; once each."""
    seen = {m.id for m, _ in results}
    out: list[tuple[Memory, float]] = []
    for memory, score in results:
        newer = flaggers.get(memory.possibly_outdated_by or "")
        if newer is not None and newer.id not in seen:
            seen.add(newer.id)
            out.append((newer, score))
        out.append((memory, score))
    return out
