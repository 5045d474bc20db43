"""What in a user's message is worth remembering, decided without an LLM (pure functions).

Kept: first-person statements of fact, preference, plan, name or date ("I live in Lisbon", "my sister is Ana",
"I'm flying to Tokyo on 3 May"), anything the user explicitly asks to be remembered ("remember that ..."), a new
value stated inside a question or request ("can you remind me the meeting moved to 4:30?" keeps "The meeting moved
to 4:30"), and a statement of a change to a value without "I" ("The meeting has been moved to 4:30"); see
``embedded``. Dropped: questions and requests themselves, small talk, statements with too little content to be a
fact, and clauses that only point at something they do not name ("I want to send her a card").
"""

from __future__ import annotations

import re

from ..memory.text import STOP_WORDS, dedup_key, words
from .embedded import dangling, new_value, statements_in

MAX_FACTS = 10
MAX_FACT_CHARS = 500
SCAN_CHARS = 20_000

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSES = re.compile(
    r",?\s+(?:and|but)\s+(?=(?:i|i'm|i’m|i've|my|we|our)\b)|,\s+(?=(?:i|i'm|i’m|i've|my|we|our)\b)"
    r"|,\s+(?=(?:can|could|would|will|what|how|where|when|why|do|does|is|are|any)\b)", re.I)
# Passing states, not facts: "I'm tired" is not worth remembering, "I'm vegetarian" is.
_TRANSIENT = frozenset({"tired", "hungry", "bored", "busy", "sick", "sorry", "back", "done", "ready", "confused",
                        "stuck", "happy", "sad", "excited", "lost", "curious", "late", "sure", "glad", "afraid"})
_CHATTER = re.compile(r"^(?:i think|i guess|i suppose|i mean|i see|i agree|i understand|i feel like|i hope)\b", re.I)
_EXPLICIT = re.compile(r"^(?:please\s+)?(?:remember|note|don'?t forget|keep in mind)(?:\s+that)?[,:]?\s+(.+)$", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i’m|i've|i’ve|i'll|i’ll|i'd|my|mine|me|myself|we|we're|our|ours)\b", re.I)
_QUESTION_START = re.compile(
    r"^(?:what|why|how|when|where|who|whom|which|whose|can|could|would|should|will|shall|do|does|did|is|are|am|"
    r"was|were|have|has|may|might|isn't|aren't|don't|doesn't|any(?!\s+time\b))\b", re.I)
_REQUEST = re.compile(
    r"\b(?:can you|could you|would you|will you|please|help me|tell me|show me|give me|let me know|i want you|"
    r"i need you|i'd like you|explain|summari[sz]e|translate|write me|i was wondering|i wonder|any ideas|"
    r"what do you think)\b", re.I)
_SMALL_TALK = frozenset({"hi", "hello", "hey", "thanks", "thank", "ok", "okay", "cool", "great", "nice", "bye",
                         "good", "morning", "evening", "night", "fine", "sure", "yes", "no", "lol", "haha"})


def _content_words(sentence: str) -> list[str]:
    return [w for w in words(sentence) if w not in STOP_WORDS and w not in _SMALL_TALK and len(w) > 1]


def _tidy(sentence: str) -> str:
    sentence = sentence.strip().strip("\"'“”").strip()
    sentence = re.sub(r"^(?:and|but|so|also|oh|well|btw|by the way|given that|now that)[,\s]+", "", sentence,
                      flags=re.I)
    sentence = sentence[:MAX_FACT_CHARS].rstrip(" ,;.!")
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def fact_sentences(message: str) -> list[str]:
    """The statements in ``message`` worth saving, tidied, in order, without repeats (at most ``MAX_FACTS``)."""
    facts: dict[str, str] = {}
    for candidate in _candidates(message[:SCAN_CHARS]):
        candidate = _tidy(candidate)
        content = _content_words(candidate)
        if candidate.endswith("?") or not content or (len(content) == 1 and content[0] in _TRANSIENT):
            continue
        facts.setdefault(dedup_key(candidate), candidate)
        if len(facts) >= MAX_FACTS:
            break
    return list(facts.values())


def _candidates(message: str) -> list[str]:
    out: list[str] = []
    for raw in _SENTENCES.split(message):
        sentence = raw.strip()
        explicit = _EXPLICIT.match(sentence)
        if explicit:
            out.append(explicit.group(1))
            continue
        for clause in _CLAUSES.split(sentence):
            clause = clause.strip()
            if not clause:
                continue
            if clause.endswith("?") or _QUESTION_START.match(clause) or _REQUEST.search(clause):
                out += statements_in(clause)
                continue
            if _FIRST_PERSON.search(clause) and not _CHATTER.match(clause):
                if not dangling(clause) or new_value(clause):
                    out.append(clause)
            elif new_value(clause):
                out.append(clause)
    return out
