"""The HTTP guard in front of the SDK transport: Host/Origin first, then the bearer, then per-tool scope.

Order matters: a foreign browser ``Origin`` gets 403 before any credential is looked at; a request without a valid
bearer gets the 401 challenge of ``mcp-oauth.md`` section 1; a ``tools/call`` whose tool needs a scope the token lacks
gets 403 ``insufficient_scope``. On success the ``Principal`` is in ``scope["state"]["principal"]`` and an SDK
``AuthenticatedUser`` in ``scope["user"]``, so the session manager binds each session id to the (client, user) pair
that created it and answers 404 to anyone else presenting it.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..accounts.api_keys import Principal
from ..oauth.protect import BearerProtected, insufficient_scope_response
from ..runtime import Runtime
from .principal import READ_SCOPE, WRITE_SCOPE

WRITE_TOOLS = frozenset({"jean_memory", "add_memories", "update_memory", "delete_memories", "store_document"})


def transport_security(runtime: Runtime) -> TransportSecuritySettings:
    """Allowed Host: the public host (plus loopback forms when it is loopback); allowed Origin: the public URL plus
    ``JEAN_MEMORY_ALLOWED_ORIGINS``. An absent Origin is allowed (server-to-server clients send none)."""
    s = runtime.settings
    hosts = [s.public_host]
    origins = [s.public_url, *s.allowed_origins]
    if s.is_loopback:
        for name in ("127.0.0.1", "localhost", "[::1]"):
            hosts += [name, f"{name}:*"]
            origins += [f"http://{name}", f"http://{name}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


class TooDeep(Exception):
    """A request body nested too deeply to parse."""


def needed_scope(body: bytes) -> str | None:
    """``memory:write`` when a JSON-RPC message in the body calls a write tool, ``memory:read`` for any other
    ``tools/call``, None for the rest of the protocol (initialize, tools/list, ping ...)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # the SDK answers the parse error
    except RecursionError as exc:  # nesting too deep for any JSON parser here, the SDK's included
        raise TooDeep from exc
    need: str | None = None
    for message in parsed if isinstance(parsed, list) else [parsed]:
        if isinstance(message, dict) and message.get("method") == "tools/call":
            params = message.get("params")
            if isinstance(params, dict) and params.get("name") in WRITE_TOOLS:
                return WRITE_SCOPE
            need = READ_SCOPE
    return need


def guarded(app: ASGIApp, runtime: Runtime) -> ASGIApp:
    """Host/Origin check, then the bearer (401 challenges), then the per-tool scope, then ``app``."""
    return _HostOrigin(BearerProtected(_ScopeCheck(app, runtime), runtime), runtime)


class _HostOrigin:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.security = TransportSecurityMiddleware(transport_security(runtime))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = await self.security.validate_request(Request(scope), is_post=False)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _ScopeCheck:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal")
        if not isinstance(principal, Principal):  # BearerProtected guarantees one; refuse rather than guess
            await insufficient_scope_response(self.runtime.settings, READ_SCOPE)(scope, receive, send)
            return
        scope["user"] = _sdk_user(principal)
        if scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body, replay = await _buffer(receive)
        try:
            need = needed_scope(body)
        except TooDeep:
            await JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error: the JSON is nested too deeply"}}, status_code=400)(
                scope, replay, send)
            return
        if need is None and not {READ_SCOPE, WRITE_SCOPE} & set(principal.scopes):
            need = READ_SCOPE
        if need is not None and need not in principal.scopes:
            await insufficient_scope_response(self.runtime.settings, need)(scope, replay, send)
            return
        await self.app(scope, replay, send)


def _sdk_user(principal: Principal) -> AuthenticatedUser:
    token = AccessToken(token="", client_id=principal.client_id or principal.via, scopes=list(principal.scopes),
                        subject=principal.user_id)
    return AuthenticatedUser(token)


async def _buffer(receive: Receive) -> tuple[bytes, Any]:
    """Read the whole body (the app's BodyLimit already capped it) and return a receive that replays it."""
    chunks: list[bytes] = []
    pending: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending.append(message)
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    queue: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *pending]

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return body, replay
