"""``decide``: the outcome of one (new, old) pair: ``replace``, ``flag`` or ``none``, with the reason and rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from . import supersede
from ._claims import read
from ._cues import QUESTION
from ._differing import differing_value
from ._generic import CHANGE, SIMILAR

Outcome = Literal["replace", "flag", "none"]

# Rules whose confident verdicts hide: a stated attribute of the same subject with a new value and a change cue
# ("facts"), a named plan moved with a change cue ("events"), a value said to no longer hold ("stopped").
CERTAIN_RULES = frozenset({"facts", "events", "stopped"})
# Cosine above which two memories that differ in a value (a number, date, time, name or place) are about the
# same thing often enough to flag the older one (a flag hides nothing).
FLAG_SIMILAR = 0.75
# The generic rule (``_generic``) reads a change in pairs it may know nothing about: below this cosine its
# verdicts were mostly wrong on the tuning timelines (31 of 32), above it mostly right (18 of 19).
GENERIC_SIMILAR = 0.5
# A change cue in the new memory and a cosine this high: the same thing, said to have changed (a flag).
CUE_SIMILAR = 0.6
# Change cues the cue flag reads beside ``CHANGE``: a value back to what it was ("Anna is back in Berlin"), one that
# ended ("no more weekend nights", "the migration is finished"). Flags only: the rules that hide never read them.
BACK_OR_ENDED = re.compile(r"\b(?:(?:is|are|am|was|were|moved|went|gone|got|goes|come|came|comes)\s+back|"
                           r"['’](?:s|re)\s+back|no\s+more|finished|completed)\b", re.IGNORECASE)
# A one-off or unchanged value: "still at 9:45", "cancelled this Saturday", "ran long today" (no cue flag).
ONE_OFF = re.compile(r"\b(?:still|today|tonight|yesterday|this\s+(?:morning|afternoon|evening|time|once|monday|tuesday|"
                     r"wednesday|thursday|friday|saturday|sunday))\b", re.IGNORECASE)
# The user says their home moved without the words the residence rule reads as one claim ("We've moved! We're in
# Beeston now", "Moved flats! New address is ..."): the user (first person, "User", or no subject), then "moved".
HOME_MOVED = re.compile(r"^\W*(?:(?:i|we|user)(?:['’]ve|\s+have|\s+has)?\s+(?:just\s+|finally\s+)?)?(?:moved|relocated)"
                        r"(?:\s+(?:house|flats?|home|out|places|apartments?))?\s*[!.,;]", re.IGNORECASE)
# An addition, not a change: "also", "too", "another", "second", "as well".
ADDED = re.compile(r"\b(?:also|too|another|second|third|as well|in addition|besides|plus)\b", re.IGNORECASE)
_LONG = 400  # characters: beyond this the rules read no further (they judge saved notes, not documents)


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str           # short, human: "where sister Anna lives: Berlin -> Munich"
    rule: str = ""        # the deciding rule (``supersede`` rules, "value" for a flag by value, "" for none)
    old_value: str | None = None  # what the old memory stated ("Berlin"), when known
    confidence: float = 0.0


_NONE = Verdict("none", "nothing in common")


def decide(new: str, old: str, similarity: float | None = None) -> Verdict:
    """Whether ``new`` makes ``old`` outdated: ``replace`` (certain), ``flag`` (possibly) or ``none``.

    ``similarity``: the cosine of the two memories' embeddings, when the caller has it (flags by value need it)."""
    if len(new) > _LONG or len(old) > _LONG:
        return _NONE
    j = supersede.judge(new, old, similarity=similarity)
    if j.replaces and not (j.rule == "generic" and (similarity or 0.0) < GENERIC_SIMILAR):
        if not j.doubtful and j.rule in CERTAIN_RULES:
            return Verdict("replace", j.reason, j.rule, j.old_value, j.confidence)
        return Verdict("flag", j.reason, j.rule, j.old_value, j.confidence)
    if similarity is not None and not ADDED.search(new) and supersede.is_note(new) and supersede.is_note(old):
        moved = _home_moved(new, old) if similarity >= SIMILAR else None
        if moved is not None:
            return Verdict("flag", f"the user's home moved: {moved} may no longer hold", "home", moved, similarity)
        value = differing_value(new, old) if similarity >= FLAG_SIMILAR else None
        if value is not None:
            return Verdict("flag", f"close in meaning, another value: {value}", "value", None, similarity)
        cued = CHANGE.search(new) or BACK_OR_ENDED.search(new)
        if similarity >= CUE_SIMILAR and cued and not ONE_OFF.search(new):
            return Verdict("flag", "close in meaning, said to have changed", "cue", None, similarity)
    return Verdict("none", j.reason, "", None, j.confidence)


def _home_moved(new: str, old: str) -> str | None:
    """Where the old memory says the user lives, when the new one says the user moved and names a place the old one
    does not ("We've moved! We're in Beeston now" after "We live in West Bridgford"): a flag, never a hide."""
    if not HOME_MOVED.search(new) or QUESTION.search(new):
        return None
    homes = [c for c in read(old).claims if c.attribute in {"residence", "address"} and c.subject.kind == "user"
             and not c.negated and not c.additive]
    if not homes:
        return None
    said = {w.casefold() for w in re.findall(r"[\w'’-]+", old)}
    places = re.findall(r"(?<!^)(?<![.!?]\s)\b[A-ZÀ-ÖØ-Þ][\w'’-]+", new)
    return homes[0].value if any(p.casefold() not in said for p in places) else None
