"""Does a new memory replace an older one? A fast local judgment from subjects, attributes and slot values.

Both texts are read into claims (``_claims``): who (the user, "my sister Anna", "Tom"), which attribute (residence,
phone, employer, a dentist appointment's time...) and which value. The new memory replaces the old one when they
state the same attribute of the same subject and

- the attribute holds one value at a time (where someone lives, a phone number, a manager, a diet) and the values
  differ, and the new one is not stated as an addition ("also", "too", "a second");
- or the new memory says the old value stopped holding ("I no longer work at Shopify", "switched from Chrome");
- or, for a planned thing, its day or time differs and the new memory says it changed ("moved", "rescheduled",
  "now"), or both state a routine ("gym on Mondays" -> "gym on Tuesdays").

With ``similarity`` (the cosine of the two memories' embeddings, which the caller has from its candidate search),
a pair the rules above know nothing about goes to the generic rule (``_generic``): close in meaning, a change cue in
the new memory, a value of the same kind that differs, no sign of another subject, an addition or a one-off. Its
replacements are marked ``doubtful``. Without ``similarity`` the judgment is the text-only one.

Anything less is not a replacement: precision first, since a wrong replacement hides a true fact. No I/O, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..memory.text import head
from ._claims import Claim, Statement, read
from ._diff import diff
from ._events import Event
from ._frames import frame, reversed_negation, terse_note
from ._generic import MOVED_TOO, SIMILAR, generic, qualified
from ._subjects import first_person, same_subject
from ._values import same


@dataclass(frozen=True, slots=True)
class Judgment:
    replaces: bool            # the new memory gives a new value for what the old one states
    confidence: float         # 0..1
    reason: str               # short, human: "where sister Anna lives: Berlin -> Munich"
    old_value: str | None     # "Berlin" (for "(changed from Berlin on 2026-11-27)"), None when unknown
    doubtful: bool = False    # an optional LLM may confirm; the local answer stands without one
    rule: str = ""            # the deciding rule: facts, stopped, events, frame, reversed, diff, generic, one fact


JUDGED_CHARS = 1000  # of each memory (saved notes are a few dozen words; a long one is judged on its opening)
_NOTHING = Statement((), (), False)
_NO = Judgment(False, 0.95, "no shared attribute", None)
_NO_SIGN = "(no sign it changed)"
_WHERE = {"residence": ("where you live", "where {s} lives"), "employer": ("where you work", "where {s} works")}


def _label(claim: Claim) -> str:
    """ "where sister Anna lives", "your phone", "Tom's manager"."""
    who = claim.subject.label()
    if claim.attribute in _WHERE:
        yours, theirs = _WHERE[claim.attribute]
        return yours if who == "you" else theirs.format(s=who)
    attribute = {"role": "job"}.get(claim.attribute, claim.attribute)
    return f"{'your' if who == 'you' else who + chr(39) + 's'} {attribute}"


def _facts(new: Statement, old: Statement) -> Judgment | None:
    """The verdict over plain claims: the first replacement found, else a doubt, else None (nothing shared)."""
    verdict: Judgment | None = None
    restated = {(o.attribute, o.subject) for n in new.claims for o in old.claims
                if not n.negated and n.attribute == o.attribute and same_subject(n.subject, o.subject)
                and n.value and o.value and same(o.kind, n.value, o.value)}
    for n in new.claims:
        for o in old.claims:
            if o.negated or o.value is None or not same_subject(n.subject, o.subject):
                continue
            if n.attribute == "*" or (n.negated and n.attribute == o.attribute):
                if not o.single and not new.change_cue:
                    continue  # "I don't like tea" is a preference, not a change; "I don't like tea anymore" is
                kind = "text" if n.attribute == "*" and o.kind == "phrase" else o.kind
                if n.value is None or same(kind, n.value, o.value, loose=n.attribute == "*" or o.attribute == "car"):
                    reason = f"{_label(o)}: {o.value} no longer holds"
                    return Judgment(True, 0.9, reason, o.value, rule="stopped")
                continue
            if n.scope and n.scope != o.scope and (o.scope or not new.change_cue):
                continue  # IntelliJ for Java, PyCharm for Python; Firefox, then "Chrome for work stuff"
            if n.attribute != o.attribute or n.value is None or (o.attribute, o.subject) in restated:
                if n.attribute == o.attribute:
                    verdict = verdict or Judgment(False, 0.9, f"{_label(o)}: same value {o.value}", None)
                continue
            reason = f"{_label(o)}: {o.value} -> {n.value}"
            if not n.single or n.additive or not o.single:
                verdict = Judgment(False, 0.7, f"{reason} (added, not replaced)", None, doubtful=True)
                continue
            confidence = 0.95 if new.change_cue else 0.8
            return Judgment(True, confidence, reason, o.value, doubtful=not new.change_cue, rule="facts")
    return verdict


_GENERIC_KINDS = frozenset({"class", "lesson", "session", "appointment", "practice", "meeting", "call", "visit"})


def _same_event(n: Event, o: Event, cue: bool) -> bool:
    """Same owner, and one names the other: "yoga" and "my yoga class" (with a change cue when they differ)."""
    if n.owner is not None and o.owner is not None and not same_subject(n.owner, o.owner):
        return False
    a = {q.removeprefix("to:") for q in n.quals} | {n.kind}  # "my Chicago flight" is the flight to Chicago
    b = {q.removeprefix("to:") for q in o.quals} | {o.kind}
    if not (a <= b or b <= a):
        return False
    return a == b or (cue and len(a & b - _GENERIC_KINDS) > 0)


def _events(new: Statement, old: Statement) -> Judgment | None:
    for n, additive in new.events:
        for o, _ in old.events:
            if not _same_event(n, o, new.event_change_cue):
                continue
            days = bool(n.days and o.days and n.days != o.days)
            times = bool(n.times and o.times and n.times != o.times)
            what = " ".join(sorted(o.quals)).replace("to:", "to ").replace("from:", "from ")
            reason = f"when the {what + ' ' if what else ''}{o.kind} is: {o.phrase} -> {n.phrase}"
            if not (days or times):
                return Judgment(False, 0.9, f"{reason} (same time)", None)
            if n.days and not o.days and n.recurring and not o.recurring and not days:
                return Judgment(False, 0.7, f"{reason} (only on some days)", None, doubtful=True)
            if additive:
                return Judgment(False, 0.7, f"{reason} (added, not replaced)", None, doubtful=True)
            if o.recurring and n.once:
                return Judgment(False, 0.8, f"{reason} (once: the routine stands)", None)
            if new.event_change_cue:
                return Judgment(True, 0.9, reason, o.phrase, rule="events")
            if n.recurring and o.recurring and not (n.days > o.days and n.times >= o.times):  # not only more days
                return Judgment(True, 0.8, reason, o.phrase, doubtful=True, rule="events")
            return Judgment(False, 0.6, f"{reason} {_NO_SIGN}", None, doubtful=True)
    return None


def _kept(value: str | None, new_text: str, cue: bool) -> bool:
    """The new memory names the old value again, with no change cue: "Vim keybindings inside VS Code" adds a detail."""
    if cue or not value or len(value) < 3:
        return False
    return re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", new_text, re.IGNORECASE) is not None


_FACTS = re.compile(r";\s*|(?<=[a-z0-9)][.!])\s+(?=[A-Z])")
# an old summary's facts may also be joined by commas ("Son Mike lives in Austin, works at Dell"); a new memory's
# comma clauses stay whole, since they qualify it ("moved to a bigger flat, still in Lyon")
_OLD_FACTS = re.compile(_FACTS.pattern + r"|,\s+(?=[a-z]+\s+(?:at|in|with|on)\b)")


def _facts_of(text: str, split: re.Pattern[str] = _FACTS) -> list[str]:
    """A memory's separate facts: "Team is still on Linear; Slack got replaced by Discord" holds two."""
    return [part.strip() for part in split.split(text) if len(part.split()) >= 3]


