"""Document tools: store_document, get_document, deep_memory_query (memories and document passages together)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from ..errors import InvalidInput
from ..runtime import Runtime
from ..spaces.reach import Reach
from ..store.records import Document
from .principal import Ctx, principal_of, reach_of
from .results import BUDGET, MemoryItem, clip, fit, iso, item, lines, ok, tool_errors
from .tools_spaces import WriteSpace

DOCUMENT_PAGE = 12_000


class DocumentInfo(BaseModel):
    id: str
    title: str
    document_type: str
    source_url: str | None = None
    created_at: str
    chars: int
    space: str = ""
    space_name: str = ""


class StoreOut(BaseModel):
    document: DocumentInfo


class DocumentOut(BaseModel):
    document: DocumentInfo
    content: str
    offset: int
    next_offset: int | None = None


class DeepOut(BaseModel):
    memories: list[MemoryItem]
    passages: list[MemoryItem]
    documents: dict[str, str] = Field(default_factory=dict, description="document id -> title")
    omitted: int = 0


def info(doc: Document, reach: Reach) -> DocumentInfo:
    space = doc.space_id or doc.user_id
    return DocumentInfo(id=doc.id, title=doc.title, document_type=doc.document_type, source_url=doc.source_url,
                        created_at=iso(doc.created_at), chars=len(doc.content), space=space,
                        space_name=reach.name_of(space))


def register(server: MCPServer[Any], runtime: Runtime) -> None:
    service = runtime.memory
    stores = runtime.stores

    @server.tool(title="Store a document", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=False, open_world_hint=False), description=(
        "Store a longer text (notes, an article, a transcript, up to a few MB) in the user's memory. It is split "
        "into passages that deep_memory_query and jean_memory(depth=3) search; get_document reads it back. space: "
        "store it in that space (list_spaces) instead of the default one."))
    @tool_errors
    async def store_document(
        title: Annotated[str, Field(description="A short title.")],
        content: Annotated[str, Field(description="The full text.")], ctx: Ctx,
        document_type: Annotated[str | None, Field(description="e.g. 'note', 'article', 'markdown'.")] = None,
        source_url: Annotated[str | None, Field(description="Where it came from, if anywhere.")] = None,
        space: WriteSpace = None,
    ) -> Annotated[CallToolResult, StoreOut]:
        who = principal_of(ctx)
        reach = await reach_of(ctx, stores)
        doc = await service.store_document(reach, title, content, document_type, source_url,
                                           client_id=who.client_id, space=space)
        stored = info(doc, reach)
        return ok(f"Stored document '{doc.title}' ({stored.chars} characters, id {doc.id}, space "
                  f"'{stored.space_name}').", StoreOut(document=stored))

    @server.tool(title="Read a document", annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
                 description=(
        f"Read a stored document by id, {DOCUMENT_PAGE} characters at a time; pass next_offset to read on."))
    @tool_errors
    async def get_document(
        document_id: Annotated[str, Field(description="The document's id.")], ctx: Ctx,
        offset: Annotated[int, Field(ge=0, description="Character offset to start reading at.")] = 0,
    ) -> Annotated[CallToolResult, DocumentOut]:
        reach = await reach_of(ctx, stores)
        doc = await service.get_document(reach, document_id)
        if offset < 0 or offset > len(doc.content):
            raise InvalidInput(f"offset must be between 0 and {len(doc.content)}")
        page = doc.content[offset: offset + DOCUMENT_PAGE]
        more = offset + len(page) if offset + len(page) < len(doc.content) else None
        tail = f"\n[… continues; call get_document with offset={more}]" if more is not None else ""
        return ok(f"# {doc.title}\n{page}{tail}", DocumentOut(document=info(doc, reach), content=page, offset=offset,
                                                              next_offset=more))

    @server.tool(title="Deep memory query", annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
                 description=(
        "A thorough search across everything remembered, including passages of stored documents. Slower and "
        "larger than search_memory: use it for research-style questions or when search_memory found too little."))
    @tool_errors
    async def deep_memory_query(
        search_query: Annotated[str, Field(description="What to research, in natural language.")], ctx: Ctx,
        memory_limit: Annotated[int | None, Field(ge=1, le=100,
                                                  description="How many hits to consider (default 20).")] = None,
        include_documents: Annotated[bool, Field(description="Also search stored documents.")] = True,
    ) -> Annotated[CallToolResult, DeepOut]:
        reach = await reach_of(ctx, stores)
        hits = await service.search(reach, search_query, memory_limit or 20, include_documents=include_documents)
        kept, omitted = fit([item(h.memory, h.score, 1200, reach=reach) for h in hits], int(BUDGET * 1.5))
        memories = [m for m in kept if m.document_id is None]
        passages = [m for m in kept if m.document_id is not None]
        # Each chunk carries its document's title (set by MemoryService.store_document; documents are never
        # renamed): no need to load whole documents, which may be megabytes, just to name them.
        stored_titles = {h.memory.document_id: h.memory.metadata.get("title") for h in hits if h.memory.document_id}
        untitled = [p.document_id for p in passages if p.document_id and not isinstance(stored_titles.get(
            p.document_id), str)]
        headers = await service.document_headers(reach, untitled) if untitled else {}
        titles: dict[str, str] = {}
        for p in passages:
            assert p.document_id is not None
            if p.document_id not in titles:
                title = stored_titles.get(p.document_id)
                if not isinstance(title, str):
                    header = headers.get(p.document_id)
                    title = header.title if header else "a deleted document"
                titles[p.document_id] = clip(title, 200)[0]
        parts = ["Memories:\n" + lines(memories)] if memories else []
        for p in passages:
            parts.append(f"From '{titles[p.document_id or '']}' (document {p.document_id}):\n{p.text}")
        text = "\n\n".join(parts) or "Nothing found."
        return ok(text, DeepOut(memories=memories, passages=passages, documents=titles, omitted=omitted))
