"""Pair features for the stacked second-opinion experiment (``bench/arbiter_train.py``; not shipped).

For a pair the rules (``judge.supersede``) call "no", everything cheap that a small model could weigh: the rules'
verdict and reason, the cue words of both texts, the MiniLM cosine, how many words and values of each kind the two
share or differ in. Rounded to 4 places, float64. ``asked`` is the gate: the model is never asked about a pair
whose new memory is a question, plan, wish, addition, part-time or one-off fact, or whose old one is a past fact
(the generic rule's own guards).
"""

from __future__ import annotations

import math
import re

import numpy as np

from jean_memory.judge._cues import ADDITIVE, CHANGE, EVENT_CHANGE, IRREALIS, NEGATION, PARTIAL, QUESTION
from jean_memory.judge._generic import _ONE_OFF, PAST, _other_subject, _persons, _values

_RULES = ("facts", "stopped", "events", "frame", "reversed", "diff", "generic", "one fact")
# the rules' reasons for a "no", by their wording (supersede.py)
_REASONS = (("none", "no shared attribute"), ("same", "same value"), ("same", "(same time)"),
            ("added", "added, not replaced"), ("added", "(only on some days)"), ("no sign", "(no sign it changed)"),
            ("named", "(the old value is still named)"), ("narrower", "(a narrower one"), ("once", "(once: "))
_CUES = (("change", CHANGE), ("event change", EVENT_CHANGE), ("additive", ADDITIVE), ("irrealis", IRREALIS),
         ("negation", NEGATION), ("partial", PARTIAL), ("question", QUESTION), ("one-off", _ONE_OFF), ("past", PAST))
_WORD = re.compile(r"[a-z0-9][a-z0-9'’@.+-]*")
_STOP = frozenset("a an the my our his her their is are am was were to in at on of for with and or but i i'm we "
                  "user user's now has have had be".split())
_STILL = re.compile(r"\b(?:still|same|again)\b", re.IGNORECASE)
# a "no" stands when the new memory is a question, plan, wish, addition, part-time or one-off fact, or the old one a
# past fact: the model is not asked (the generic rule's guards)
_VETO_NEW = (QUESTION, IRREALIS, ADDITIVE, PARTIAL, _ONE_OFF)
_ASSISTANT = re.compile(r"\b(?:the\s+)?user\b|^\W*update\b", re.IGNORECASE)

NAMES: tuple[str, ...] = (
    *(f"rule {r}" for r in _RULES), *(f"no: {k}" for k in dict(_REASONS)), "doubtful", "confidence",
    "similarity", "similarity>=0.5", "similarity>=0.7",
    "jaccard", "content jaccard", "new-only words", "old-only words", "new words", "old words", "length ratio",
    *(f"new {k}" for k, _ in _CUES), *(f"old {k}" for k, _ in _CUES),
    "new still", "persons differ", "other subject", "same first word", "assistant note new", "assistant note old",
    *(f"{kind} differs" for kind in ("name", "number", "day", "month", "code", "often")),
    *(f"{kind} added" for kind in ("name", "number", "day", "month", "code", "often")),
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def features(new: str, old: str, similarity: float, rule: str, reason: str, doubtful: bool,
             confidence: float) -> np.ndarray:
    """The pair's feature row (float64, rounded to 4 places), in ``NAMES`` order. ``new``/``old`` in first person."""
    row: list[float] = [float(rule == r) for r in _RULES]
    found = {k: 0.0 for k in dict(_REASONS)}
    for key, words in _REASONS:
        if words in reason:
            found[key] = 1.0
    row += list(found.values()) + [float(doubtful), confidence]
    row += [similarity, float(similarity >= 0.5), float(similarity >= 0.7)]
    wn, wo = _words(new), _words(old)
    sn, so = set(wn), set(wo)
    cn, co = sn - _STOP, so - _STOP
    row += [len(sn & so) / max(1, len(sn | so)), len(cn & co) / max(1, len(cn | co)),
            min(len(cn - co), 15) / 10, min(len(co - cn), 15) / 10, min(len(wn), 40) / 20, min(len(wo), 40) / 20,
            abs(math.log((len(wn) + 1) / (len(wo) + 1)))]
    row += [float(p.search(new) is not None) for _, p in _CUES]
    row += [float(p.search(old) is not None) for _, p in _CUES]
    pn, po = _persons(new), _persons(old)
    row += [float(_STILL.search(new) is not None), float(pn != po), float(_other_subject(new, old)),
            float(bool(wn and wo and wn[0] == wo[0])), float(_ASSISTANT.search(new) is not None),
            float(_ASSISTANT.search(old) is not None)]
    vn, vo = _values(new), _values(old)
    kinds = ("name", "number", "day", "month", "code", "often")
    row += [float(bool(vo[k] - vn[k]) and bool(vn[k] - vo[k])) for k in kinds]
    row += [float(bool(vn[k] - vo[k])) for k in kinds]
    return np.round(np.asarray(row, dtype=np.float64), 4)


def asked(new: str, old: str) -> bool:
    """Whether the model is asked about the pair at all (no veto cue; see ``_VETO_NEW``)."""
    return not any(p.search(new) for p in _VETO_NEW) and PAST.search(old) is None