_ADDRESSED = re.compile(r"\b(?:you|your|you're|ya)\b", re.IGNORECASE)


_SPEAKER = re.compile(r"^\W*[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*)?:\s+(?P<rest>.*)$", re.DOTALL)


def _notes(text: str) -> bool:
    """Saved facts, not a stretch of conversation (which addresses someone, runs long, or is a line of a
    transcript: "Gina: Hey Jon! ..." rather than "dentist: Thu 3pm")."""
    line = _SPEAKER.match(text)
    return len(text.split()) <= 30 and _ADDRESSED.search(text) is None and (
        line is None or terse_note(line.group("rest")))


def is_note(text: str) -> bool:
    """A saved note (a fact as a person or an assistant writes it down, a request to remember one), not a line of a
    transcript ("Gina: Hey Jon! ...") nor a long stretch of text."""
    line = _SPEAKER.match(text)
    return len(text.split()) <= 60 and (line is None or terse_note(line.group("rest")))


_SPACES = re.compile(r"\s{3,}")
_MARKS = re.compile(r"([^\w\s]{8})[^\w\s]+")


def bounded(text: str) -> str:
    """The part of a memory the judgment reads: its first ``JUDGED_CHARS`` characters (``text.head``), with runs of
    more than two spaces or line breaks made two, and runs of more than eight marks ("!!!!!!!!!", "--------") cut
    to eight. The rules' patterns scan such runs again from each of their characters: 1,000 spaces took 60 ms."""
    text = _SPACES.sub(lambda m: "\n\n" if "\n" in m.group() else "  ", head(text, JUDGED_CHARS))
    return _MARKS.sub(r"\1", text)


