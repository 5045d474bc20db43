"""Per-request fields for the access log, carried in a context variable set by the request middleware."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_fields: ContextVar[dict[str, Any] | None] = ContextVar("jean_memory_request_fields", default=None)

# Only these keys reach the log line: identifiers, never credentials or content.
ALLOWED = frozenset({"user_id", "client_id", "tool", "via", "tool_observed"})


def begin(request_id: str) -> dict[str, Any]:
    """Start a request: a fresh dict that deps and tools fill in (mutations are seen by the middleware)."""
    fields: dict[str, Any] = {"request_id": request_id}
    _fields.set(fields)
    return fields


def annotate(**values: Any) -> None:
    """Record identifiers for the current request's log line (``user_id``, ``client_id``, ``tool``, ``via``).

    Unknown keys are refused so nobody logs an email, a token or memory text by accident. Outside a request
    (CLI, tests calling services directly) this does nothing.
    """
    unknown = set(values) - ALLOWED
    if unknown:
        raise ValueError(f"annotate() takes only {sorted(ALLOWED)}, not {sorted(unknown)}")
    fields = _fields.get()
    if fields is not None:
        fields.update({k: v for k, v in values.items() if v is not None})


def request_fields() -> dict[str, Any]:
    """A copy of the current request's fields (empty outside a request)."""
    return dict(_fields.get() or {})
