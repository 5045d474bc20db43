"""Who a clause is about: the user, a relative or pet ("my sister Anna"), a named person, or nobody we can tell.

A clause's subject is read from the words before the attribute phrase ("My sister Anna | lives in Berlin"). Those
words must be a subject and nothing else but harmless fillers; anything more ("My office | phone is ...",
"My dream is to | live in ...") leaves the subject unknown, so the clause states nothing we compare. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REL_ALIASES = {
    "mum": "mother", "mom": "mother", "mommy": "mother", "mama": "mother", "dad": "father", "daddy": "father",
    "papa": "father", "grandma": "grandmother", "granny": "grandmother", "nana": "grandmother",
    "grandpa": "grandfather", "granddad": "grandfather", "hubby": "husband", "kids": "kid", "children": "kid",
    "child": "kid", "neighbour": "neighbor", "coworker": "colleague", "co-worker": "colleague", "parent": "parents",
    "fiancee": "fiance", "fiancée": "fiance", "fiancé": "fiance", "puppy": "dog", "kitten": "cat", "sis": "sister",
    "bro": "brother",
}
ALIASES = _REL_ALIASES  # "sis" is a sister, "mum" a mother
RELATIONS = frozenset({
    "sister", "brother", "mother", "father", "parents", "wife", "husband", "partner", "girlfriend", "boyfriend",
    "fiance", "son", "daughter", "kid", "boss", "friend", "colleague", "cousin", "aunt", "uncle", "grandmother",
    "grandfather", "nephew", "niece", "neighbor", "roommate", "flatmate", "dog", "cat", "pet", "baby", "twin",
    "brother-in-law", "sister-in-law", "mother-in-law", "father-in-law", "stepmother", "stepfather", "stepson",
    "stepdaughter", "in-laws", "inlaws", "project", "team", "company", "band", *_REL_ALIASES,
})
_ADJECTIVES = frozenset({"best", "older", "younger", "little", "big", "baby", "dear", "eldest", "oldest",
                         "youngest", "twin"})
# Words allowed between the subject and the attribute phrase: they never change whose fact it is.
FILLERS = frozenset({
    "new", "current", "now", "also", "still", "just", "finally", "recently", "officially", "actually", "really",
    "has", "have", "had", "got", "gotten", "is", "am", "are", "was", "been", "the", "a", "an", "so", "and", "but",
    "then", "please", "personal", "primary", "main", "home", "cell", "mobile", "only", "too", "we", "both",
    "already", "currently", "since", "today", "lately", "do", "does", "don't", "doesn't", "no", "longer", "not",
    "never", "i", "you", "can", "stopped", "quit", "started", "gave", "up", "usually", "will", "should",
    "permanently", "went", "whatsapp", "signal", "telegram", "celebrated", "took", "taken", "accepted", "landed",
    "full-time", "part-time", "first",
    "these", "days",
    "nowadays", "all", "full", "-", ":", ",", "own", "real", "legal", "preferred", "usual", "regular", "default",
})
_USER = frozenset({"i", "i'm", "im", "i've", "i'd", "i'll", "me", "we", "we're", "we've", "we'd", "us", "myself"})
_OTHER_PRONOUNS = frozenset({"he", "she", "they", "he's", "she's", "they're", "his", "her", "their", "it", "its",
                             "you", "your", "someone", "everyone", "somebody", "this", "that", "there"})
_TOKEN = re.compile(r"[\w'’.&-]+|[:,]")


@dataclass(frozen=True, slots=True)
class Subject:
    """``kind`` is "user", "rel" (a relation of the user, maybe named) or "name" (a person known by name)."""

    kind: str
    rel: str = ""
    name: str = ""

    def label(self) -> str:
        if self.kind == "user":
            return "you"
        if self.kind == "rel":
            rel = self.rel.replace(">", "'s ")
            return f"{rel} {self.name.title()}".strip()
        return self.name.title()


USER = Subject("user")


def same_subject(a: Subject, b: Subject) -> bool:
    if a.kind == "user" or b.kind == "user":
        return a.kind == b.kind
    if a.name and b.name:
        return a.name == b.name and (not a.rel or not b.rel or a.rel == b.rel)
    return a.kind == b.kind == "rel" and a.rel == b.rel


def _rel(word: str) -> str | None:
    word = word.casefold().removesuffix("'s").removesuffix("’s").removesuffix("s'")
    word = _REL_ALIASES.get(word, word)
    if word in RELATIONS:
        return word
    if word.endswith("s") and word[:-1] in RELATIONS:  # "sisters", "kids'"
        return _REL_ALIASES.get(word[:-1], word[:-1])
    return None


def _is_name(token: str) -> bool:
    bare = token.removesuffix("'s").removesuffix("’s")
    return bool(bare) and bare[0].isupper() and bare.casefold() not in FILLERS and bare.casefold() not in _USER \
        and bare.casefold() not in _OTHER_PRONOUNS and bare.replace("-", "").replace(".", "").isalpha()


def parse_prefix(prefix: str, inherited: Subject | None) -> Subject | None:
    """The subject named by ``prefix`` (the clause up to the attribute phrase); None when it is unclear."""
    tokens = _TOKEN.findall(prefix.replace("’", "'"))
    i, subject = 0, None
    low = [t.casefold() for t in tokens]
    while i < len(low) and low[i] in FILLERS and low[i] not in _USER and low[i] not in {"the", "a", "an"}:
        i += 1
    if i == len(low):
        return inherited or USER
    if low[i] in _USER:
        subject, i = USER, i + 1
    elif low[i] in {"my", "our"}:
        i += 1
        while i < len(low) and low[i] in _ADJECTIVES:
            i += 1
        rels: list[str] = []
        while i < len(low) and (r := _rel(low[i])) is not None:
            rels.append(r)
            i += 1
            if not low[i - 1].endswith(("'s", "s'")):
                break
        name = ""
        while rels and i < len(tokens) and _is_name(tokens[i]):
            name = f"{name} {tokens[i].removesuffix(chr(39) + 's')}".strip().casefold()
            i += 1
        subject = Subject("rel", ">".join(rels), name) if rels else USER
    elif _rel(low[i]) is not None and tokens[i][0].isupper():  # "Mom", "Grandpa's", "Uncle Bob"
        rel, i = _rel(low[i]) or "", i + 1
        name = tokens[i].removesuffix("'s").casefold() if i < len(tokens) and _is_name(tokens[i]) else ""
        subject, i = Subject("rel", rel, name), i + (1 if name else 0)
    elif low[i] == "the" and i + 1 < len(low) and (r := _rel(low[i + 1])) is not None:  # "the project"
        subject, i = Subject("rel", r), i + 2
    elif _is_name(tokens[i]):
        names = []
        while i < len(tokens) and (_is_name(tokens[i]) or (low[i] == "and" and i + 1 < len(tokens)
                                                          and _is_name(tokens[i + 1]))):
            names.append(tokens[i].removesuffix("'s").casefold())
            i += 1
        subject = Subject("name", name=" ".join(names))
    elif low[i] in {"a", "an"} and all(t in FILLERS for t in low[i:]):  # "Started a new ...": subject left out
        return inherited or USER
    else:
        return None
    if any(t not in FILLERS and t not in _USER for t in low[i:]):
        return None
    return subject


# Notes an assistant saves through the MCP tool name the user in the third person: "User's sister Anna moved to
# Munich", "The user switched from Jira to Linear". They are the user's own facts, read as if written "I" / "my".
_THE_USER = re.compile(r"\b(?P<the>the\s+)?(?P<user>user)(?:(?P<s>['’]s)\b|\b(?!\s*name|['’-]))", re.IGNORECASE)
_OBJECT_BEFORE = re.compile(r"\b(?:to|per|for|with|by|about|from|of|at|than|told|asked|reminded|gave|sent|"
                            r"helped|call|calls|called|email|emailed|text|texted|emails|remind|reminds|let|lets|"
                            r"tell|tells)\s+$", re.IGNORECASE)
_AGREE = {"is": "am", "isn't": "am not", "has": "have", "hasn't": "haven't", "does": "do", "doesn't": "don't",
          "was": "was", "wasn't": "wasn't"}
_AGREE_AFTER_I = re.compile(r"\bI\s+(?:(?:now|just|also|still|recently|finally|currently|already|officially|"
                            r"really|actually|no\s+longer|usually)\s+)*(?P<v>is|isn't|has|hasn't|does|doesn't)\b")


def first_person(text: str) -> str:
    """``text`` with "User" / "the user" read as "I" (or "me" after a preposition) and "User's" as "my"."""
    if "user" not in text.casefold():
        return text

    def swap(m: re.Match[str]) -> str:
        start = m.group("the") or m.group("user")
        if m.group("s"):
            word = "my"
        elif _OBJECT_BEFORE.search(m.string, 0, m.start()):
            word = "me"
        else:
            word = "I"
        return word.capitalize() if start[0].isupper() and m.start() == 0 and word != "I" else word

    text = _THE_USER.sub(swap, text)
    return _AGREE_AFTER_I.sub(lambda m: m.group()[: m.start("v") - m.start()] + _AGREE[m.group("v")], text)
