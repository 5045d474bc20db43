"""A token-level diff of two memories: the same frame with one value swapped ("Sunday roast is at 2" -> "Sunday roast
is at 3 these days"; "User's GitHub handle is @jdoe" -> "my github handle is @janedoe-dev").

Both texts (already read in the first person) lose their dating and update wrappers ("Update:", "As of March,",
"(as of 2025-01)"), fillers ("now", "currently", "these days") and the reason a note gives after a comma or a dash,
and are lowercased into words. They replace when a word-level diff leaves exactly one changed span on each side and

- the words both keep hold a frame: at least two content words (a verb and a head noun, "roast" and "sunday"), and
  the changed span comes after a link ("is", "at", "in", "to", "with", a verb of the frame), never in the subject's
  place ("Tom lives in Berlin" / "Anna lives in Berlin" differ in who, not in where);
- and the two spans are values of the same kind (a name, a number or time, a day, a month, a handle), and not the
  same value in other words ("NYC" / "New York City").

Never for a question, plan, addition, part-time fact, one-off, negation, a past fact, or a frame whose verb holds
many values at once ("I like Blur", "I met Sue", "I speak French"). Pure functions.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..memory.timeparse import DAY_WORDS as _DAYS
from ..memory.timeparse import FULL_MONTHS
from ._cues import ADDITIVE, IRREALIS, NEGATION, PARTIAL, QUESTION
from ._values import same

_WRAPPER = re.compile(
    r"^\W*(?:update|updated|correction|fyi|note|edit)\s*[:\-–—]\s*|"
    r"^\W*(?:as\s+of|since|from|starting|effective)\s+(?:\d{4}-\d\d(?:-\d\d)?|\w+(?:\s+\d{1,2}(?:st|nd|rd|th)?)?"
    r"(?:,?\s+\d{4})?)\s*,?\s*|"
    r"\s*\((?:as\s+of|updated|since|from)\s[^)]*\)|"
    r"\s*\b(?:as\s+of|effective)\s+\d{4}-\d\d(?:-\d\d)?\b",
    re.IGNORECASE,
)
# the reason or aside after the fact: "standup's at 10 now, 9:15 was too early", "Sunday roast is at 3 - kids sleep in"
_ASIDE = re.compile(r"\s*(?:,|\s[-–—]\s|\(|;|\.\s).*$", re.DOTALL)
_FILLERS = re.compile(r"\b(?:now|currently|these\s+days|nowadays|from\s+now\s+on|actually|officially|just|finally|"
                      r"new|current|latest|updated)\b", re.IGNORECASE)
_ONE_OFF = re.compile(r"\b(?:still|today|tonight|yesterday|tomorrow|this\s+(?:week|weekend|morning|afternoon|evening|"
                      r"time|once|month)|next\s+(?:week|month|year)|for\s+(?:now|a\s+(?:day|week|bit|while))|"
                      r"last\s+(?:night|week|weekend)|temporarily|until|till|instead)\b", re.IGNORECASE)
_TOO_ADJECTIVE = re.compile(r"\btoo\s+(?!(?:for|in|at|on|with|and|but|now|as)\b)(?=[a-z])")  # "too early" adds nothing
_PAST = re.compile(r"\b(?:used\s+to|previously|formerly|former|was|were|back\s+then|years\s+ago|grew\s+up)\b",
                   re.IGNORECASE)
_WORD = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[£$€]\s?\d[\d,.]*k?|\d[\d:.,]*\w*|[@#]?[\w'’+.-]*\w|:")
_LINKS = frozenset({"is", "are", "am", "'s", "in", "at", "on", "to", "with", "by", "from", "for", "named", "called",
                    ":", "=", "uses", "use", "using", "drive", "drives", "lives", "live", "works", "work", "banks",
                    "bank", "takes", "take", "rides", "ride", "supports", "support", "attends", "attend", "earns",
                    "earn", "weighs", "weigh", "costs", "cost", "pays", "pay", "runs", "starts", "meets", "handle",
                    "username", "surname", "address", "number"})
# verbs whose object is one of many, or a one-off: another value adds, it does not replace
_MANY = frozenset({"like", "likes", "love", "loves", "enjoy", "enjoys", "hate", "hates", "play", "plays", "speak",
                   "speaks", "know", "knows", "met", "meet", "visited", "visit", "visits", "watch", "watched",
                   "watching", "read", "reading", "listen", "listened", "collect", "collects", "had", "went", "saw",
                   "ate", "bought", "tried", "friend", "friends", "allergic", "follow", "follows", "recommend",
                   "recommended", "favourites", "favorites", "include", "includes", "called", "call", "texted",
                   "emailed", "talked", "spoke", "took", "got", "gave", "sent", "ordered", "booked", "fan", "into"})
_PREPOSITIONS = frozenset({"in", "at", "on", "to", "with", "by", "from", "for"})
_NOUN_LINKS = frozenset({"handle", "username", "surname", "address", "number"})  # link only with an owner: "my number"
_OWNER = re.compile(r"\b(?:my|our|i|i'm|me|mine|his|her|their)\b|\w's\b", re.IGNORECASE)
_DROPPED = frozenset({"my", "our", "the", "a", "an"})
_CONTENT_STOP = frozenset({"i", "i'm", "i've", "we", "we're", "my", "our", "the", "a", "an", "is", "are", "am", "be",
                           "in", "at", "on", "to", "with", "by", "from", "for", "of", "and", "or", ":", "=", "'s",
                           "it", "its", "this", "that", "me", "us", "he", "she", "they", "his", "her", "their",
                           "has", "have", "do", "does"})
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve".split())


def _clean(text: str) -> str:
    text = _WRAPPER.sub(" ", text)
    text = _ASIDE.sub("", text.strip())
    return _FILLERS.sub(" ", text)


def _tokens(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.replace("’", "'")):
        low = w.lower().rstrip(".")
        if low.endswith("'s") and len(low) > 2:
            out += [low[:-2], "'s"]  # "Anna's manager": "anna" "'s"
        elif low:
            out.append(low)
    # "standup's at 10" is "standup is at 10"
    return ["is" if w == "'s" and i + 1 < len(out) and out[i + 1] in _PREPOSITIONS else w for i, w in enumerate(out)]


def _kind(span: list[str], original: str) -> str | None:
    """The kind of value a changed span is, or None when it is not a value (a plain word: "tea", "window")."""
    kinds = set()
    for w in span:
        if w in {"a", "an", "the", "at", "on", "in", "to", "dr", "mr", "mrs", "ms", "and", "of", "st"}:
            continue
        if "@" in w[1:] and "." in w:
            kinds.add("email")
        elif w.startswith("@") or (w[0].isalpha() and any(c.isdigit() for c in w) and "-" not in w):
            kinds.add("code")
        elif w[0].isdigit() or w[0] in "£$€" or w in _NUMBER_WORDS or w in {"noon", "midday", "midnight"}:
            kinds.add("number")
        elif w.rstrip("s") in _DAYS:
            kinds.add("day")
        elif w in FULL_MONTHS:
            kinds.add("month")
        elif re.search(r"(?<![\w'’])" + re.escape(w) + r"(?!\w)", original, re.IGNORECASE) and \
                any(m.group()[0].isupper() for m in re.finditer(r"(?<![\w'’])" + re.escape(w) + r"(?!\w)", original,
                                                               re.IGNORECASE)):
            kinds.add("name")
        elif w in {"am", "pm"}:
            continue
        else:
            return None  # a plain lowercase word: no value kind
    if len(kinds) != 1:
        return "mixed" if {"number", "name"} <= kinds else None
    return kinds.pop()


def diff(new: str, old: str) -> str | None:
    """The old value when ``new`` states ``old``'s frame with one value swapped, else None."""
    for text in (new, old):
        if QUESTION.search(text) or IRREALIS.search(text):
            return None
    if NEGATION.search(old) or NEGATION.search(_ASIDE.sub("", new)):
        return None  # an aside may deny the old value: "Kate's birthday is 14 March, not the 4th"
    if ADDITIVE.search(_TOO_ADJECTIVE.sub("", new)) or PARTIAL.search(new) or _ONE_OFF.search(new) or _PAST.search(old):
        return None
    cn, co = _clean(new), _clean(old)
    if _PAST.search(cn):
        return None  # "Standup's at 10, 9:15 was too early" says the past in its aside, which is cut
    nt, ot = _tokens(cn), _tokens(co)
    nt = ["is" if w in {":", "="} else w for w in nt if w not in _DROPPED]
    ot = ["is" if w in {":", "="} else w for w in ot if w not in _DROPPED]
    if len(nt) < 3 or len(ot) < 3 or len(nt) > 16 or len(ot) > 16:
        return None
    changed = [op for op in SequenceMatcher(None, ot, nt, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(changed) != 1 or changed[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = changed[0]
    if i2 - i1 > 5 or j2 - j1 > 5:
        return None
    kept = ot[:i1] + ot[i2:]
    if set(kept) & _MANY:
        return None
    content = [w for w in kept if w not in _CONTENT_STOP and not w[0].isdigit()]
    if not content:
        return None
    links = [w for w in ot[:i1] if w in _LINKS and w not in _PREPOSITIONS]
    if not links or ot[i1 - 1] in {"and"}:
        return None  # the change is in the subject's place, not the value's
    if all(w in _NOUN_LINKS for w in links) and not _OWNER.search(co):
        return None  # "durable fact number 1" -> "durable fact number 2": a label's number, nobody's value
    ko, kn = _kind(ot[i1:i2], co), _kind(nt[j1:j2], cn)
    if ko is None or ko != kn or (len(content) < 2 and ko not in {"number", "day", "month", "code", "email"}):
        return None  # one head word frames a time or a handle ("standup is at 9:15"), not a name
    span_old = " ".join(ot[i1:i2])
    span_new = " ".join(nt[j1:j2])
    if same("name", span_old, span_new) or same("name", span_new, span_old):
        return None
    m = re.search(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in ot[i1:i2] if w != "'s") + r"(?!\w)", co,
                  re.IGNORECASE)
    return m.group() if m else span_old
