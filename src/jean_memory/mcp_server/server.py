"""Build the MCP server (the SDK's ``MCPServer``) with every Jean Memory tool family registered."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, EmptyResult, InputRequiredResult, SetLevelRequestParams
from pydantic import ValidationError

from .. import __version__
from ..runtime import Runtime
from . import tools_connector, tools_context, tools_documents, tools_memories, tools_spaces
from .arguments import argument_message

INSTRUCTIONS = (
    "Jean Memory is the user's long-term memory, shared across their AI apps. Call jean_memory on every user turn "
    "(is_new_conversation=true on the first one): it saves what is worth remembering from the user's message and "
    "returns the context you need to answer. Use the other tools for explicit saves, searches, edits and documents."
)


class JeanMemoryServer(MCPServer[Any]):
    """The SDK's ``MCPServer`` with short argument errors (``arguments.py``).

    ``call_tool`` is the SDK's public entry for every ``tools/call``; its documented contract is a ``ToolError``
    whose ``__cause__`` is the ``ValidationError`` when the arguments fail the input schema. Only that case is
    reworded; the SDK still turns the ``ToolError`` into an ``isError`` result and logs the field names. (The SDK's
    ``middleware`` hook runs before validation and sees only the finished result, so it cannot do this without
    validating twice or parsing pydantic's text.)
    """

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context[Any, Any] | None = None) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(exc, UnexpectedToolError) or not isinstance(cause, ValidationError):
                raise
            schema = next((t.input_schema for t in await self.list_tools() if t.name == name), None)
            raise ToolError(argument_message(cause, schema, arguments)) from cause


def build_server(runtime: Runtime) -> MCPServer[Any]:
    server: MCPServer[Any] = JeanMemoryServer("jean-memory", title="Jean Memory", version=__version__,
                                              instructions=INSTRUCTIONS, log_level="WARNING")
    for family in (tools_context, tools_memories, tools_documents, tools_connector, tools_spaces):
        family.register(server, runtime)
    # Handshake-era clients may set a log level; we accept it (and send no log messages, so nothing to filter).
    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, _set_level)
    return server


async def _set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
    return EmptyResult()
