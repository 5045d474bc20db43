"""Tool results: structured content plus compact text, bounded in size; domain errors become MCP tool errors."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ParamSpec

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from ..errors import JeanMemoryError
from ..spaces.reach import Reach
from ..store.records import Memory

# Default budget for the memory text one result carries (structured and text forms each stay near this size), far
# below the ~150k characters at which Claude cuts a tool result.
BUDGET = 8_000
ITEM_CHARS = 1_500

P = ParamSpec("P")


class ResolvedDate(BaseModel):
    phrase: str  # as written: "next Tuesday"
    start: str  # ISO date
    end: str  # ISO date, inclusive (== start for one day)


class MemoryItem(BaseModel):
    id: str
    text: str
    tags: list[str]
    created_at: str
    source: str | None = None
    score: float | None = None
    document_id: str | None = None
    truncated: bool = False
    status: str = Field("current", description=(
        "current; possibly_outdated (a newer memory may change it: see possibly_outdated_by); replaced (kept as "
        "history); expired."))
    superseded_by: str | None = Field(None, description="The id of the newer memory that replaced this one.")
    possibly_outdated_by: str | None = Field(None, description=(
        "The id of a newer memory that may make this one outdated. Confirm or dismiss with resolve_flag."))
    occurred_at: str | None = Field(None, description="When the fact was said or happened, when saved after it.")
    valid_until: str | None = Field(None, description="When this stopped being true (it was replaced).")
    expires_at: str | None = Field(None, description="When this stops being remembered (a temporary fact).")
    change: str | None = Field(None, description="What this fact replaced: 'changed from Berlin on 2026-11-27'.")
    dates: list[ResolvedDate] | None = Field(None, description=(
        "Relative dates in the text, resolved when it was saved: 'next Tuesday' -> 2026-12-01."))
    space: str = Field("", description="The id of the space it is in (list_spaces).")
    space_name: str = Field("", description="That space's name.")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[: limit - 1].rstrip() + "…", True)


def space_of(memory: Memory) -> str:
    """The memory's space id (a memory written before spaces, with none recorded, is in its owner's personal one)."""
    return memory.space_id or memory.user_id


def item(memory: Memory, score: float | None = None, limit: int = ITEM_CHARS, change: str | None = None, *,
         reach: Reach) -> MemoryItem:
    """``reach`` names the memory's space (``space_name``)."""
    text, cut = clip(memory.text, limit)
    space = space_of(memory)
    return MemoryItem(id=memory.id, text=text, tags=list(memory.tags), created_at=iso(memory.created_at),
                      source=memory.client_id, score=None if score is None else round(score, 4),
                      document_id=memory.document_id, truncated=cut, status=memory.status(time.time()),
                      possibly_outdated_by=memory.possibly_outdated_by,
                      occurred_at=None if memory.occurred_at is None else iso(memory.occurred_at),
                      superseded_by=memory.superseded_by,
                      valid_until=None if memory.valid_until is None else iso(memory.valid_until),
                      expires_at=None if memory.expires_at is None else iso(memory.expires_at), change=change,
                      dates=[ResolvedDate(**d) for d in memory.dates] or None, space=space,
                      space_name=reach.name_of(space))


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


def lines(items: Sequence[MemoryItem], mixed: bool | None = None) -> str:
    """One line per memory; each names its space when ``mixed`` (default: when they come from more than one)."""
    mixed = len({it.space for it in items}) > 1 if mixed is None else mixed
    out = []
    for it in items:
        tags = f" [{', '.join(it.tags)}]" if it.tags else ""
        change = f" ({it.change})" if it.change else ""
        if it.dates:
            change += "".join(f" ({d.phrase} = {d.start}{'' if d.end == d.start else ' to ' + d.end})"
                              for d in it.dates)
        status = ""
        if it.superseded_by:
            status = f" [REPLACED on {(it.valid_until or '')[:10]} by {it.superseded_by}; no longer true]"
        elif it.expires_at and it.expires_at <= iso(time.time()):
            status = f" [EXPIRED on {it.expires_at[:10]}]"
        elif it.possibly_outdated_by:
            status = f" [POSSIBLY OUTDATED by {it.possibly_outdated_by}]"
        day = (it.occurred_at or it.created_at)[:10]
        where = f", space {it.space_name or it.space}" if mixed else ""
        out.append(f"- {it.text}{change}{tags}{status} (id {it.id}, {day}{where})")
    return "\n".join(out)


def add_notes(saved: Sequence[MemoryItem], replaced: Sequence[MemoryItem], flagged: Sequence[MemoryItem]) -> str:
    """The lines after a save's summary: what was saved, what it replaced, and what it may make outdated."""
    text = "\n" + lines(saved) if saved else ""
    if replaced:
        text += "\nNo longer current (kept as history):\n" + lines(replaced)
    if flagged:
        text += ("\nPossibly outdated by what was just saved (still current; if it is outdated call resolve_flag "
                 "with decision 'confirm', else 'dismiss'):\n" + lines(flagged))
    return text


# always in a memory item, null for a current memory
LINKS = ("superseded_by", "valid_until", "expires_at", "possibly_outdated_by", "occurred_at")


def _with_links(value: Any) -> Any:
    """Put back the ``LINKS`` of memory items that ``exclude_none`` left out."""
    if isinstance(value, list):
        return [_with_links(v) for v in value]
    if isinstance(value, dict):
        out = {k: _with_links(v) for k, v in value.items()}
        if "id" in out and "text" in out and "created_at" in out:
            for name in LINKS:
                out.setdefault(name, None)
        return out
    return value


def ok(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=_with_links(data.model_dump(mode="json", exclude_none=True)))


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
