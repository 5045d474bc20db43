"""Request and response bodies of the REST API (pydantic at the edge)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..memory.service import SearchResult
from ..spaces.reach import Reach
from ..store.records import Document, Memory


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


SPACE_WRITE = ("The space to write to: its id, or the name of one of your own spaces (default: this key's default "
               "space; GET /api/v1/spaces lists them)")
SPACE_READ = "Only this space: its id, or the name of one of your own spaces (default: every space this key reaches)"


class MemoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | list[str] = Field(description="One memory text, or a list of them")
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    expires: str | None = Field(None, description="When it stops being true: 2026-12-31, or a duration: 30d, 12h, 2w")
    replaces: list[str] | None = Field(None, description=(
        "Ids of current memories the new one makes outdated: replaced at once (kept as history)"))
    occurred_at: datetime | float | list[datetime | float | None] | None = Field(None, description=(
        "When the facts were said or happened, if not now (ISO 8601 or UNIX seconds; one, or one per text)"))
    space: str | None = Field(None, description=SPACE_WRITE)


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(description="confirm (the newer memory replaces this one) or dismiss (both stay current)")


class MemoryPatch(BaseModel):
    """What to change; at least one field. ``tags`` and ``metadata`` replace the old ones (``[]``/``{}`` clear)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None


class DeleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str]


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str
    limit: int | None = Field(None, strict=True, description="How many results, 1 to 100 (default 10)")
    tags: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_documents: bool = False
    include_history: bool = False
    space: str | None = Field(None, description=SPACE_READ)


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    content: str
    document_type: str | None = None
    source_url: str | None = None
    metadata: dict[str, Any] | None = None
    space: str | None = Field(None, description=SPACE_WRITE)


class MemoryOut(BaseModel):
    id: str
    text: str
    tags: list[str]
    client_id: str | None
    metadata: dict[str, Any]
    created_at: str
    updated_at: str
    document_id: str | None = None
    superseded_by: str | None = Field(None, description="The id of the newer memory that replaced this one")
    valid_until: str | None = Field(None, description="When this stopped being true (it was replaced)")
    expires_at: str | None = Field(None, description="When this stops being remembered")
    dates: list[dict[str, str]] = Field(default_factory=list, description=(
        "Relative dates in the text resolved when it was saved: {phrase, start, end} (ISO dates, end inclusive)"))
    status: str = Field("current", description="current, possibly_outdated, replaced or expired")
    possibly_outdated_by: str | None = Field(None, description="The id of a newer memory that may make this outdated")
    occurred_at: str | None = Field(None, description="When its fact was said or happened, when saved after it")
    space: str = Field(description="The id of its space")
    space_name: str = Field(description="The name of its space")

    @classmethod
    def of(cls, m: Memory, reach: Reach) -> MemoryOut:
        space = m.space_id or m.user_id
        return cls(id=m.id, space=space, space_name=reach.name_of(space),
                   text=m.text, tags=list(m.tags), client_id=m.client_id, metadata=dict(m.metadata),
                   created_at=iso(m.created_at), updated_at=iso(m.updated_at), document_id=m.document_id,
                   superseded_by=m.superseded_by, valid_until=None if m.valid_until is None else iso(m.valid_until),
                   expires_at=None if m.expires_at is None else iso(m.expires_at),
                   dates=[dict(d) for d in m.dates], status=m.status(time.time()),
                   possibly_outdated_by=m.possibly_outdated_by,
                   occurred_at=None if m.occurred_at is None else iso(m.occurred_at))


class ChangedOut(BaseModel):
    """An older memory a new one replaced or flagged, and why."""

    memory: MemoryOut
    by: str = Field(description="The id of the new memory")
    reason: str | None = None


class AddedOut(BaseModel):
    memories: list[MemoryOut]
    created: list[bool]
    replaced: list[ChangedOut] = Field(default_factory=list, description="Older memories replaced (kept as history)")
    flagged: list[ChangedOut] = Field(default_factory=list, description=(
        "Older memories the new ones may make outdated (still current; confirm or dismiss at /memories/{id}/flag)"))


class PageOut(BaseModel):
    memories: list[MemoryOut]
    next_cursor: str | None


class HitOut(BaseModel):
    memory: MemoryOut
    score: float

    @classmethod
    def of(cls, hit: SearchResult, reach: Reach) -> HitOut:
        return cls(memory=MemoryOut.of(hit.memory, reach), score=round(hit.score, 4))


class DocumentOut(BaseModel):
    id: str
    title: str
    content: str | None
    document_type: str
    source_url: str | None
    client_id: str | None
    metadata: dict[str, Any]
    created_at: str
    space: str = Field(description="The id of its space")
    space_name: str = Field(description="The name of its space")

    @classmethod
    def of(cls, d: Document, reach: Reach, with_content: bool = True) -> DocumentOut:
        space = d.space_id or d.user_id
        return cls(id=d.id, space=space, space_name=reach.name_of(space), title=d.title,
                   content=d.content if with_content else None,
                   document_type=d.document_type, source_url=d.source_url, client_id=d.client_id,
                   metadata=dict(d.metadata), created_at=iso(d.created_at))
