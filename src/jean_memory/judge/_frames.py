"""Frames with their values masked: "My coffee order is | an oat latte" and "my coffee order is | a flat white now"
state the same thing of the same owner with another value; "I don't | drink coffee" and "started having coffee"
reverse a negation.

These rules know no attribute words. A copula frame is a possessive head ("my X", "our X", "Anna's X", or a terse
note's "X:"), a link ("is", "are", ":") and a value. Two memories whose heads are the same words (fillers such as
"current" or "usual" aside) and whose values are of the same shape (a name, a number, "a/an" something, a
preposition and its object, a plain word) but differ state the same single-valued attribute twice, and the new one
wins. Plural heads ("my kids are"), heads that are only a person ("my sister is ...", unless a change is said),
negated or added values, plans, questions and one-offs are left alone. Pure functions.
"""

from __future__ import annotations

import re

from ._cues import ADDITIVE, IRREALIS, NEGATION, PARTIAL, QUESTION
from ._subjects import RELATIONS
from ._values import STATES

_LINK = re.compile(r"\s+(?:is|are)\s+(?:now\s+|currently\s+|officially\s+)?(?:changed\s+to\s+|called\s+|named\s+)?|"
                   r"\s*:\s+|\s+=\s+|\s+[-–—]\s+", re.IGNORECASE)
_HEAD = re.compile(r"^(?:(?P<own>my|our|(?-i:[A-Z])[\w-]+['’]s|(?:my|our)\s+[\w-]+['’]s)\s+)?"
                   r"(?P<words>(?:[\w-]+\s+){0,4}[\w-]+)$", re.IGNORECASE)
_FILLER = frozenset({"new", "current", "currently", "usual", "main", "primary", "default", "preferred", "regular",
                     "present", "latest", "now", "the", "a", "an", "go-to", "everyday", "normal", "standard"})
_VERBISH = frozenset({"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "do", "does", "did",
                      "got", "get", "gets", "went", "said", "says", "think", "thinks", "and", "but", "or", "if",
                      "when", "that", "which", "who", "because", "so", "not", "also", "still", "never", "just"})
_VALUE_END = re.compile(r"\s*(?:[.;!?(]|,|\s[-–—]\s|\b(?:and|but|because|since|so|after|which|who|though|"
                        r"although|while|as\s+of|from\s+now\s+on|these\s+days|nowadays|now|again|instead|"
                        r"anymore|any\s+more)\b|$)", re.IGNORECASE)
_PREPOSITIONS = frozenset({"in", "on", "at", "to", "for", "with", "from", "by", "near", "under", "over"})
_ONE_OFF = re.compile(r"\b(?:today|tonight|yesterday|tomorrow|this\s+(?:week|weekend|morning|afternoon|evening|"
                      r"time|once)|for\s+(?:now|a\s+(?:day|week|bit|while))|last\s+(?:night|week)|temporarily|"
                      r"until|till|while)\b", re.IGNORECASE)
_CHANGE = re.compile(r"\b(?:now|nowadays|these\s+days|changed|switched|moved|became|become|turned|promoted|"
                     r"from\s+now\s+on|no\s+longer|anymore|since|updated|correction|actually|instead|again|"
                     r"started|new)\b", re.IGNORECASE)
_NOT_OWNER = frozenset({"it's", "that's", "there's", "what's", "who's", "here's", "he's", "she's", "let's"})


def _head_and_value(text: str) -> tuple[str, str, bool] | None:
    """(head words, value, whether the head is only a person) of a copula memory's first clause, or None."""
    m = _LINK.search(text)
    if m is None or m.start() == 0:
        return None
    h = _HEAD.match(text[: m.start()].strip(" \t\"'(").rstrip(","))
    if h is None:
        return None
    own = (h.group("own") or "").casefold().replace("’", "'")
    if own in _NOT_OWNER:
        return None
    colon = m.group().strip() in {":", "=", "-", "–", "—"}
    if not own and not colon:
        return None  # "The problem is ...": whose, and which, is unclear
    words = [w for w in h.group("words").casefold().split() if w not in _FILLER]
    if not words or any(w in _VERBISH for w in words):
        return None
    if m.group().strip().casefold().startswith("are") or (words[-1].endswith("s") and not words[-1].endswith("ss")
                                                         and own and len(words[-1]) > 3 and colon):
        return None  # "my kids are", "my hobbies: ...": more than one value
    rest = text[m.end():]
    if colon and not own and not terse_note(rest):
        return None  # "Gina: Hey Jon! ...": a line of dialogue, not "dentist: Thu 3pm"
    end = _VALUE_END.search(rest)
    value = rest[: end.start()] if end else rest
    value = value.strip(" \t\"'").rstrip(".")
    if not value or len(value.split()) > 6:
        return None
    person = all(w.rstrip("s") in RELATIONS or w in RELATIONS for w in words) or (not words and bool(own))
    owner = own.removesuffix("'s")
    return f"{owner} {' '.join(words)}".strip(), value, person


