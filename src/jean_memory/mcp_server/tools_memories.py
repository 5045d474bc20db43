"""Memory tools: add_memories, resolve_flag, search_memory, list_memories, update_memory, delete_memories."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from ..memory import validation as v
from ..memory.service import encode_cursor
from ..runtime import Runtime
from .principal import Ctx, principal_of, reach_of
from .results import MemoryItem, add_notes, fit, item, lines, ok, plural, tool_errors
from .tools_spaces import ReadSpace, WriteSpace

Tags = Annotated[list[str] | None, Field(description="Optional labels, e.g. ['work', 'health']; lower-cased.")]
ECHO_CHARS = 200  # a save echoes the start of each memory, not all of it
SearchLimit = Annotated[int | None, Field(ge=1, le=100, description="How many to return (default 10).")]
ListLimit = Annotated[int | None, Field(ge=1, le=200, description="How many to return (default 20).")]
History = Annotated[bool, Field(description=(
    "Also return memories that were replaced by a newer one or expired (marked with superseded_by / valid_until "
    "or expires_at). Default false: only what is true now."))]
Expires = Annotated[str | None, Field(description=(
    "Optional: when these memories stop being true, as an ISO date (2026-12-31), an ISO date and time, or a "
    "duration such as 30d, 12h, 2w. Expired memories stop coming back."))]
When = Annotated[str | float | None, Field(description="ISO 8601 date/time (2025-03-01, 2025-03-01T09:00:00Z) "
                                                       "or UNIX seconds.")]


class AddOut(BaseModel):
    saved: list[MemoryItem]
    already_known: list[MemoryItem]
    replaced: list[MemoryItem] = Field(default_factory=list)  # older memories the saved ones replaced (kept)
    flagged: list[MemoryItem] = Field(default_factory=list)  # older memories they may make outdated (still current)


class ResolveOut(BaseModel):
    memory: MemoryItem
    decision: str


class SearchOut(BaseModel):
    results: list[MemoryItem]
    omitted: int = 0


class ListOut(BaseModel):
    memories: list[MemoryItem]
    next_cursor: str | None = None
    omitted: int = 0


class UpdateOut(BaseModel):
    memory: MemoryItem


class DeleteOut(BaseModel):
    deleted: int
    not_found: int


def register(server: MCPServer[Any], runtime: Runtime) -> None:
    service = runtime.memory
    stores = runtime.stores

    @server.tool(title="Save memories", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False), description=(
        "Save one or more facts about the user to their long-term memory, verbatim. Use for durable facts, "
        "preferences, plans, names and dates the user shares (one fact per string works best). A fact that is "
        "already remembered is not saved twice; it is reported under already_known. When the user changes a fact "
        "you saw in memory (moved, a new number, a new time), pass that memory's id in replaces: it is replaced at "
        "once (kept as history). Older memories the new one may make outdated come back under flagged: if the new "
        "fact does replace one, call resolve_flag with decision 'confirm', else 'dismiss'. Give expires for "
        "temporary facts, occurred_at for facts from an earlier conversation. Pass space only when the memory "
        "belongs to a particular space (list_spaces), e.g. the user's work; else it goes to the default one."))
    @tool_errors
    async def add_memories(
        text: Annotated[str | list[str], Field(description="A memory, or a list of memories (up to 100).")],
        ctx: Ctx, tags: Tags = None, expires: Expires = None,
        replaces: Annotated[list[str] | None, Field(description=(
            "Ids of current memories the new one makes outdated (from search_memory, list_memories or jean_memory "
            "results); they are hidden at once and kept as history."))] = None,
        occurred_at: Annotated[str | float | list[str | float | None] | None, Field(description=(
            "When the facts were said or happened, if not now: ISO 8601 (2025-03-01, 2025-03-01T09:00:00Z) or UNIX "
            "seconds; one for all, or a list with one per memory. Relative dates resolve against it."))] = None,
        space: WriteSpace = None,
    ) -> Annotated[CallToolResult, AddOut]:
        who = principal_of(ctx)
        reach = await reach_of(ctx, stores)
        added = await service.add(reach, text, tags, client_id=who.client_id, expires=expires,
                                  replaces=replaces, occurred_at=occurred_at, space=space)
        saved, _ = fit([item(r.memory, limit=ECHO_CHARS, reach=reach) for r in added if r.created])
        known, _ = fit([item(r.memory, limit=ECHO_CHARS, reach=reach) for r in added if not r.created])
        old, _ = fit([item(m, limit=ECHO_CHARS, reach=reach) for r in added for m in r.replaced])
        flagged, _ = fit([item(m, limit=ECHO_CHARS, change=r.reasons.get(m.id), reach=reach)
                          for r in added for m in r.flagged])
        saved_n = sum(r.created for r in added)
        where = f" to space '{reach.name_of(saved[0].space)}'" if saved and len(reach.spaces) > 1 else ""
        summary = f"Saved {plural(saved_n, 'memory', 'memories')}{where}" + (
            f"; {len(added) - saved_n} already known" if len(added) > saved_n else "") + "."
        return ok(summary + add_notes(saved, old, flagged),
                  AddOut(saved=saved, already_known=known, replaced=old, flagged=flagged))

    @server.tool(title="Confirm or dismiss a possibly outdated memory", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False), description=(
        "Decide a memory flagged possibly outdated (status possibly_outdated, with possibly_outdated_by: the newer "
        "memory). decision 'confirm': the newer memory replaces it (hidden, kept as history, undo on the "
        "dashboard). 'dismiss': both stay true; the flag is cleared and never raised again for this pair."))
    @tool_errors
    async def resolve_flag(
        memory_id: Annotated[str, Field(description="The id of the flagged (older) memory.")],
        decision: Annotated[Literal["confirm", "dismiss"], Field(description="confirm or dismiss.")], ctx: Ctx,
    ) -> Annotated[CallToolResult, ResolveOut]:
        reach = await reach_of(ctx, stores)
        memory = item(await service.resolve_flag(reach, memory_id, decision), reach=reach)
        said = "Replaced (kept as history)" if decision == "confirm" else "Kept as current; flag dismissed"
        return ok(f"{said}: {memory.text} (id {memory.id})", ResolveOut(memory=memory, decision=decision))

    @server.tool(title="Search memories", annotations=ToolAnnotations(
        read_only_hint=True, open_world_hint=False), description=(
        "Search the user's memories by meaning and keywords; best matches first. Use before answering anything "
        "that may depend on what you know about the user. Only what is true now, unless include_history (then "
        "replaced and expired memories come too, marked). Optional tag and time filters; space narrows it to one "
        "space (default: every space this connection can read)."))
    @tool_errors
    async def search_memory(
        query: Annotated[str, Field(description="What to look for, in natural language.")],
        ctx: Ctx, limit: SearchLimit = None, tags: Tags = None,
        since: When = None, until: When = None, include_history: History = False, space: ReadSpace = None,
    ) -> Annotated[CallToolResult, SearchOut]:
        reach = await reach_of(ctx, stores)
        hits = await service.search(reach, query, limit, tags, v.when_field(since, "since"),
                                    v.when_field(until, "until"), include_history=include_history, space=space)
        kept, omitted = fit([item(h.memory, h.score, reach=reach) for h in hits])
        text = lines(kept) if kept else "No matching memories."
        return ok(text, SearchOut(results=kept, omitted=omitted))

    @server.tool(title="List memories", annotations=ToolAnnotations(
        read_only_hint=True, open_world_hint=False), description=(
        "List the user's memories, newest first, a page at a time. Pass next_cursor from the previous page to "
        "continue. space: only that space (default: every space this connection can read)."))
    @tool_errors
    async def list_memories(
        ctx: Ctx, limit: ListLimit = None,
        cursor: Annotated[str | None, Field(description="next_cursor from the previous page.")] = None,
        tags: Tags = None, include_history: History = False, space: ReadSpace = None,
    ) -> Annotated[CallToolResult, ListOut]:
        reach = await reach_of(ctx, stores)
        page = await service.list(reach, limit, cursor, tags, include_history=include_history, space=space)
        kept, omitted = fit([item(m, reach=reach) for m in page.items])
        cursor_out = page.next_cursor
        if omitted:  # resume right after the last memory shown
            cursor_out = encode_cursor(page.items[len(kept) - 1].seq)
        text = (lines(kept) if kept else "No memories yet.") + (f"\nMore: cursor {cursor_out}" if cursor_out else "")
        return ok(text, ListOut(memories=kept, next_cursor=cursor_out, omitted=0))

    @server.tool(title="Update a memory", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False), description=(
        "Replace the text of one memory, e.g. when a fact changed (the user moved, changed job). Use the id from "
        "search_memory or list_memories. The id stays; the previous text is kept as history."))
    @tool_errors
    async def update_memory(
        memory_id: Annotated[str, Field(description="The memory's id.")],
        text: Annotated[str, Field(description="The new text.")], ctx: Ctx,
    ) -> Annotated[CallToolResult, UpdateOut]:
        reach = await reach_of(ctx, stores)
        memory = item(await service.update(reach, memory_id, text), reach=reach)
        return ok(f"Updated: {memory.text} (id {memory.id})", UpdateOut(memory=memory))

    @server.tool(title="Delete memories", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False), description=(
        "Delete memories by id, e.g. when the user asks you to forget something. Ids that do not exist are "
        "counted under not_found."))
    @tool_errors
    async def delete_memories(
        memory_ids: Annotated[list[str], Field(description="Ids of the memories to delete (up to 1000).")],
        ctx: Ctx,
    ) -> Annotated[CallToolResult, DeleteOut]:
        deleted = await service.delete(await reach_of(ctx, stores), memory_ids)
        missing = len(set(memory_ids)) - deleted
        note = f" ({missing} not found)" if missing else ""
        summary = f"Deleted {plural(deleted, 'memory', 'memories')}{note}."
        return ok(summary, DeleteOut(deleted=deleted, not_found=missing))
