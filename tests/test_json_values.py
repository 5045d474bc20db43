"""json_values: what a write refuses (and says why), how a stored value is repaired for reading."""

from __future__ import annotations

import json

import pytest

from jean_memory.json_values import MAX_DEPTH, loads, problem, readable


def nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"k": "\udfff"}, "metadata.k is not valid Unicode text"),
        ({"\ud800x": 1}, 'a key of metadata is not valid Unicode text: unpaired surrogates (at metadata["\\ud800x"])'),
        ({"list": [1, "ok", "\udc80"]}, "metadata.list[2] is not valid Unicode text"),
        ({"k": "a\x00b"}, "metadata.k contains a NUL character"),
        ({"k": float("nan")}, "metadata.k must be a finite number"),
        ({"k": {1, 2}}, "metadata.k is a set, which is not a JSON value"),
        (nested(MAX_DEPTH + 1), f"metadata is nested more than {MAX_DEPTH} levels deep"),
        (nested(900), f"metadata is nested more than {MAX_DEPTH} levels deep"),
    ],
)
def test_problem_names_what_is_wrong_and_where(value: object, message: str) -> None:
    found = problem(value)
    assert found is not None and found.startswith(message), found


def test_plain_json_has_no_problem_and_reads_back_equal() -> None:
    value = {"source": "chat", "n": 1, "x": 1.5, "ok": True, "none": None, "list": [1, {"é": "ünïcødé 🙂"}],
             "deep": nested(MAX_DEPTH - 1)}
    assert problem(value) is None
    assert readable(value) == value


def test_readable_repairs_surrogates_nul_nan_and_deep_nesting() -> None:
    repaired = readable({"k\udfff": ["\ud800", "a\x00b", float("inf")], "deep": nested(900)})
    assert repaired["k\ufffd"] == ["\ufffd", "a\ufffdb", None]
    assert problem(repaired) is None
    json.dumps(repaired, ensure_ascii=False).encode("utf-8")  # encodes: no lone surrogate left
    level = repaired["deep"]
    for _ in range(MAX_DEPTH - 2):
        level = level["a"]
    assert isinstance(level["a"], str) and json.loads(level["a"])["a"]["a"]  # the rest, kept as its JSON text


def test_loads_reads_back_readable_values_even_nested_too_deep_for_the_parser() -> None:
    raw = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert loads(raw) == {"unreadable": "[unreadable: nested too deeply to decode]"}
    assert loads('{"k": "\\udfff", "n": NaN}') == {"k": "\ufffd", "n": None}  # what it reads is readable
    assert loads(b'{"k": "\xc3\xa9"}') == {"k": "\u00e9"}  # PostgreSQL's driver may hand over bytes
