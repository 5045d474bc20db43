"""Planned things and routines: which event a clause is about, and when it happens.

An event is a kind ("appointment", "flight", "gym"), its qualifiers ("dentist", "with sarah", "to:tokyo") and whose it
is ("Mia's party"); its value is the set of day and time words in the clause. Two clauses are about the same event
when kind and owner agree and one set of qualifiers holds the other. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..memory.timeparse import MONTH_WORDS
from ._subjects import Subject, parse_prefix

_KINDS = (
    "appointment|appt|meeting|flight|haircut|offsite|conference|interview|dinner|lunch|breakfast|brunch|party|"
    "session|class|lesson|practice|checkup|check-up|exam|surgery|standup|stand-up|review|visit|club|call|game|"
    "concert|train|recital|ceremony|wedding|rehearsal|training|appointment|shift|date|reservation|booking|"
    "consultation|treatment|massage|therapy|tutoring|playdate|sync|demo|presentation|deadline|delivery"
)
_NOUN = re.compile(rf"\b(?:{_KINDS})(?:e?s)?\b", re.IGNORECASE)
_ACTIVITY = re.compile(
    r"\b(?P<a>gym|work(?:ing)?\s+out|workouts?|run|runs|running|jog|jogging|swim|swimming|yoga|pilates|"
    r"climbing|cycling|(?:work(?:s|ing)?[\s-]+from[\s-]+home|wfh)(?:\s+days?)?|plumber|electrician|cleaner|"
    r"babysitter|nanny|piano|guitar|violin|choir|dentist|doctor|physio|physiotherapist|therapist|hairdresser|"
    r"barber|vet|orthodontist|dermatologist|chiropractor)\b",
    re.IGNORECASE,
)
_DAYS = {"mon": "mon", "tue": "tue", "tues": "tue", "wed": "wed", "thu": "thu", "thur": "thu", "thurs": "thu",
         "fri": "fri", "sat": "sat", "sun": "sun"}
_MONTHS = "|".join(MONTH_WORDS)
_WEEKDAY = re.compile(r"\b(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nes?day|rsday|urday)?(s)?\b", re.IGNORECASE)
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<m2>{_MONTHS})\b|\b(?P<m3>{_MONTHS})\b|\bthe\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)\b|"
    r"\b(?P<iso>\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b|\b(?P<rel>tomorrow|today|tonight|weekends?|"
    r"first|second|third|fourth|last|every\s+day|daily|weekly|monthly)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)|\b(?P<h2>\d{1,2}):(?P<mi2>\d{2})\b|"
    r"\b(?:at|around|by|from)\s+(?P<h3>\d{1,2})\b(?![:.]\d|\s*(?:st|nd|rd|th|%|[/-]))|\b(?P<part>noon|midnight|"
    r"mornings?|afternoons?|evenings?|nights?)\b",
    re.IGNORECASE,
)
_ONE_OFF = re.compile(r"\b(?:this\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*day|last|yesterday|skipped|missed|closes?|"
                      r"opens?|closed|was\s+great|went\s+well)\b", re.IGNORECASE)
# A single occasion ("this week", "today", "just this once", "went ... instead"): an exception, not a new routine.
_ONCE = re.compile(r"\b(?:this\s+(?:week|weekend|time|once)|today|tonight|for\s+once|just\s+once|"
                   r"(?:week|day|time)\s+only|only\s+this|one-off)\b", re.IGNORECASE)
_ONCE_WEAK = re.compile(r"\b(?:tomorrow|went|was|were|had)\b", re.IGNORECASE)  # unless the clause says a routine
_RECURRING = re.compile(r"\b(?:every|each|weekly|daily|on\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*days|"
                        r"(?:mon|tue|wed|thu|fri|sat|sun)\w*days|[a-z]{3}/[a-z]{3})\b|^\w+:", re.IGNORECASE)
_SKIP_QUAL = frozenset({"my", "our", "the", "a", "an", "your", "next", "new", "yearly", "annual", "weekly",
                        "monthly", "daily", "regular", "usual", "upcoming", "big", "first", "this", "his", "her",
                        "their", "i", "have", "has", "had", "got", "booked", "is", "on", "and", "kids'"})
_AFTER = re.compile(r"\s+(?:(?P<p>with|to|from|for)\s+(?:the\s+|my\s+|our\s+)?(?P<w>[\w'-]+)|(?P<b>back))",
                    re.IGNORECASE)


_PROVIDER = re.compile(r"\b(?:dentist|doctor|vet|therapist|physio|hairdresser|barber|orthodontist|dermatologist|"
                       r"optician|gynecologist|pediatrician)\b")
_SAME = {"therapist": "therapy", "physiotherapist": "physio", "physiotherapy": "physio", "doc": "doctor",
         "gp": "doctor", "hairdresser": "haircut", "barber": "haircut", "dentists": "dentist"}


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    quals: frozenset[str]
    owner: Subject | None
    days: frozenset[str]
    times: frozenset[str]
    recurring: bool
    phrase: str
    once: bool = False     # said of a single occasion: "coming wednesday this week instead"


def _singular(word: str) -> str:
    word = word.casefold().replace("-", "")
    for suffix in ("sses", "ches", "ses"):
        if word.endswith(suffix) and word not in {"classes"}:
            return word[: -len(suffix) + 2]
    if word == "classes":
        return "class"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _is_date_word(word: str) -> bool:
    return bool(_WEEKDAY.fullmatch(word) or _DATE.fullmatch(word) or word[:1].isdigit())


def when(text: str) -> tuple[frozenset[str], frozenset[str]]:
    days: set[str] = set()
    for m in _WEEKDAY.finditer(text):
        days.add(_DAYS.get(m.group(1).casefold()[:4].rstrip("s"), m.group(1).casefold()[:3]))
    for m in _DATE.finditer(text):
        month = (m.group("m1") or m.group("m2") or m.group("m3") or "")[:3].casefold()
        day = m.group("d1") or m.group("d2") or m.group("d3") or ""
        days.add(f"{month}{day}" or (m.group("iso") or m.group("rel") or "").casefold())
    if any(d[:3] in {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
           and d[3:].isdigit() for d in days):
        days -= {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
    times: set[str] = set()
    for m in _TIME.finditer(text):
        if m.group("part"):
            times.add(_singular(m.group("part")))
            continue
        hour = int(m.group("h") or m.group("h2") or m.group("h3"))
        minute = m.group("mi") or m.group("mi2") or "00"
        times.add(f"{hour % 12}:{minute}")
    return frozenset(days), frozenset(times)


def _owner(clause: str, start: int, premods: list[str]) -> Subject | None:
    for word in premods:
        if word.endswith(("'s", "'")) and word[0].isupper() or word.casefold().rstrip("'s") in {"kid", "kids"}:
            return parse_prefix(word, None)
    m = re.match(r"\s*((?:my|our)\s+\w+|[A-Z]\w+|i|we)\s+(?:has|have|had|goes|go|got)\b", clause[:start],
                 re.IGNORECASE)
    return parse_prefix(m.group(1), None) if m else None


def find(clause: str) -> Event | None:
    """The event the clause is about, with its days and times; None when it names none or no time."""
    nouns = list(_NOUN.finditer(clause))
    for nxt in nouns[1:]:  # "wedding anniversary dinner": the head is the last noun of the run
        if re.fullmatch(r"\s+(?:[\w'-]+\s+)?", clause[nouns[0].end(): nxt.start()]):
            nouns[0] = nxt
    m = nouns[0] if nouns else _ACTIVITY.search(clause)
    if m is None or _ONE_OFF.search(clause):
        return None
    head = re.sub(r"[\s-]+", " ", m.group().casefold())
    kind = "work from home" if "home" in head or head.startswith("wfh") else _singular(head.split()[0])
    kind = _SAME.get(kind, kind)
    kind = {"running": "run", "jogging": "jog", "swimming": "swim", "workout": "work out", "appt": "appointment",
            "checkup": "check-up", "stand-up": "standup"}.get(kind, kind)
    before = re.findall(r"[\w'’-]+", clause[: m.start()].replace("’", "'"))[-3:]
    premods: list[str] = []
    for word in reversed(before):
        if word.casefold() in _SKIP_QUAL or _is_date_word(word) or word.casefold() in {"at", "in", "go", "to"}:
            break
        premods.insert(0, word)
    quals = {_SAME.get(q, q) for q in (w.casefold().removesuffix("'s").removesuffix("'") for w in premods)}
    owner = _owner(clause, m.start(), premods)
    quals = {q for q in quals if not owner or q not in (owner.name, owner.rel)} - {"kid", "kids", "job"}
    quals |= {_SAME.get(w, w) for w in _PROVIDER.findall(clause.casefold())}  # "Dentist moved my appointment"
    pos = m.end()
    while (a := _AFTER.match(clause, pos)) is not None:
        pos = a.end()
        if a.group("b"):
            quals.add("back")
            continue
        word, prep = a.group("w"), a.group("p").casefold()
        if _is_date_word(word):
            break
        if prep == "for" and word[0].isupper():
            owner = parse_prefix(word, None)
        else:
            quals.add(f"{prep}:{word.casefold()}" if prep in {"to", "from"} else word.casefold())
    rest = clause[: m.start()] + " " + clause[m.end():]
    days, times = when(rest)
    if not days and not times:
        return None
    recurring = bool(_RECURRING.search(clause))
    return Event(kind, frozenset(quals), owner, days, times, recurring, _when_phrase(rest),
                 bool(_ONCE.search(clause)) or (not recurring and bool(_ONCE_WEAK.search(clause))))


def _when_phrase(text: str) -> str:
    """The day and time words as written ("Tuesday at 3pm"), for "(changed from ...)"."""
    spans = sorted(m.span() for p in (_WEEKDAY, _DATE, _TIME) for m in p.finditer(text))
    if not spans:
        return ""
    start, stop = spans[0][0], max(end for _, end in spans)
    if stop - start <= 40:
        return text[start:stop].strip(" ,")
    return " ".join(text[a:b] for a, b in spans)
