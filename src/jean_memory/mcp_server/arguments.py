"""Short, actionable messages for tool arguments that fail a tool's input schema.

The SDK validates arguments against the pydantic model it built from the tool's signature and, on failure, returns
pydantic's own text as the tool error: several lines per field, internal model names, a link to pydantic's docs.
``server.JeanMemoryServer.call_tool`` catches that one case (a ``ToolError`` whose ``__cause__`` is the
``ValidationError``, as the SDK documents) and raises a ``ToolError`` with ``argument_message`` instead, still an
``isError`` result, never a protocol error. The message is written from the tool's JSON schema, the same one the
client sees in ``tools/list``, so no tool repeats its parsing by hand:

    limit must be an integer between 1 and 100 (got a string).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

MAX_FIELDS = 5
_PLURALS = {"string": "strings", "integer": "integers", "number": "numbers", "boolean": "booleans",
            "object": "objects", "array": "lists"}


def argument_message(error: ValidationError, schema: Mapping[str, Any] | None, arguments: Mapping[str, Any]) -> str:
    """One sentence per offending argument, in the order pydantic met them."""
    properties: Mapping[str, Any] = (schema or {}).get("properties", {})
    missing: dict[str, None] = {}
    wrong: dict[str, None] = {}
    for detail in error.errors():
        loc = detail.get("loc", ())
        name = str(loc[0]) if loc else ""
        (missing if detail.get("type") == "missing" and len(loc) == 1 else wrong).setdefault(name, None)
    sentences = [f"{name} is required." for name in missing]
    for name in wrong:
        if name in missing:
            continue
        got = f" (got {kind(arguments[name])})" if name in arguments else ""
        sentences.append(f"{name} must be {describe(properties.get(name, {}))}{got}.")
    if len(sentences) > MAX_FIELDS:
        sentences = [*sentences[:MAX_FIELDS], f"(and {len(sentences) - MAX_FIELDS} more)"]
    return " ".join(sentences) or "The arguments do not match the tool's input schema."


def describe(schema: Mapping[str, Any]) -> str:
    """What a JSON schema accepts, in words: 'an integer between 1 and 100', 'a string or a list of strings'."""
    if "anyOf" in schema or "oneOf" in schema:
        options = [s for s in schema.get("anyOf", schema.get("oneOf", [])) if s.get("type") != "null"]
        return " or ".join(dict.fromkeys(describe(s) for s in options)) or "null"
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    kind_ = schema.get("type")
    if kind_ in ("integer", "number"):
        return ("an integer" if kind_ == "integer" else "a number") + _bounds(schema)
    if kind_ == "string":
        return "a string"
    if kind_ == "boolean":
        return "true or false"
    if kind_ == "array":
        items = schema.get("items", {})
        what = _PLURALS.get(items.get("type", ""), "values") if isinstance(items, Mapping) else "values"
        most = f" (at most {schema['maxItems']})" if "maxItems" in schema else ""
        return f"a list of {what}{most}"
    if kind_ == "object":
        return "an object"
    return "a valid value"


def _bounds(schema: Mapping[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" between {low} and {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


def kind(value: object) -> str:
    """The kind of value the caller sent; a number or boolean itself, never a string's or a list's content."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)[:40]
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        if not value:
            return "an empty list"
        kinds = dict.fromkeys(_PLURALS.get(_json_type(v), "nulls") for v in value)
        return "a list of " + " and ".join(kinds)
    if isinstance(value, Mapping):
        return "an object"
    return "an unsupported value"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "null"
