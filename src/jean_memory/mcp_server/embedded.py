"""A new value stated inside a question or request, and fragments that are no fact (pure functions, for ``extract``).

People often state a change while asking for something: "can you remind me the meeting moved to 4:30?", "how
should I spend the increased budget of $6,200?", "given that my rent is now $1,500, what can I afford?". The
question is not worth saving, the value is: ``statements_in`` finds it (a request's complement, a "that"/"since"
clause, or a changed thing with its value) and returns it as a statement. ``new_value`` keeps a statement of a
change that does not say "I" or "my" ("The meeting has been moved to 4:30"). ``dangling`` marks a clause that only
points at something said elsewhere ("I want to send her a card", "I need to think about it"): saved alone, it would
tell nobody anything.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight)"
# A value: money, a time, a date or day, a number with its unit (and the capitalised words after it: an address).
_NUMERIC = (
    r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|million|thousand)\b)?"
    r"|\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}[:.]\d{2}\b"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
    rf"|(?:next\s+|this\s+)?{_DAY}\b"
    r"|\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|[a-z]+\b))?(?:\s+(?-i:[A-Z])[\w'-]*)*"
)
_NAME = r"(?-i:[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)"
_HAS_VALUE = re.compile(rf"(?:^|[\s(])(?:{_NUMERIC})", re.I)
_CHANGED = re.compile(r"\b(?:moved|changed|rescheduled|postponed|pushed\s+back|brought\s+forward|increased|decreased|"
                      r"raised|reduced|cut|extended|delayed|updated|switched|went\s+up|went\s+down|now)\b", re.I)

# "can you remind me (that) X", "please note X", "don't let me forget X": X, when it is a statement.
_REQUEST_LEAD = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|oh)[,\s]+)?(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?"
    r"(?:remind\s+me|remember|note(?:\s+down)?|make\s+a\s+note|keep\s+in\s+mind|update\s+(?:it|my\s+notes)|"
    r"don'?t\s+let\s+me\s+forget)(?:\s+(?:that|of\s+the\s+fact\s+that))?[,:]?\s+(?P<rest>.+)$", re.I)
# "... that my rent is now $1,500", "given that ...", "now that ...", "since ..."
_THAT = re.compile(r"(?:^|\s)(?:given\s+that|now\s+that|since|because|that)\s+"
                   r"(?P<rest>(?:i|i'm|i’m|i've|my|our|we|we're|the|it|it's|it’s)\s.+)$", re.I)
_FIRST_PERSON = re.compile(r"(?:i|i'm|i’m|i've|my|our|we|we're)\b", re.I)
_MODAL = re.compile(r"\b(?:should|would|could|might|can|may|shall)\b|'d\b", re.I)
_NOT_A_STATEMENT = re.compile(r"^(?:to|what|why|how|when|where|who|which|whether|if|about|of)\b", re.I)
_VERB = re.compile(r"\b(?:is|are|was|were|am|be|been|has|have|had|moved|changed|\w+ed|\w+s)\b|'s\b|'re\b|'m\b", re.I)
_NOUN = r"(?!(?:is|are|was|were|has|have|works|looks|seems|sounds|starts|begins|ends)\b)[a-z][\w-]*"
# "the increased budget of $6,200", "my new address, 12 Oak Road", "the rescheduled meeting at 4:30"
_CHANGED_THING = re.compile(
    r"\b(?P<det>the|my|our)\s+(?P<adj>new|updated|revised|changed|current|latest|higher|lower|bigger|smaller|"
    r"increased|decreased|raised|reduced|extended|postponed|rescheduled|moved|adjusted|delayed)\s+"
    rf"(?P<noun>(?:{_NOUN}\s+){{0,2}}?{_NOUN})"
    r"(?:\s*[,:]\s*|\s+(?P<prep>of|is|at|on|in|to|for)\s+)"
    rf"(?P<value>{_NUMERIC}|{_NAME})", re.I)
_PARTICIPLES = frozenset({"increased", "decreased", "raised", "reduced", "extended", "postponed", "rescheduled",
                          "moved", "adjusted", "delayed"})

_POINTER = re.compile(r"\b(?:he|she|it|they|him|her|them|his|its|their)\b", re.I)
_ANTECEDENT = re.compile(r"\b(?:my|our)\s+\w+|(?<!^)\b(?-i:[A-Z])[a-z]\w*|\d", re.I)


def statements_in(question: str) -> list[str]:
    """The statements of fact inside a question or request: a request's complement ("remind me X"), a first-person
    "that" clause ("should I tell my boss that I'm moving to Denver?"), a new value ("the increased budget of
    $6,200" -> "the budget was increased to $6,200")."""
    text = question.strip().rstrip("?!. ")
    found: list[str] = []
    lead = _REQUEST_LEAD.match(text)
    if lead and _statement(lead.group("rest")):
        return [lead.group("rest")]
    that = _THAT.search(text)
    if that and _statement(rest := that.group("rest")) and not _MODAL.search(rest) and not dangling(rest) and (
            _FIRST_PERSON.match(rest) or new_value(rest)):
        found.append(rest)
    for thing in _CHANGED_THING.finditer(text):
        det, adj, noun, value = (thing.group(n) for n in ("det", "adj", "noun", "value"))
        prep = (thing.group("prep") or "").lower()
        if adj.lower() in _PARTICIPLES:
            found.append(f"{det} {noun} was {adj.lower()} to {value}")
        else:
            found.append(f"{det} {noun} is now {prep + ' ' if prep in ('at', 'on', 'in') else ''}{value}")
    return found


def _statement(text: str) -> bool:
    return not _NOT_A_STATEMENT.match(text) and bool(_VERB.search(text)) and len(text.split()) >= 3


def new_value(clause: str) -> bool:
    """A statement that something changed to a value: "The meeting has been moved to 4:30"."""
    return bool(_CHANGED.search(clause) and _HAS_VALUE.search(clause))


def dangling(clause: str) -> bool:
    """The clause points at something (her, it, them) it does not name, and names nothing else."""
    pointer = _POINTER.search(clause)
    if pointer is None:
        return False
    before = clause[: pointer.start()]
    return not _ANTECEDENT.search(before) and not re.search(r"(?-i:[A-Z])[a-z]|\d", clause[pointer.end():])
