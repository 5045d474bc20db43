"""Tool results: structured content plus compact text, bounded in size; domain errors become MCP tool errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ParamSpec

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from ..errors import InvalidInput, JeanMemoryError
from ..store.records import Memory

# Default budget for the memory text one result carries (structured and text forms each stay near this size), far
# below the ~150k characters at which Claude cuts a tool result.
BUDGET = 8_000
ITEM_CHARS = 1_500

P = ParamSpec("P")


class MemoryItem(BaseModel):
    id: str
    text: str
    tags: list[str]
    created_at: str
    source: str | None = None
    score: float | None = None
    document_id: str | None = None
    truncated: bool = False


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(value: str | float | None, what: str) -> float | None:
    """ISO 8601 (``2025-03-01`` or ``2025-03-01T09:00:00Z``) or UNIX seconds."""
    if value is None or isinstance(value, int | float):
        return value
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{what} must be an ISO 8601 date such as 2025-03-01 or 2025-03-01T09:00:00Z") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[: limit - 1].rstrip() + "…", True)


def item(memory: Memory, score: float | None = None, limit: int = ITEM_CHARS) -> MemoryItem:
    text, cut = clip(memory.text, limit)
    return MemoryItem(id=memory.id, text=text, tags=list(memory.tags), created_at=iso(memory.created_at),
                      source=memory.client_id, score=None if score is None else round(score, 4),
                      document_id=memory.document_id, truncated=cut)


def fit(items: Sequence[MemoryItem], budget: int = BUDGET) -> tuple[list[MemoryItem], int]:
    """The leading items whose texts fit in ``budget`` characters (at least one), and how many were left out."""
    kept: list[MemoryItem] = []
    used = 0
    for it in items:
        if kept and used + len(it.text) > budget:
            break
        kept.append(it)
        used += len(it.text)
    return kept, len(items) - len(kept)


def lines(items: Sequence[MemoryItem]) -> str:
    out = []
    for it in items:
        tags = f" [{', '.join(it.tags)}]" if it.tags else ""
        out.append(f"- {it.text}{tags} (id {it.id}, {it.created_at[:10]})")
    return "\n".join(out)


def ok(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=data.model_dump(mode="json", exclude_none=True))


def ok_json(data: BaseModel) -> CallToolResult:
    """For ChatGPT's connector tools, whose text content is the JSON object itself."""
    dumped = data.model_dump(mode="json")
    return CallToolResult(content=[TextContent(type="text", text=json.dumps(dumped, ensure_ascii=False))],
                          structured_content=dumped)


def failed(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def tool_errors(fn: Callable[P, Awaitable[CallToolResult]]) -> Callable[P, Awaitable[CallToolResult]]:
    """Turn a domain error into an MCP tool error (``isError: true``) carrying its message."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except JeanMemoryError as exc:
            return failed(exc.message)

    return wrapper


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


Json = dict[str, Any]
