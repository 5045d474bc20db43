"""Bearer protection of ``/mcp`` (RFC 6750 §2.1 and §3, RFC 9728 §5.1): the 401/403 challenges MCP clients need.

Replaces the SDK's ``RequireAuthMiddleware``/``BearerAuthBackend``: the SDK answers ``error="invalid_token"``
even when no token was sent and omits ``scope`` from the challenge, and Claude reads both. Tokens in the query
string are refused (RFC 6750 §2.3 is forbidden by the MCP spec). Absolute URLs come from settings only.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..runtime import Runtime
from ..security import bearer_token
from ..settings import Settings
from .bearer import resolve_bearer
from .scopes import DEFAULT


def resource_metadata_url(settings: Settings) -> str:
    return f"{settings.public_url}/.well-known/oauth-protected-resource/mcp"


def challenge(settings: Settings, error: str | None = None, scope: str = DEFAULT) -> str:
    parts = [f'resource_metadata="{resource_metadata_url(settings)}"', f'scope="{scope}"']
    if error:
        parts.insert(0, f'error="{error}"')
    return "Bearer " + ", ".join(parts)


def unauthorized_response(settings: Settings, token_presented: bool) -> Response:
    error = "invalid_token" if token_presented else None
    body = {"error": error or "unauthorized",
            "error_description": "the access token is unknown, expired, revoked or for another resource"
            if token_presented else "authorization required"}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge(settings, error)})


def insufficient_scope_response(settings: Settings, needed: str) -> Response:
    """403 for a valid token that lacks some of ``needed`` (RFC 6750 §3.1), in the order of the MCP authorization
    spec's example: ``Bearer error="insufficient_scope", scope="<every scope needed>", resource_metadata="..."``."""
    header = (f'Bearer error="insufficient_scope", scope="{needed}", '
              f'resource_metadata="{resource_metadata_url(settings)}"')
    return JSONResponse({"error": "insufficient_scope", "error_description": f"this needs the scopes: {needed}"},
                        status_code=403, headers={"WWW-Authenticate": header})


def _query_has_token(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return any(part.split(b"=", 1)[0] == b"access_token" for part in query.split(b"&"))


class BearerProtected:
    """ASGI middleware: authenticate every HTTP request; put the ``Principal`` in ``scope["state"]["principal"]``."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.runtime.settings
        if _query_has_token(scope):
            response: Response = JSONResponse(
                {"error": "invalid_request", "error_description": "send the token in the Authorization header"},
                status_code=400, headers={"WWW-Authenticate": challenge(settings, "invalid_request")})
            await response(scope, receive, send)
            return
        values = [v for k, v in scope.get("headers", []) if k == b"authorization"]
        token = bearer_token(values[0].decode("latin-1")) if len(values) == 1 else ""
        principal = await resolve_bearer(self.runtime, token) if token else None
        if principal is None:
            await unauthorized_response(settings, bool(token) or len(values) > 1)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
