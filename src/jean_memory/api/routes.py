"""``/api/v1``: memories CRUD and search. Bearer personal API key; every request acts within the spaces its key
reaches (``access``), and every memory says its space."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..deps import RuntimeDep
from ..errors import NotFound
from .access import ReadReach, WriteReach
from .schemas import (
    SPACE_READ,
    AddedOut,
    ChangedOut,
    DeleteIn,
    FlagIn,
    HitOut,
    MemoryIn,
    MemoryOut,
    MemoryPatch,
    PageOut,
    SearchIn,
)

router = APIRouter(prefix="/api/v1", tags=["memories"])


def _ts(value: datetime | None) -> float | None:
    """UNIX seconds; a time without a zone is UTC (as the MCP tools read it). Any year pydantic accepts converts:
    the service says when it is out of range, where ``timestamp()`` of a naive time in year 1 raised."""
    if value is None:
        return None
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).timestamp()


TagQuery = Annotated[list[str] | None, Query(description="Only memories with this tag (repeatable).")]
HistoryQuery = Annotated[bool, Query(description="Also replaced and expired memories (marked).")]
TagsQuery = Annotated[list[str] | None, Query(description="The same as tag (repeatable); both combine.")]
SpaceQuery = Annotated[str | None, Query(description=SPACE_READ + ".")]


def _tags(tag: list[str] | None, tags: list[str] | None) -> list[str] | None:
    """GET takes ``tag`` and ``tags`` alike (POST bodies and MCP tools say ``tags``); given both, they combine."""
    return [*(tag or []), *(tags or [])] if tag or tags else None


@router.post("/memories", operation_id="addMemories", summary="Add memories", status_code=201, response_model=AddedOut,
             responses={200: {"model": AddedOut, "description": "Every text was already remembered: nothing created"}})
async def add_memories(body: MemoryIn, reach: WriteReach, runtime: RuntimeDep, response: Response) -> AddedOut:
    """201 when at least one memory was created, 200 when all were duplicates (``created`` says which is which)."""
    occurred = [_ts(o) if isinstance(o, datetime) else o for o in body.occurred_at] \
        if isinstance(body.occurred_at, list) else _ts(body.occurred_at) if isinstance(body.occurred_at, datetime) \
        else body.occurred_at
    results = await runtime.memory.add(reach, body.text, body.tags, reach.client_id, body.metadata,
                                       expires=body.expires, replaces=body.replaces, occurred_at=occurred,
                                       space=body.space)
    if not any(r.created for r in results):
        response.status_code = 200
    return AddedOut(
        memories=[MemoryOut.of(r.memory, reach) for r in results], created=[r.created for r in results],
        replaced=[ChangedOut(memory=MemoryOut.of(m, reach), by=r.memory.id, reason=r.reasons.get(m.id))
                  for r in results for m in r.replaced],
        flagged=[ChangedOut(memory=MemoryOut.of(m, reach), by=r.memory.id, reason=r.reasons.get(m.id))
                 for r in results for m in r.flagged])


@router.post("/memories/{memory_id}/flag", operation_id="resolveFlag", summary="Confirm or dismiss a flag",
             response_model=MemoryOut)
async def resolve_flag(memory_id: str, body: FlagIn, reach: WriteReach, runtime: RuntimeDep) -> MemoryOut:
    """Decide a memory flagged possibly outdated: ``confirm`` (the newer memory replaces it, kept as history) or
    ``dismiss`` (both stay current; the pair is not flagged again)."""
    return MemoryOut.of(await runtime.memory.resolve_flag(reach, memory_id, body.decision), reach)


@router.get("/memories", operation_id="listMemories", summary="List memories", response_model=PageOut)
async def list_memories(
    reach: ReadReach, runtime: RuntimeDep, limit: int = 20, cursor: str | None = None,
    tag: TagQuery = None, tags: TagsQuery = None, include_history: HistoryQuery = False, space: SpaceQuery = None,
) -> PageOut:
    """Your memories, newest first, a page at a time (``next_cursor`` fetches the next page)."""
    page = await runtime.memory.list(reach, limit, cursor, _tags(tag, tags),
                                     include_history=include_history, space=space)
    return PageOut(memories=[MemoryOut.of(m, reach) for m in page.items], next_cursor=page.next_cursor)


@router.get("/memories/{memory_id}", operation_id="getMemory", summary="Get a memory", response_model=MemoryOut)
async def get_memory(memory_id: str, reach: ReadReach, runtime: RuntimeDep) -> MemoryOut:
    """One memory by its id."""
    return MemoryOut.of(await runtime.memory.get(reach, memory_id), reach)


@router.get("/memories/{memory_id}/history", operation_id="getMemoryHistory", summary="A memory's earlier versions",
            response_model=list[MemoryOut])
async def memory_history(memory_id: str, reach: ReadReach, runtime: RuntimeDep) -> list[MemoryOut]:
    """The versions of a memory, newest first: the current one, then those it replaced."""
    return [MemoryOut.of(m, reach) for m in await runtime.memory.history(reach, memory_id)]


@router.patch("/memories/{memory_id}", operation_id="updateMemory", summary="Change a memory", response_model=MemoryOut)
async def update_memory(memory_id: str, body: MemoryPatch, reach: WriteReach, runtime: RuntimeDep) -> MemoryOut:
    """Change the text, the tags or the metadata, any one without the others; tags and metadata are replaced."""
    return MemoryOut.of(await runtime.memory.update(reach, memory_id, body.text, body.tags, body.metadata), reach)


@router.delete("/memories/{memory_id}", operation_id="deleteMemory", summary="Delete a memory", status_code=204)
async def delete_memory(memory_id: str, reach: WriteReach, runtime: RuntimeDep) -> Response:
    """Delete one memory (kept for ``JEAN_MEMORY_DELETED_RETENTION``, then purged)."""
    if not await runtime.memory.delete(reach, [memory_id]):
        raise NotFound(f"no memory with id {memory_id}")
    return Response(status_code=204)


@router.post("/memories/delete", operation_id="deleteMemories", summary="Delete several memories")
async def delete_many(body: DeleteIn, reach: WriteReach, runtime: RuntimeDep) -> dict[str, int]:
    """Delete the memories with these ids; ``deleted`` says how many there were."""
    return {"deleted": await runtime.memory.delete(reach, body.ids)}


@router.get("/search", operation_id="searchMemories", summary="Search memories", response_model=list[HitOut])
async def search_get(
    reach: ReadReach, runtime: RuntimeDep, q: str, limit: int = 10,
    tag: TagQuery = None, tags: TagsQuery = None, since: datetime | None = None, until: datetime | None = None,
    include_documents: bool = False, include_history: HistoryQuery = False, space: SpaceQuery = None,
) -> list[HitOut]:
    """Memories (and optionally document passages) that match ``q``, best first."""
    hits = await runtime.memory.search(reach, q, limit, _tags(tag, tags), _ts(since), _ts(until),
                                       include_documents, include_history=include_history, space=space)
    return [HitOut.of(h, reach) for h in hits]


@router.post("/search", operation_id="searchMemoriesWithBody", summary="Search memories (JSON body)",
             response_model=list[HitOut])
async def search_post(body: SearchIn, reach: ReadReach, runtime: RuntimeDep) -> list[HitOut]:
    """The same search as ``GET /api/v1/search``, with the question and filters in a JSON body."""
    hits = await runtime.memory.search(reach, body.query, body.limit, body.tags, _ts(body.since),
                                       _ts(body.until), body.include_documents,
                                       include_history=body.include_history, space=body.space)
    return [HitOut.of(h, reach) for h in hits]
