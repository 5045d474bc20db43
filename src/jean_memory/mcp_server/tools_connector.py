"""ChatGPT connector tools: ``search`` (ids, titles, urls) and ``fetch`` (full text and metadata), in the shape
ChatGPT's connectors and deep research expect: the text content is the JSON object itself.

Result urls are the dashboard pages of the memory or document (``web/links.py``), which open for their owner once
signed in; a document stored with an http(s) ``source_url`` links to that source instead."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from ..errors import NotFound
from ..runtime import Runtime
from ..store.records import Document, DocumentHeader, Memory
from ..web.links import document_path, memory_path
from .principal import Ctx, reach_of
from .results import clip, iso, ok_json, space_of, tool_errors

FETCH_CHARS = 15_000


class SearchHit(BaseModel):
    id: str
    title: str
    url: str
    space: str = Field("", description="The id of the space it is in.")
    space_name: str = ""


class SearchOut(BaseModel):
    results: list[SearchHit]


class FetchOut(BaseModel):
    id: str
    title: str
    text: str
    url: str
    metadata: dict[str, Any] | None = None


def register(server: MCPServer[Any], runtime: Runtime) -> None:
    service = runtime.memory
    stores = runtime.stores
    base = runtime.settings.public_url

    def memory_url(memory: Memory) -> str:
        if memory.document_id is not None:  # a chunk: its document's page
            return base + document_path(memory.document_id)
        return base + memory_path(memory.id)

    def document_url(doc: Document | DocumentHeader) -> str:
        if doc.source_url and doc.source_url.startswith(("https://", "http://")):
            return doc.source_url
        return base + document_path(doc.id)

    @server.tool(title="Search memory (connector)", annotations=ToolAnnotations(read_only_hint=True,
                                                                                open_world_hint=False), description=(
        "Search the user's memories and stored documents. Returns ids, titles and urls; read one with fetch."))
    @tool_errors
    async def search(
        query: Annotated[str, Field(description="What to look for.")], ctx: Ctx,
    ) -> Annotated[CallToolResult, SearchOut]:
        reach = await reach_of(ctx, stores)
        hits = await service.search(reach, query, 20, include_documents=True)
        # A document's chunks are found, the document is the result: one lookup of titles and urls, no contents.
        headers = await service.document_headers(reach, [h.memory.document_id for h in hits
                                                         if h.memory.document_id is not None])
        results: list[SearchHit] = []
        seen: set[str] = set()
        for h in hits:
            m = h.memory
            space = space_of(m)  # a chunk is in its document's space
            where = {"space": space, "space_name": reach.name_of(space)}
            if m.document_id is None:
                results.append(SearchHit(id=f"memory:{m.id}", title=clip(m.text, 100)[0], url=memory_url(m),
                                         **where))
            elif m.document_id not in seen and m.document_id in headers:
                seen.add(m.document_id)
                doc = headers[m.document_id]
                results.append(SearchHit(id=f"document:{doc.id}", title=clip(doc.title, 100)[0],
                                         url=document_url(doc), **where))
        return ok_json(SearchOut(results=results[:10]))

    @server.tool(title="Fetch (connector)", annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
                 description="Read one search result in full, by the id search returned.")
    @tool_errors
    async def fetch(
        id: Annotated[str, Field(description="An id from search, e.g. 'memory:…' or 'document:…'.")], ctx: Ctx,
    ) -> Annotated[CallToolResult, FetchOut]:
        reach = await reach_of(ctx, stores)
        kind, _, raw = id.partition(":") if ":" in id else ("memory", "", id)
        if kind == "document":
            doc = await service.get_document(reach, raw)
            text, cut = clip(doc.content, FETCH_CHARS)
            space = doc.space_id or doc.user_id
            return ok_json(FetchOut(id=id, title=doc.title, text=text,
                                    url=document_url(doc),
                                    metadata={"type": "document", "document_type": doc.document_type,
                                              "created_at": iso(doc.created_at), "source": doc.client_id,
                                              "truncated": cut, "space": space,
                                              "space_name": reach.name_of(space)}))
        if kind != "memory":
            raise NotFound(f"no result with id {id}")
        m = await service.get(reach, raw)
        return ok_json(FetchOut(id=id, title=clip(m.text, 100)[0], text=clip(m.text, FETCH_CHARS)[0],
                                url=memory_url(m),
                                metadata={"type": "memory", "tags": list(m.tags), "created_at": iso(m.created_at),
                                          "source": m.client_id, "space": space_of(m),
                                          "space_name": reach.name_of(space_of(m))}))
