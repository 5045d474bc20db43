"""Input checks for the memory service: every rule gives a message a person (or an assistant) can act on."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import json_values
from ..errors import InvalidInput, TooLarge
from .text import clean

MAX_TAGS = 20
MAX_TAG_CHARS = 64
MAX_METADATA_BYTES = 8 * 1024
MAX_METADATA_DEPTH = json_values.MAX_DEPTH
MAX_QUERY_CHARS = 2000
MAX_TITLE_CHARS = 300
MAX_TIME = 253402300800.0  # 10000-01-01T00:00:00Z: later times cannot be shown as dates


@dataclass(frozen=True, slots=True)
class Limits:
    memory_bytes: int = 64 * 1024
    document_bytes: int = 5 * 1024 * 1024
    batch: int = 100


def text_field(value: object, what: str, max_bytes: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, not {type(value).__name__}")
    if not json_values.valid_text(value):
        raise InvalidInput(f"{what} is not valid Unicode text (it contains unpaired surrogates)")
    size = len(value.encode("utf-8"))
    if size > max_bytes:
        raise TooLarge(f"{what} is {size} bytes; the limit is {max_bytes} bytes")
    text = clean(value)
    if not text:
        raise InvalidInput(f"{what} is empty")
    return text


def title_field(value: object) -> str:
    """A document's title: cleaned text, cut to ``MAX_TITLE_CHARS`` (refused when far longer than that)."""
    return text_field(value, "title", MAX_TITLE_CHARS * 4)[:MAX_TITLE_CHARS]


def texts_field(value: object, limits: Limits) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or isinstance(items, bytes | bytearray):
        raise InvalidInput("text must be a string or a list of strings")
    if not items:
        raise InvalidInput("give at least one memory text")
    if len(items) > limits.batch:
        raise TooLarge(f"{len(items)} memories in one call; the limit is {limits.batch}")
    return [text_field(item, "memory text", limits.memory_bytes) for item in items]


def tags_field(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, bytes | bytearray):
        raise InvalidInput("tags must be a list of strings")
    if len(value) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags")
    out: dict[str, None] = {}
    for tag in value:
        if not isinstance(tag, str):
            raise InvalidInput("every tag must be a string")
        if not json_values.valid_text(tag):
            raise InvalidInput("a tag is not valid Unicode text (it contains unpaired surrogates)")
        tag = clean(tag).lower()
        if not tag:
            raise InvalidInput("tags cannot be empty")
        if len(tag) > MAX_TAG_CHARS:
            raise InvalidInput(f"a tag is at most {MAX_TAG_CHARS} characters")
        out.setdefault(tag, None)
    return tuple(out)


def metadata_field(value: object) -> dict[str, Any]:
    """A JSON object of at most ``MAX_METADATA_BYTES`` (as UTF-8 JSON) nested at most ``MAX_METADATA_DEPTH`` levels:
    strict UTF-8 keys and strings without NUL, finite numbers. The one check for metadata on every write path."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput("metadata must be a JSON object")
    wrong = json_values.problem(value, "metadata", MAX_METADATA_DEPTH)
    if wrong is not None:
        raise InvalidInput(wrong)
    try:
        encoded = json.dumps(dict(value), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:  # e.g. an integer of more digits than Python converts
        raise InvalidInput(f"metadata must be plain JSON: {exc}") from exc
    size = len(encoded.encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise TooLarge(f"metadata is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES} bytes")
    parsed: dict[str, Any] = json.loads(encoded)
    return parsed


def query_field(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("query must be a string")
    if len(value) > MAX_QUERY_CHARS:
        raise TooLarge(f"query is {len(value)} characters; the limit is {MAX_QUERY_CHARS}")
    return text_field(value, "query", MAX_QUERY_CHARS * 4)


def limit_field(value: object, default: int, maximum: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("limit must be an integer")
    if value < 1 or value > maximum:
        raise InvalidInput(f"limit must be between 1 and {maximum}")
    return value


def time_field(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float)
                                                                        and not math.isfinite(value)):
        raise InvalidInput(f"{what} must be a time")
    if not 0 <= value < MAX_TIME:  # an int of any size compares (``math.isfinite`` of 10**400 raised)
        raise InvalidInput(f"{what} must be between 1970 and 9999")
    return float(value)


def when_field(value: object, what: str) -> float | None:
    """An ISO 8601 date or date and time (UTC when it names no zone), or UNIX seconds; None stays None."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip()) if len(value) <= 64 else None
            if parsed is None:
                raise ValueError(value)
            value = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(f"{what} must be an ISO 8601 date such as 2025-03-01 or 2025-03-01T09:00:00Z"
                               ) from exc
    return time_field(value, what)


def ids_field(value: object, what: str, most: int = 100) -> list[str]:
    """A list of memory ids (or one id); [] for None."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or len(value) > most:
        raise InvalidInput(f"{what} must be a list of at most {most} memory ids")
    return list(dict.fromkeys(id_field(x) for x in value))


def plain_string(value: object, what: str, max_chars: int) -> str | None:
    """A string stored as given (a client id, a link, a stated value), or None: valid Unicode without NUL (which
    PostgreSQL cannot store), at most ``max_chars`` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string or null, not {type(value).__name__}")
    if not json_values.valid_text(value):
        raise InvalidInput(f"{what} is not valid Unicode text (it contains unpaired surrogates)")
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character")
    if len(value) > max_chars:
        raise InvalidInput(f"{what} is {len(value)} characters; the limit is {max_chars}")
    return value


def id_field(value: object) -> str:
    """A memory or document id as given (trimmed); a clear error for anything that cannot be one."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64 or not value.isprintable():
        raise InvalidInput("ids are strings like 1b4e28ba-2fa1-11d2-883f-0016d3cca427")  # not "\ud800" either
    return value.strip()
