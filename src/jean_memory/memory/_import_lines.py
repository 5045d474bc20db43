"""The lines of an import file, checked whole before anything is written: every field of every line (types, text
free of unpaired surrogates and NUL, lengths). A bad line raises ``InvalidInput`` naming the line and the field, and
the import stores nothing. Pure functions (no I/O): ``transfer`` runs them in a worker thread.

A line's ``space_name`` (a name ``spaces.manage.name_field`` accepts) is the space it goes to; its ``space`` (an id
on the server that wrote the file) is not read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from ..spaces.manage import NAME_CHARS, name_field
from . import validation as v
from .documents import NewDocument
from .text import dedup_key

MAX_ID_CHARS = 200  # an exported id (a UUID); anything this long is not one
MAX_CLIENT_CHARS = 255
MAX_DATES = 50
MAX_DATE_CHARS = 100
MAX_VALUE_CHARS = 200  # ``replaced_value`` is kept to this many characters, as the judgment stores it

DocumentFields = Callable[[object, object, object, object, object], NewDocument]


@dataclass(frozen=True, slots=True)
class MemoryLine:
    line: int
    id: str | None
    texts: tuple[str, ...]  # cleaned; more than one only in a hand-written file (``text`` as a list)
    keys: tuple[str, ...]
    tags: tuple[str, ...]
    client_id: str | None
    metadata: dict[str, Any]
    created_at: float | None
    updated_at: float | None
    expires_at: float | None
    valid_until: float | None
    dates: tuple[dict[str, str], ...] | None  # None: not in the line (resolved from the text, as an add does)
    replaced_value: str | None
    superseded_by: str | None  # the exported id of the memory that replaced this one
    judge: bool  # written before versions were kept (no ``superseded_by`` field): judged like a new memory
    occurred_at: float | None = None  # when its fact was said or happened (ISO 8601 or UNIX seconds in the file)
    correction: bool = False  # a version an edit kept
    space: str | None = None  # ``space_name``; None: the personal space (no name, as in a file from before spaces)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    line: int
    fields: NewDocument
    client_id: str | None
    created_at: float | None
    space: str | None = None


def check_lines(records: Iterable[object], limits: v.Limits, document_fields: DocumentFields
                ) -> list[MemoryLine | DocumentLine]:
    """Every record, checked; the first bad one raises, naming its line (counting from 1)."""
    out: list[MemoryLine | DocumentLine] = []
    for n, record in enumerate(records, 1):
        try:
            out.append(_check(n, record, limits, document_fields))
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}; nothing was imported") from exc
    return out


def _check(n: int, record: object, limits: v.Limits, document_fields: DocumentFields) -> MemoryLine | DocumentLine:
    if not isinstance(record, Mapping):
        raise InvalidInput("not a JSON object")
    kind = record.get("type")
    client_id = v.plain_string(record.get("client_id"), "client_id", MAX_CLIENT_CHARS)
    created = v.time_field(record.get("created_at"), "created_at")
    space = _space_name(record.get("space_name"))
    if kind == "document":
        fields = document_fields(record.get("title"), record.get("content"), record.get("document_type"),
                                 record.get("source_url"), record.get("metadata"))
        return DocumentLine(n, fields, client_id, created, space)
    if kind != "memory":
        raise InvalidInput("type must be 'memory' or 'document'")
    superseded_by = v.plain_string(record.get("superseded_by"), "superseded_by", MAX_ID_CHARS)
    if superseded_by:  # a replaced version: one text
        texts = [v.text_field(record.get("text"), "memory text", limits.memory_bytes)]
    else:
        texts = v.texts_field(record.get("text"), limits)
    value = v.plain_string(record.get("replaced_value"), "replaced_value", limits.memory_bytes)
    return MemoryLine(
        n, v.plain_string(record.get("id"), "id", MAX_ID_CHARS), tuple(texts), tuple(dedup_key(t) for t in texts),
        v.tags_field(record.get("tags")), client_id, v.metadata_field(record.get("metadata")), created,
        v.time_field(record.get("updated_at"), "updated_at"), v.time_field(record.get("expires_at"), "expires_at"),
        v.time_field(record.get("valid_until"), "valid_until"), _dates(record.get("dates")),
        value[:MAX_VALUE_CHARS] if value else None, superseded_by or None, "superseded_by" not in record,
        v.when_field(record.get("occurred_at"), "occurred_at"), _flag(record.get("correction"), "correction"),
        space)


def _space_name(value: object) -> str | None:
    """The name of the space a line goes to; None (the personal space) when it has none."""
    if value is None or value == "":
        return None
    try:
        return name_field(value)
    except InvalidInput:
        raise InvalidInput(f"space_name must be the name of a space: a string of at most {NAME_CHARS} printable "
                           "characters") from None


def _flag(value: object, what: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise InvalidInput(f"{what} must be true or false")


def _dates(value: object) -> tuple[dict[str, str], ...] | None:
    """An exported ``dates`` list: objects of ``phrase``, ``start`` and ``end`` strings (cut to ``MAX_DATE_CHARS``)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput("dates must be a list")
    out = []
    for i, entry in enumerate(value[:MAX_DATES]):
        if not isinstance(entry, Mapping):
            raise InvalidInput(f"dates[{i}] must be an object of phrase, start and end")
        strings = {}
        for k in ("phrase", "start", "end"):
            s = v.plain_string(entry.get(k), f"dates[{i}].{k}", 10 * MAX_DATE_CHARS)
            if s is None:
                raise InvalidInput(f"dates[{i}].{k} must be a string")
            strings[k] = s[:MAX_DATE_CHARS]
        out.append(strings)
    return tuple(out)