_SPOKEN = re.compile(r"\b(?:i|i'm|i've|i'll|i'd|me|you|you're|your|we|we're|us|he|she|they|it's|that's|hey|hi|"
                     r"hello|yeah|yes|yep|no|nope|thanks|thank|wow|oh|ok|okay|sure|haha|lol|omg|aww|cool|great|"
                     r"nice|sorry|please|congrats|awesome|amazing|glad|love)\b", re.IGNORECASE)


def terse_note(rest: str) -> bool:
    """What follows "X:" is a terse value ("Thu 3pm", "flat white now"), not something said: at most six words,
    no pronoun, greeting or exclamation."""
    return len(rest.split()) <= 6 and "!" not in rest and _SPOKEN.search(rest) is None


def _shape(value: str) -> str:
    first = value.split()[0]
    low = first.casefold()
    if low in {"a", "an"}:
        return "a"
    if low in _PREPOSITIONS:
        return f"prep:{low}"
    if first[0].isdigit() or first[0] in "$£€+#@":
        return "number"
    if first[0].isupper():
        return "name"
    return "word"


def _state(value: str) -> bool:
    """ "a mess", "closed", "at the mechanic": how a thing is, not which it is."""
    words = [w for w in value.casefold().split() if w not in {"a", "an", "the", "so", "very", "really", "bit"}]
    return not words or words[0] in STATES or (words[0].endswith("ed") and _shape(value) == "word")


def _words(value: str) -> set[str]:
    return {w for w in re.findall(r"[\w@.+#$£€-]+", value.casefold().replace("’", "'"))
            if w not in {"a", "an", "the", "my", "our", "dr", "dr.", "mr", "mrs", "ms"}} - {"."}


def frame(new: str, old: str) -> str | None:
    """The old value when both memories are one copula frame of the same owner and head with another value."""
    if QUESTION.search(new) or IRREALIS.search(new) or ADDITIVE.search(new) or PARTIAL.search(new) \
            or _ONE_OFF.search(new) or NEGATION.search(new):
        return None
    n, o = _head_and_value(new), _head_and_value(old)
    if n is None or o is None or n[0] != o[0] or NEGATION.search(old):
        return None
    (_, nv, person), (_, ov, _) = n, o
    if person and not _CHANGE.search(new):
        return None  # "my sister is a nurse" / "my sister is a runner": who she is, not one slot
    if _shape(nv) != _shape(ov) or _state(nv) or _state(ov):
        return None
    wn, wo = _words(nv), _words(ov)
    if not wn or not wo or wn <= wo or wo <= wn:
        return None  # the same value, or more detail of it
    return ov


_NEGATED_HABIT = re.compile(r"^\W*(?:i|we)\s+(?:don't|do\s+not|never|no\s+longer|can't|cannot)\s+(?P<verb>[a-z]+)\s+"
                            r"(?:any\s+)?(?P<obj>[a-z][\w-]*)", re.IGNORECASE)
_RESUMED = re.compile(r"\b(?:started|starting|again|now|back\s+(?:to|on)|these\s+days|nowadays|took\s+up|"
                      r"picked\s+up)\b", re.IGNORECASE)
_USER_OPENS = re.compile(r"^\W*(?:i|i'm|i've|we|we're|we've|started|starting|back|now|took|picked|drinking|eating|"
                         r"smoking|having)\b", re.IGNORECASE)


def reversed_negation(new: str, old: str) -> bool:
    """ "I don't drink coffee" -> "started having coffee in the mornings": the user's own habit, resumed."""
    m = _NEGATED_HABIT.search(old)
    if m is None or NEGATION.search(new) or QUESTION.search(new) or IRREALIS.search(new) or _ONE_OFF.search(new):
        return False
    if not _USER_OPENS.search(new) or not _RESUMED.search(new) or ADDITIVE.search(new):
        return False
    obj = m.group("obj").casefold()
    return re.search(r"\b" + re.escape(obj) + r"\b", new, re.IGNORECASE) is not None
