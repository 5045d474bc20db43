"""Values two texts state: numbers, times, dates, money and capitalised names; the one that differs, if any."""

from __future__ import annotations

import re

# A number with its unit or meridiem ("4:30", "3pm", "$6,200", "12 kg"), or a capitalised word not at a sentence start:
# "Özdemir" as well as "Meyer", and a name in capitals ("KPMG", "BMW").
_NUMBER = re.compile(r"[$€£]?\d[\d,.:]*(?:\s?(?:am|pm|k|%))?", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-Þ](?:[a-zß-öø-ÿ'’-]+|[A-ZÀ-ÖØ-Þ&]+\b)")
_IGNORED = frozenset({"I", "I'm", "I've", "I'll", "I'd", "Im", "Ive", "OK", "AM", "PM", "FYI", "PS", "TODO"})
_MAX_WORDS = 60  # saved notes, not documents: longer texts are compared on their first words only


def values(text: str) -> frozenset[str]:
    """The numbers, times, dates, money and capitalised names ``text`` states (lower-cased)."""
    return frozenset(_values(text))


def _values(text: str) -> set[str]:
    head = " ".join(text.split()[:_MAX_WORDS])
    numbers = {m.group().lower().rstrip(".,") for m in _NUMBER.finditer(head)}
    names = {m.group().lower() for m in _NAME.finditer(head) if m.group() not in _IGNORED}
    return {v for v in numbers | names if v}


def differing_value(new: str, old: str) -> str | None:
    """The old text's value that the new one does not state, when both state values and they differ: "3pm" for
    ("standup at 4:30", "standup at 3pm"); None when they state the same values, or one states none."""
    a, b = _values(new), _values(old)
    if not a or not b or a == b:
        return None
    only_old, only_new = b - a, a - b
    if not only_old or not only_new:
        return None  # one adds to the other; nothing it stated is contradicted
    return sorted(only_old)[0]
