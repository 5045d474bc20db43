"""Spaces for the assistant: ``list_spaces``, and the optional ``space`` argument the memory tools take.

A connection reads the spaces its API key or OAuth grant was given and writes to its default one unless a tool names
another (its id, or the name of one of the account's own spaces). A space it was not given, or one where the account
is only a reader, is a tool error naming the space and the missing right (``spaces.reach``), never a write elsewhere.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from ..runtime import Runtime
from .principal import Ctx, reach_of
from .results import ok, plural, tool_errors

WriteSpace = Annotated[str | None, Field(description=(
    "Optional: the space to save to, by id or name (list_spaces). Default: this connection's default space."))]
ReadSpace = Annotated[str | None, Field(description=(
    "Optional: only this space, by id or name (list_spaces). Default: every space this connection can read."))]


class SpaceInfo(BaseModel):
    id: str
    name: str
    owner: str = Field(description="The owner's e-mail address.")
    role: str = Field(description="owner, writer or reader (a reader cannot add, change or delete).")
    can_write: bool
    default: bool = Field(description="New memories go here when no space is given.")


class SpacesOut(BaseModel):
    spaces: list[SpaceInfo]
    default_space: str | None = Field(description="The id of the default space for new memories (null: none).")


def register(server: MCPServer[Any], runtime: Runtime) -> None:
    stores = runtime.stores

    @server.tool(title="List spaces", annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
                 description=(
        "The spaces (e.g. personal, work, a family's shared one) this connection can use, which it may write to, and "
        "the default one for new memories. Pass a space's id or name as space to the memory tools to save to it or "
        "search only it, e.g. when the user says 'for work' or 'in our family space'."))
    @tool_errors
    async def list_spaces(ctx: Ctx) -> Annotated[CallToolResult, SpacesOut]:
        reach = await reach_of(ctx, stores)
        spaces = [SpaceInfo(id=s.id, name=s.name, owner=s.owner_email, role=s.role, can_write=s.can_write,
                            default=s.id == reach.write_id) for s in reach.spaces]
        out = [f"- {s.name} (id {s.id}; {s.role}" + ("" if s.role == "owner" else f" of {s.owner}") +
               ("" if s.can_write else ", read only") + (", default for new memories" if s.default else "") + ")"
               for s in spaces]
        head = f"{plural(len(spaces), 'space')} this connection can use:"
        if reach.write_id is None:
            head += " (none it may write to)"
        return ok("\n".join([head, *out]) if spaces else "This connection was given no spaces.",
                  SpacesOut(spaces=spaces, default_space=reach.write_id))
