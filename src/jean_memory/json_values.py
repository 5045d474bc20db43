"""JSON values that every layer can store, send and export: UTF-8 text, finite numbers, bounded nesting.

Two sides of one rule (pure functions, no I/O):

- ``problem(value)`` says what is wrong with a value a caller sent, or None; the memory service refuses the
  write with that message (``memory.validation``).
- ``readable(value)`` repairs a value already stored, e.g. written before the rule existed, so that reading,
  searching and exporting the row never fails: a lone surrogate or a NUL becomes U+FFFD, a NaN or an infinity becomes
  null, and a value nested deeper than ``MAX_DEPTH`` becomes its JSON text (a string). ``loads`` is
  ``json.loads`` for stored JSON that never raises and returns a readable value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 32
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
_UNREADABLE = "[unreadable: nested too deeply to decode]"
_MAYBE_UNREADABLE = re.compile(r"\\u[dD]|\\u0000|NaN|Infinity")


def valid_text(text: str) -> bool:
    """True when ``text`` encodes as UTF-8 (has no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable_text(text: str) -> str:
    """``text`` with every lone surrogate and NUL (which PostgreSQL cannot store) replaced by U+FFFD."""
    return text if "\x00" not in text and valid_text(text) else _UNSTORABLE.sub("\ufffd", text)


def problem(value: object, what: str = "metadata", max_depth: int = MAX_DEPTH) -> str | None:
    """Why ``value`` is not plain JSON this server stores (naming where in it), or None when it is."""
    stack: list[tuple[object, str, int]] = [(value, what, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, Mapping | list | tuple):
            if depth >= max_depth:
                return f"{what} is nested more than {max_depth} levels deep (at {path})"
            if isinstance(item, Mapping):
                for key, child in item.items():
                    if not isinstance(key, str):
                        return f"{what} keys must be strings (at {path})"
                    key_path = _key_path(path, key)
                    if not valid_text(key):
                        return f"a key of {what} is not valid Unicode text: unpaired surrogates (at {key_path})"
                    if "\x00" in key:
                        return f"a key of {what} contains a NUL character (at {key_path})"
                    stack.append((child, key_path, depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            if not valid_text(item):
                return f"{path} is not valid Unicode text: it contains unpaired surrogates"
            if "\x00" in item:
                return f"{path} contains a NUL character"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{path} must be a finite number, not {item}"
        elif item is not None and not isinstance(item, bool | int):
            return f"{path} is a {type(item).__name__}, which is not a JSON value"
    return None


def readable(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """A stored JSON value repaired for reading (see the module docstring); a valid value comes back equal."""
    return _readable(value, 0, max_depth)


def _readable(value: Any, depth: int, max_depth: int) -> Any:
    if isinstance(value, str):
        return readable_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping | list | tuple):
        if depth >= max_depth:
            try:
                return json.dumps(value)  # ASCII: a surrogate inside stays as an escape, never a lone character
            except (ValueError, TypeError, RecursionError):
                return _UNREADABLE
        if isinstance(value, Mapping):
            return {readable_text(str(k)): _readable(v, depth + 1, max_depth) for k, v in value.items()}
        return [_readable(v, depth + 1, max_depth) for v in value]
    return value


def loads(raw: str | bytes | bytearray | memoryview) -> Any:
    """``json.loads`` for JSON a database holds, made ``readable``; nesting too deep for the parser becomes a
    note, never an error. Text that cannot hold anything to repair (no surrogate or NUL escape, no NaN, fewer
    brackets than ``MAX_DEPTH``: the common case) skips the walk."""
    text = bytes(raw).decode("utf-8", "replace") if isinstance(raw, bytes | bytearray | memoryview) else raw
    try:
        value = json.loads(text)
    except RecursionError:
        return {"unreadable": _UNREADABLE}
    if _MAYBE_UNREADABLE.search(text) is None and text.count("{") + text.count("[") <= MAX_DEPTH:
        return value
    return readable(value)


def _key_path(path: str, key: str) -> str:
    if key.isidentifier() and len(key) <= 40:
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key[:40])}]"
