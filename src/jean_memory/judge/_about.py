"""Whether two memories are about the same one: the people or things a memory opens on, compared (flags only).

A memory opens on whom it is about: "My sister's mobile ..." (the sister), "Tina's boss is Greg" (Tina's boss),
"Priya moved to the London office" (Priya), "I ..." (the user). Two memories close in meaning are about different
ones when either opens on someone the other never mentions ("My sister's mobile" / "My mobile"), or when the new one
opens on the old one's value ("Priya got promoted" / "My manager is Priya": the old memory's fact is about the
manager, and Priya's promotion does not change who that is), unless the new one says that value left or was renamed
("Marco left the company" / "teammates are Dev and Marco"). Read by the value and cue flags. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._subjects import ADJECTIVES, first_person, rel_of

_TOKEN = re.compile(r"[\w'’.&-]+")
_OPENERS = frozenset({"so", "oh", "ok", "okay", "update", "update:", "fyi", "btw", "note", "note:", "and", "but",
                      "also", "now", "just", "hey", "well", "actually"})
_USER = frozenset({"i", "i'm", "i've", "i'd", "i'll", "im", "ive", "we", "we're", "we've", "me", "us"})
_USER_OWNS = frozenset({"my", "our"})
_TITLES = frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof", "prof."})
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|myself|we|we're|we've|us|our|ours|user)\b",
                           re.IGNORECASE)
# The value named first left, ended or took another name: its place in the old memory's fact may have changed.
# People by their role in the user's life, beside the relations of ``_subjects`` ("my manager", "Dad's consultant").
_ROLES = frozenset({"manager", "mentor", "teacher", "doctor", "dentist", "consultant", "gp", "vet", "landlord",
                    "landlady", "teammate", "coach", "therapist", "tutor", "trainer", "lawyer", "accountant",
                    "assistant", "client", "doc"})
# The one named first is only the speaker: "Doc says every 6 months is fine" is about the check-ups.
_SAYS = frozenset({"says", "said", "told", "tells", "thinks", "thought", "recommends", "recommended", "suggests",
                   "suggested", "advised", "advises", "confirmed", "mentioned", "wants", "reckons"})
LEFT_OR_RENAMED = re.compile(r"\b(?:left|quit|retired|resigned|died|passed\s+away|rebranded|renamed|"
                             r"now\s+called|closed|shut\s+down|is\s+gone|moved\s+out)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Person:
    rel: str = ""    # "sister", "boss"; "user" for the user
    name: str = ""   # lower-cased: "anna", "riverside vets"


def lead(text: str, other: str) -> list[Person]:
    """Whom ``text`` opens on, outermost owner first: "My son's friend Amara is ..." -> [son, friend amara]. A
    capitalised word it opens on counts as a name when it ends in "'s" or ``other`` says it too, in capitals."""
    tokens = _TOKEN.findall(first_person(text).replace("’", "'"))
    other = other.replace("’", "'")
    out: list[Person] = []
    i, owned = 0, False
    while i < len(tokens) and tokens[i].casefold().rstrip(",:") in _OPENERS:
        i += 1
    while i < len(tokens):
        tok, low = tokens[i], tokens[i].casefold()
        possessive = low.endswith(("'s", "s'"))
        bare = low.removesuffix("'s").removesuffix("'")
        if not out and not owned and low in _USER:
            return [Person("user")]
        if not out and not owned and low in _USER_OWNS:
            owned, i = True, i + 1
            continue
        rel = rel_of(bare) or (_role(bare) if owned or out else None)  # "Doc took me off ...": not whom
        if rel is not None:
            name, i = "", i + 1
            if not possessive and i < len(tokens) and _capital(tokens[i]):  # "my sister Anna('s)"
                possessive = tokens[i].casefold().endswith("'s")
                name, i = tokens[i].casefold().removesuffix("'s"), i + 1
            out.append(Person(rel, name))
            if not possessive:
                break
            continue
        if owned and not out and bare in ADJECTIVES:  # "my best friend"
            i += 1
            continue
        if _capital(tok) and bare not in _TITLES:
            words = [bare]
            j = i + 1
            while not possessive and j < len(tokens) and _capital(tokens[j]):
                words.append(tokens[j].casefold().removesuffix("'s"))
                possessive = tokens[j].casefold().endswith(("'s", "s'"))
                j += 1
            name = " ".join(words)
            said = " ".join(tokens[i:j]).removesuffix("'s")
            if possessive or re.search(rf"\b{re.escape(said)}\b", other):
                out.append(Person("", name))
                i = j
                if possessive:
                    continue
            break
        if bare in _TITLES and i + 1 < len(tokens) and _capital(tokens[i + 1]):
            i += 1  # "Mr Price": the name is the next word
            continue
        break
    if i < len(tokens) and tokens[i].casefold() in _SAYS:
        return []
    return out or ([Person("user")] if owned else [])


def _role(word: str) -> str | None:
    word = word.removesuffix("s") if word.removesuffix("s") in _ROLES else word
    return "doctor" if word == "doc" else word if word in _ROLES else None


def _capital(token: str) -> bool:
    return token[:1].isupper() and token.casefold() not in _USER and token[:1].isalpha()


def _mentioned(p: Person, text: str) -> bool:
    low = text.casefold().replace("’", "'")
    if p.rel == "user":
        return bool(_FIRST_PERSON.search(low))
    if p.name and re.search(rf"\b{re.escape(p.name.split()[-1])}\b", low):
        return True
    return bool(p.rel) and any((rel_of(b) or _role(b)) == p.rel
                               for w in re.findall(r"[\w'-]+", low) for b in [w.removesuffix("'s").removesuffix("'")])


def other_subject(new: str, old: str) -> str | None:
    """Why ``new`` and ``old`` are about different people or things (None when they may be about the same)."""
    leads = {new: lead(new, old), old: lead(old, new)}
    if LEFT_OR_RENAMED.search(new) and any(p.name and not p.rel for p in leads[new]):
        return None  # "Marco left the company", "Brightside Labs rebranded as Lumen AI"
    for a, b, who in ((new, old, "the new"), (old, new, "the old")):
        for p in leads[a]:
            if p.rel == "user" and not leads[b]:
                continue  # the user is often left unsaid ("doc took me off omeprazole", "Cycling to work now")
            if not _mentioned(p, b):
                return f"{who} memory is about {p.name or p.rel}, the other never says it"
    firsts = {p.name for p in leads[old] if p.name}
    low_old = old.casefold().replace("’", "'")
    for p in leads[new]:
        last = p.name.split()[-1] if p.name else ""
        if p.rel or not last or p.name in firsts or re.search(rf"\b{re.escape(last)}'s\b", low_old):
            continue
        return f"the new memory is about {p.name}, the old one's value"
    return None
