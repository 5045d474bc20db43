"""Build the MCP server (the SDK's ``MCPServer``) with every Jean Memory tool family registered."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import EmptyResult, SetLevelRequestParams

from .. import __version__
from ..runtime import Runtime
from . import tools_connector, tools_context, tools_documents, tools_memories

INSTRUCTIONS = (
    "Jean Memory is the user's long-term memory, shared across their AI apps. Call jean_memory on every user turn "
    "(is_new_conversation=true on the first one): it saves what is worth remembering from the user's message and "
    "returns the context you need to answer. Use the other tools for explicit saves, searches, edits and documents."
)


def build_server(runtime: Runtime) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("jean-memory", title="Jean Memory", version=__version__,
                                       instructions=INSTRUCTIONS, log_level="WARNING")
    for family in (tools_context, tools_memories, tools_documents, tools_connector):
        family.register(server, runtime)
    # Handshake-era clients may set a log level; we accept it (and send no log messages, so nothing to filter).
    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, _set_level)
    return server


async def _set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
    return EmptyResult()
