"""Every text scan of an add is linear in the length of the text, or bounded: adversarial texts (a fragment repeated:
time words, month and weekday names, digits, "@", ".", "-", "+", separators, "mid-", pieces of e-mail addresses and
phone numbers) cost at most about 8 times as much at 8 times the length. Issue 20: "May " * 16250 took 54 s in the
date scan and "mid-" * 16000 15 s in the e-mail pattern, each on the event loop.

Timing is made robust for a loaded 2-core box: CPU time of this thread (not wall time), the least of three runs at
each size, and a quadratic scan grows 64-fold at 8 times the length where the bound is 24; below 5 ms at the long
size nothing is judged (a bounded scan's few milliseconds are noise, and a quadratic one is far above).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from jean_memory.judge import supersede
from jean_memory.judge._claims import read
from jean_memory.mcp_server.extract import fact_sentences
from jean_memory.memory import expiry, timeparse
from jean_memory.memory import validation as v
from jean_memory.memory.text import dedup_key, facts_signature, query_terms

NOW = datetime(2026, 3, 4, 15, tzinfo=UTC)
SHORT = 1500  # characters at the short size; the long one is 8 times as many
GROWTH = 24  # at most, at 8 times the length (linear: 8; quadratic: 64)
FLOOR = 0.005  # seconds at the long size under which any scan passes

FRAGMENTS = (
    *timeparse.MONTH_WORDS, "May", "March", "Monday", "friday", "weekend", "today", "tomorrow", "yesterday", "ago",
    "day", "days", "week", "month", "year", "morning", "night", "on", "in", "the", "next", "last", "this", "mid-",
    "early", "for", "to", "since", "until", "2026", "1", "14th", "3", "0", "@", ".", "-", "+", ",", ";", ":", "'",
    "(", ")", "!", "?", " ", "\n", "\t", "a@b.", "x.y@", "@mail.com", "+1 (", "555-", "12-34", "I ", "my ", "I live in",
    "moved to", "switched to", "call me at", "email me at", "my sister", "dentist appointment", "now", "not",
    "also", "Dr. ", "'s", "and I", "because", "User:",
)


def _judge_new(text: str) -> object:
    read.cache_clear()
    return supersede.judge(text, "I live in Berlin now", similarity=0.9)


def _judge_old(text: str) -> object:
    read.cache_clear()
    return supersede.judge("I moved to Munich", text, similarity=0.9)


def _judge_both(text: str) -> object:
    read.cache_clear()
    return supersede.judge(text, text + " too", similarity=0.9)


LIMITS = v.Limits(memory_bytes=1 << 30)
SCANNERS: dict[str, Callable[[str], object]] = {
    "validation": lambda t: v.texts_field("x" + t + "x", LIMITS),
    "dedup_key": dedup_key,
    "query_terms": query_terms,
    "facts_signature": facts_signature,
    "resolve_dates": lambda t: timeparse.resolve_dates(t, NOW),
    "question_range": lambda t: timeparse.question_range(t, NOW),
    "expiry_for": lambda t: expiry.expiry_for(t, NOW),
    "judge new": _judge_new,
    "judge old": _judge_old,
    "judge both": _judge_both,
    "fact_sentences": fact_sentences,
}


def _cpu(scan: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.thread_time()
        scan(text)
        best = min(best, time.thread_time() - started)
    return best


def _growth(unit: str) -> dict[str, tuple[float, float]]:
    """For each scanner whose cost grew too much: its CPU seconds at the short and the long size."""
    short = (unit * (SHORT // len(unit) + 1))[:SHORT]
    long = (unit * (8 * SHORT // len(unit) + 1))[:8 * SHORT]
    grown = {}
    for name, scan in SCANNERS.items():
        small, big = _cpu(scan, short), _cpu(scan, long)
        if big > FLOOR and big > GROWTH * max(small, 1e-4):
            grown[name] = (small, big)
    return grown


units = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map(lambda parts: " ".join(parts)
                                                                           if len(parts) > 2 else "".join(parts))


@settings(max_examples=40, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.too_slow])
@given(units)
@example("May ")
@example("mid-")
@example("in May ")
@example("on Monday ")
@example("1-")
@example("1 ")
@example("a@b.")
@example("+")
@example(".")
@example(" ")
@example("I live in ")
def test_every_scan_of_an_add_is_linear_or_bounded(unit: str) -> None:
    assert _growth(unit) == {}
