"""Who a tool call acts for: the ``Principal`` the HTTP layer put in the request scope (or stdio's fixed one), and
the spaces it reaches (``reach_of``: read from the database on every call, never kept, so removing a member or
narrowing a key or grant acts on the next call)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, TypeAlias

from mcp.server.mcpserver import Context

from ..accounts.api_keys import Principal
from ..errors import Unauthorized
from ..spaces.reach import Reach
from ..spaces.resolve import reach_for, reach_of_person
from ..store import Stores

STDIO = "stdio"  # ``Principal.via`` of the stdio server
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


async def reach_of(ctx: Context[Any, Any], stores: Stores) -> Reach:
    """The spaces this tool call may read and write: its API key's or OAuth grant's, or, for the local stdio server
    (one person, no grant to narrow it), everything the account reaches."""
    principal = principal_of(ctx)
    if principal.via == STDIO:
        return await reach_of_person(stores, principal.user_id)
    return await reach_for(stores, principal)
