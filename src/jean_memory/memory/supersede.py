"""Does a new memory replace an older one? (pure, no I/O)

PLACEHOLDER, replaced at merge by the judge helper's module (same interface). It knows one narrow pattern only:
the same subject living somewhere else ("I live in Berlin" -> "I moved to Munich", "My sister Anna lives in Berlin,
Germany" -> "My sister Anna lives in Munich now"). Everything else does not replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Judgment:
    replaces: bool            # the new memory gives a new value for what the old one states
    confidence: float         # 0..1
    reason: str               # short, human: "where sister Anna lives: Berlin -> Munich"
    old_value: str | None     # "Berlin" (for "(changed from Berlin on 2026-11-27)"), None when unknown
    doubtful: bool = False    # an optional LLM may confirm; the local answer stands without one


_SUBJECT = r"(?P<subject>(?i:i|my)(?: \w+){0,3}?)"
_PLACE = r"(?P<place>[A-Z][\w'-]*(?: [A-Z][\w'-]*)*)"
_LIVES = [
    re.compile(rf"^{_SUBJECT} (?i:(?:now |still )?(?:live|lives) in) {_PLACE}"),
    re.compile(rf"^{_SUBJECT} (?i:(?:just |recently |have |has )?moved to) {_PLACE}"),
]
_NO = Judgment(False, 0.0, "", None)


def _residence(text: str) -> tuple[str, str] | None:
    for pattern in _LIVES:
        found = pattern.match(text.strip())
        if found:
            return found["subject"].casefold(), found["place"]
    return None


def judge(new_text: str, old_text: str) -> Judgment:
    new, old = _residence(new_text), _residence(old_text)
    if new is None or old is None or new[0] != old[0] or new[1].casefold() == old[1].casefold():
        return _NO
    who = "the user" if new[0] == "i" else new[0]
    return Judgment(True, 0.9, f"where {who} lives: {old[1]} -> {new[1]}", old[1])