def judge(new_text: str, old_text: str, *, similarity: float | None = None) -> Judgment:
    """Whether ``new_text`` replaces ``old_text`` (both memories of one user; the caller picks similar pairs).

    ``similarity``: the cosine of the two memories' embeddings, when the caller has it. With it, a pair the specific
    rules know nothing about may still be judged a replacement by the generic rule (``_generic``).

    A memory of several facts (split on ";" and sentences) is judged fact by fact when the whole does not replace:
    one changed fact of a summary ("lives in Hackney; engineer at Monzo") makes it outdated.

    Each text is judged on its first ``JUDGED_CHARS`` characters (``bounded``): the rules read facts a sentence
    states, and the cost of the judgment stays bounded however long a memory is (64 KB of "1-1-1-" took seconds)."""
    new_text, old_text = bounded(new_text), bounded(old_text)
    verdict = _judge(first_person(new_text), first_person(old_text), similarity)
    if verdict.replaces:
        return verdict
    news, olds = _facts_of(first_person(new_text)), _facts_of(first_person(old_text), _OLD_FACTS)
    if (len(news) < 2 and len(olds) < 2) or not (_notes(new_text) and _notes(old_text)):
        return verdict
    for n in news:
        for o in olds:
            part = _judge(n, o, similarity)
            if part.replaces:
                return Judgment(True, part.confidence, f"{part.reason} (one of several facts)", part.old_value,
                                doubtful=True, rule="one fact")
    return verdict


def _judge(new_text: str, old_text: str, similarity: float | None) -> Judgment:
    new_text = MOVED_TOO.sub(r"\1", new_text)  # "moved to Manchester too": a move, as someone else did
    new = read(new_text)
    # Both rules need a claim or an event of the new memory's: without one, the old memory is not read (its first
    # reading, about 0.3 ms, is most of the cost of a judgment).
    old = read(old_text) if new.claims or new.events else _NOTHING
    facts = _facts(new, old)
    if facts is not None and facts.replaces and " -> " in facts.reason and _kept(facts.old_value, new_text,
                                                                                 new.change_cue):
        facts = Judgment(False, 0.7, f"{facts.reason} (the old value is still named)", None, doubtful=True)
    if facts is not None and facts.replaces:
        return facts
    events = _events(new, old)
    if events is not None and events.replaces and qualified(new_text, old_text):
        events = Judgment(False, 0.7, f"{events.reason} (a narrower one: not the same)", None, doubtful=True)
    verdict = events if events is not None and (events.replaces or facts is None) else facts or _NO
    open_question = not verdict.replaces and (verdict is _NO or verdict.reason.endswith(_NO_SIGN))
    # The rules below read no attribute words: they judge saved notes only, never lines of a conversation.
    open_question = open_question and _notes(new_text) and _notes(old_text)
    if open_question and (similarity is None or similarity >= SIMILAR):
        value = frame(new_text, old_text)
        if value is not None:
            return Judgment(True, 0.8, f"same frame, another value: {value} -> (new)", value, doubtful=True,
                            rule="frame")
        if reversed_negation(new_text, old_text):
            return Judgment(True, 0.8, "changed: the negation no longer holds", None, doubtful=True, rule="reversed")
        swapped = diff(new_text, old_text)
        if swapped is not None:
            return Judgment(True, 0.8, f"same frame, one value swapped: {swapped} -> (new)", swapped, doubtful=True,
                            rule="diff")
    if similarity is not None and open_question:
        value = generic(new_text, old_text, similarity)
        if value is not None:
            reason = f"changed: {value} no longer holds" if value else "changed: no longer holds"
            return Judgment(True, 0.75, reason, value or None, doubtful=True, rule="generic")
    return verdict
