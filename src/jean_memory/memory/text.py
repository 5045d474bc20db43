"""Text handling shared by storage keys, dedup and lexical queries (pure functions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)

# Common English function words: they carry little for retrieval and flood OR-queries with matches.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    s t don doesn didn won isn aren wasn weren ve ll re d m o y also ever much many yes yeah oh ok okay hey hi
    hello really thanks thank lot get got go going gonna like just one know think""".split()
)


def clean(text: str) -> str:
    """NFC-normalise, drop control characters (keeping newlines and tabs) and trim."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def head(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` or fewer, cut before a whitespace so no word is cut in two (at
    ``limit`` when the head has no whitespace): the bounded part of a long text a scan reads."""
    if len(text) <= limit:
        return text
    if text[limit].isspace():
        return text[:limit]
    cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit), text.rfind("\t", 0, limit))
    return text[:cut] if cut > 0 else text[:limit]


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def dedup_key(text: str) -> str:
    """Exact-duplicate key: same words in the same order, ignoring case, punctuation and spacing."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def query_terms(query: str, max_terms: int = 32) -> list[str]:
    """Lexical query terms: distinct words without stop words (all words if nothing else is left)."""
    all_words = words(query)
    seen: dict[str, None] = {}
    for word in all_words:
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    if not seen:
        for word in all_words:
            seen.setdefault(word, None)
    return list(seen)[:max_terms]


_NEGATIONS = frozenset({"not", "no", "never", "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "won", "nor",
                        "cannot", "can't", "without"})


def facts_signature(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Numbers and negations: two texts that differ in either are never near-duplicates."""
    ws = words(text)
    return frozenset(w for w in ws if any(ch.isdigit() for ch in w)), frozenset(w for w in ws if w in _NEGATIONS)
