"""Slot values: cut a value out of the words after an attribute phrase, normalise it, compare two of them.

Kinds: "text" (a place, employer, school...), "role" (compared exactly: "engineer" -> "senior engineer" is a
change), "name" (capitalised words; titles dropped for comparison), "phone", "email", "number", "money".
Pure functions.
"""

from __future__ import annotations

import re

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# Where a free-text value ends: punctuation, a new clause, or time/degree words that are not part of it.
_STOP = re.compile(
    r"\s*(?:\.(?![A-Z](?:\.|\b))|[;!?(]|,|\s-\s|\bnow\b|\bagain\b|\btoo\b|\balso\b|\banymore\b|\bany more\b|"
    r"\bthese days\b|"
    r"\bfrom now on\b|\bfor\b|\bsince\b|\bafter\b|\bbecause\b|\bbefore\b|\blast\b|\bthis\b|\bnext\b|"
    r"\binstead\b|\bas usual\b|\bas\b|\buntil\b|\bduring\b|\bwith\b|\band\b|\bbut\b|\bso\b|\bwhere\b|\bwhich\b|"
    r"\bon (?:weekends|weekdays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b|"
    rf"\bin (?:{_MONTHS}|\d{{4}}|the (?:spring|summer|autumn|fall|winter))\b|\byesterday\b|\btoday\b|"
    r"\bpermanently\b|\bofficially\b|\bfull[- ]time\b|\bpart[- ]time\b|\bthough\b|$)",
    re.IGNORECASE,
)
_PHRASE_STOP = re.compile(_STOP.pattern.replace(r"\bwith\b|", "").replace(r"\band\b|", ""), re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:a|an|the|my|our|his|her|their|now|currently|officially)\s+)+", re.IGNORECASE)
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MONEY = re.compile(r"[$€£]?\s?\d[\d,.]*\s?(?:k\b|thousand\b)?", re.IGNORECASE)
_RANKS = frozenset({"senior", "junior", "lead", "principal", "staff", "head", "chief", "assistant", "associate",
                    "deputy", "vice", "executive", "managing", "sr", "jr", "trainee", "apprentice", "intern", "acting",
                    "interim", "general", "regional", "area", "district", "national", "global", "vp", "director"})
STATES = frozenset({"closed", "open", "on", "at", "in", "away", "busy", "great", "good", "bad", "fine", "full",
                     "empty", "broken", "sick", "ill", "out", "off", "down", "up", "late", "early", "expensive",
                     "cheap",
                     "nice", "far", "near", "close", "mess", "messy", "dirty", "clean", "pregnant", "happy",
                     "sad", "tired", "ok", "okay", "awesome", "terrible", "amazing", "lovely", "annoying", "slow",
                     "fast", "due", "overdue", "getting", "being", "not", "very", "really", "so", "too", "quite",
                     "pretty", "always", "never", "still", "currently", "strict", "nearby", "there", "here"})
_TITLES = frozenset({"dr", "dr.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "prof", "prof.", "miss"})
_NAME_TOKEN = re.compile(r"[A-Z][\w'’.-]*|(?:Dr|Mr|Ms|Mrs|Prof)\.?", re.UNICODE)


def cut(after: str, stop: re.Pattern[str] = _STOP) -> str:
    """The free-text value at the start of ``after``, up to the first stop."""
    m = stop.search(after)
    value = after[: m.start()] if m else after
    return _LEADING.sub("", value.strip()).strip(" ,:'\"")


def extract(kind: str, after: str) -> str | None:
    """The raw value of ``kind`` at the start of ``after`` (the words following the attribute phrase)."""
    after = after.lstrip(" :")
    if kind == "phone":
        m = _PHONE.match(after)
        return m.group().strip() if m and sum(c.isdigit() for c in m.group()) >= 7 else None
    if kind == "email":
        m = _EMAIL.search(after[:60])
        return m.group() if m else None
    if kind == "number":
        m = _NUMBER.match(after)
        return m.group() if m else None
    if kind == "money":
        m = _MONEY.match(after)
        return m.group().strip() if m and any(c.isdigit() for c in m.group()) else None
    if kind == "name":
        names = []
        for token in after.split():
            bare = token.strip(",.;:!?")
            if not _NAME_TOKEN.fullmatch(bare) and not (token.endswith(".") and _NAME_TOKEN.fullmatch(token)):
                break
            names.append(bare)
            if token.endswith((",", ";", "!", "?")) or (token.endswith(".") and bare.casefold() not in _TITLES):
                break
        keep = [n for n in names if n.casefold().rstrip(".") not in {"now", "again", "too"}]
        return " ".join(keep) if any(n.casefold().rstrip(".") not in {"dr", "mr", "ms", "mrs", "prof"}
                                     for n in keep) else None
    if kind == "phrase":  # likes and hobbies: "tea with milk" is not "tea"
        value = cut(after, _PHRASE_STOP)
    else:
        value = cut(after)
    if value and value.split()[0].casefold() in STATES:
        return None  # "my gym is closed", "my car is at the mechanic": a state, not a value
    return value if value and len(value) <= 60 else None


def norm(kind: str, value: str) -> str:
    if kind == "phone":
        return "".join(c for c in value if c.isdigit())[-7:]
    if kind in {"number", "money"}:
        digits = value.casefold().replace(",", "").replace("thousand", "k").replace(" ", "")
        return digits.lstrip("$€£")
    words = re.findall(r"[\w@.+-]+", value.casefold().replace("&", " and ").replace("’", "'"))
    if kind == "name":
        words = [w for w in words if w not in _TITLES]
    return " ".join(w.strip(".") for w in words)


def _abbreviates(short: str, long: str) -> bool:
    """ "NYC" and "New York City", "D.C." and "Washington DC": the same value in other words."""
    letters = re.sub(r"[.\s]", "", short)
    if not letters.isupper():
        return False  # an acronym is written in capitals: "York" does not abbreviate "New York"
    letters = letters.casefold()
    words = [re.sub(r"\.", "", w) for w in re.findall(r"[\w.'’-]+", long.casefold())]
    if not 2 <= len(letters) <= 5 or not letters.isalpha() or len(words) < 2:
        return False
    return letters in words or letters == "".join(w[0] for w in words if w)


def same(kind: str, a: str, b: str, loose: bool = False) -> bool:
    """Whether two values of ``kind`` name the same thing: "Berlin, Germany" and "Berlin" do, "New York" and "York"
    do not; ``loose`` also lets one hold the other anywhere ("the Civic" and "a Honda Civic")."""
    na, nb = norm(kind, a), norm(kind, b)
    if na == nb:
        return True
    ta, tb = na.split(), nb.split()
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if kind == "role":  # "a great teacher" is a teacher; a "senior engineer" is a promotion
        return bool(short) and long[-len(short):] == short and not _RANKS.intersection(long[: -len(short)])
    if kind in {"phone", "email", "number", "money", "phrase"} or not na or not nb:
        return False
    if _abbreviates(a, b) or _abbreviates(b, a):
        return True
    return long[: len(short)] == short or (loose and set(short) <= set(long))
