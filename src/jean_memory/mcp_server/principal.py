"""Who a tool call acts for: the ``Principal`` the HTTP layer put in the request scope (or stdio's fixed one)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, TypeAlias

from mcp.server.mcpserver import Context

from ..accounts.api_keys import Principal
from ..errors import Unauthorized

READ_SCOPE = "memory:read"
WRITE_SCOPE = "memory:write"

# The SDK finds the context parameter only when annotated with the bare class (not ``Context[...]``).
Ctx: TypeAlias = Context

# Set only by the stdio entry point, where one local user owns the whole process.
stdio_principal: ContextVar[Principal | None] = ContextVar("stdio_principal", default=None)


def principal_of(ctx: Context[Any, Any]) -> Principal:
    """The caller of this tool call; the auth middleware guarantees one on every HTTP request."""
    request = ctx.request_context.request
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict):
        found = scope.get("state", {}).get("principal")
        if isinstance(found, Principal):
            return found
    fixed = stdio_principal.get()
    if fixed is not None:
        return fixed
    raise Unauthorized("this request carries no credentials")
