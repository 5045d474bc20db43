"""Shared by the fuzz tests (tests/api/test_fuzz_rest.py, tests/mcp_server/test_fuzz_tools.py): the example
budget, hostile values, the no-traceback rule, and the tally printed at the end of the run."""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

T = TypeVar("T")

# Examples per operation (REST) or per tool and variant (MCP). Derandomized: CI runs the same cases every time;
# FUZZ_EXAMPLES=500 for a deeper local run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck))

# What a stack trace or a leaked driver error looks like in a response body.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|sqlite3\.\w+Error"
                       r"|psycopg\.\w+|pydantic_core|jean_memory\.\w+\.\w+")


def assert_no_traceback(body: str, what: str) -> None:
    found = TRACEBACK.search(body)
    assert found is None, f"{what}: the response shows internals ({found.group(0)!r}): {body[:300]!r}"


@dataclass
class Tally:
    """Cases run and server errors seen, per target; ``known`` counts 5xx matched by a KNOWN entry."""

    cases: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)

    def report(self, request: pytest.FixtureRequest, name: str) -> None:
        """One line on the terminal (outside pytest's capture), e.g. for the CI log."""
        plugins = request.config.pluginmanager
        reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line("\n" + self.line(name))

    def line(self, name: str) -> str:
        return (f"{name}: {sum(self.cases.values())} cases over {len(self.cases)} targets, "
                f"{sum(self.server_errors.values())} unexpected 5xx/internal errors, "
                f"{sum(self.known.values())} known (KNOWN list)")


def each(items: Iterable[T], label: Callable[[T], str], fuzz: Callable[[T], None], *,
         unsatisfiable_ok: bool = False) -> None:
    """Run ``fuzz`` on every item and fail once, listing every item that failed (not only the first)."""
    failures: list[str] = []
    for item in items:
        try:
            fuzz(item)
        except Unsatisfiable:
            if not unsatisfiable_ok:
                failures.append(f"{label(item)}: no example could be generated")
        except Exception as exc:
            tail = "".join(traceback.format_exception(exc)[-6:])
            failures.append(f"{label(item)}: {exc}"[:2000] + "\n" + tail[-1500:])
    assert not failures, "\n\n".join(failures)


LONE_SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udc00\ud800", "x" * 10 + "\ud83d"])
HUGE = st.sampled_from([10**20, -(10**20), 2**63, -(2**63) - 1, 1e308, -1e308, 10**400])
HUGE_TEXT = st.sampled_from(["x" * 70_000, "é" * 40_000, "\x00" * 1000, "a " * 50_000])
ODD_TEXT = st.sampled_from(["", " ", "\x00", "\u202e\u200b", "%00", "../../etc/passwd", "' OR 1=1 --",
                            "<script>alert(1)</script>", "\n\r\t", "🙂" * 10, "NaN", "-1", "1e20", "null"])


class Deep(dict[str, Any]):
    """A deeply nested JSON value that prints as one line (hypothesis and pytest would recurse printing it)."""

    def __repr__(self) -> str:
        return f"<JSON nested {self['depth']} levels deep>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def deep(depth: int, leaf: Any = 1) -> Deep:
    """``depth`` nested objects and lists around ``leaf``, built without recursion."""
    value = leaf
    for i in range(depth - 1):
        value = [value] if i % 2 else {"k": value}
    return Deep(depth=depth, k=value)


DEEP = st.sampled_from([deep(50), deep(900)])  # json.dumps itself stops near 1000 levels
HOSTILE_TEXT = st.one_of(st.text(max_size=40), LONE_SURROGATES, HUGE_TEXT, ODD_TEXT)
HOSTILE_SCALAR = st.one_of(HOSTILE_TEXT, HUGE, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
HOSTILE = st.one_of(HOSTILE_SCALAR, DEEP, st.lists(HOSTILE_SCALAR, max_size=3),
                    st.dictionaries(st.text(max_size=5), HOSTILE_SCALAR, max_size=3))


def dumps(value: Any) -> bytes:
    """JSON as a hostile client sends it: lone surrogates as \\udxxx escapes, 900 levels deep without the encoder
    running out of stack under pytest's and hypothesis' frames."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))
    try:
        return json.dumps(value).encode()
    finally:
        sys.setrecursionlimit(limit)


def has_surrogate(value: Any) -> bool:
    """Does any string (key or value) anywhere in ``value`` hold a lone surrogate? Iterative: values are deep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in item):
            return True
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


def depth_of(value: Any) -> int:
    """How many levels of objects and lists ``value`` nests (iterative: values are deep)."""
    level, frontier = 0, [value]
    while any(isinstance(f, (dict, list)) for f in frontier):
        level += 1
        frontier = [v for f in frontier if isinstance(f, (dict, list)) for v in (f.values() if isinstance(f, dict)
                                                                                else f)]
    return level
