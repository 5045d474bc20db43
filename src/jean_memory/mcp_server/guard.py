"""The HTTP guard in front of the SDK transport: Host/Origin, then the bearer, then per-tool scope, then the
``initialize`` rate limit.

Order matters: a foreign browser ``Origin`` gets 403 before any credential is looked at; a request without a valid
bearer gets the 401 challenge of ``mcp-oauth.md`` section 1; a ``tools/call`` whose tool needs a scope the token lacks
gets 403 ``insufficient_scope`` here, at the HTTP layer, so that the client sees the challenge and can step up (a
JSON-RPC error inside a 200 would not carry it); a principal opening sessions faster than
``JEAN_MEMORY_RATE_LIMIT_MCP_INITIALIZE`` per window gets 429 with ``Retry-After``; a long-lived stream (``GET``,
``subscriptions/listen``) is served under the caps of ``streams.py`` and ended when its bearer stops being valid.
On success the ``Principal`` is in ``scope["state"]["principal"]`` and an SDK ``AuthenticatedUser`` in
``scope["user"]``, so the session manager binds each session id to the (client, user) pair that created it and
answers 404 to anyone else presenting it.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..accounts.api_keys import Principal
from ..oauth.protect import BearerProtected, insufficient_scope_response
from ..runtime import Runtime
from ..throttle import throttle_key
from .principal import READ_SCOPE, WRITE_SCOPE
from .streams import is_stream, serve_stream

# What each tool needs; any other tool needs memory:read. jean_memory saves and then returns relevant memories.
TOOL_SCOPES: dict[str, frozenset[str]] = {
    "jean_memory": frozenset({READ_SCOPE, WRITE_SCOPE}),
    **{name: frozenset({WRITE_SCOPE}) for name in ("add_memories", "update_memory", "delete_memories",
                                                   "store_document")},
}
_READ = frozenset({READ_SCOPE})
_MEMORY_SCOPES = (READ_SCOPE, WRITE_SCOPE)  # canonical order, as in oauth/scopes.py; never offline_access


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


def parse_messages(body: bytes) -> list[dict[str, Any]]:
    """The JSON-RPC messages of a POST body (one or a batch); none when it is not JSON (the SDK answers that)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return []
    except RecursionError as exc:  # nesting too deep for any JSON parser here, the SDK's included
        raise TooDeep from exc
    return [m for m in (parsed if isinstance(parsed, list) else [parsed]) if isinstance(m, dict)]


def needed_scopes(messages: list[dict[str, Any]]) -> frozenset[str]:
    """Every scope the ``tools/call`` messages need together (``TOOL_SCOPES``); none for the rest of the protocol
    (initialize, tools/list, ping ...)."""
    need: set[str] = set()
    for message in messages:
        if message.get("method") == "tools/call":
            params = message.get("params")
            name = params.get("name") if isinstance(params, dict) else None
            need |= TOOL_SCOPES.get(name, _READ) if isinstance(name, str) else _READ
    return frozenset(need)


def challenge_scope(needed: frozenset[str], granted: tuple[str, ...]) -> str:
    """The ``scope`` of a step-up challenge: all the request needs plus the memory scopes the token already holds
    (MCP 2025-11-25 authorization, "Runtime Insufficient Scope Errors", the recommended approach), so a client that
    re-authorizes with exactly this list loses nothing it had."""
    wanted = needed | set(granted)
    return " ".join(s for s in _MEMORY_SCOPES if s in wanted)


def opens_session(scope: Scope, messages: list[dict[str, Any]]) -> bool:
    """A handshake-era ``initialize`` without a session id: the request that opens a session (in stateless mode,
    that would open one)."""
    has_session = any(k == b"mcp-session-id" for k, _ in scope.get("headers", []))
    return not has_session and any(m.get("method") == "initialize" for m in messages)


def too_many_sessions(messages: list[dict[str, Any]], wait: int) -> Response:
    """429 (RFC 6585 §4) with ``Retry-After`` and a JSON-RPC error answering the ``initialize``."""
    request_id = next((m.get("id") for m in messages if m.get("method") == "initialize"), None)
    return JSONResponse({"jsonrpc": "2.0", "id": request_id, "error": {
        "code": -32000, "message": f"Too many new MCP sessions for this client: try again in {wait} seconds",
        "data": {"retry_after": wait}}}, status_code=429, headers={"Retry-After": str(wait)})


def guarded(app: ASGIApp, runtime: Runtime) -> ASGIApp:
    """Host/Origin check, then the bearer (401 challenges), then the per-tool scope (403) and the ``initialize``
    rate limit (429), then ``app``."""
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
            if is_stream(scope, []):
                await serve_stream(self.app, self.runtime, principal, [], scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        body, replay = await _buffer(receive)
        try:
            messages = parse_messages(body)
        except TooDeep:
            await JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error: the JSON is nested too deeply"}}, status_code=400)(
                scope, replay, send)
            return
        need = needed_scopes(messages)
        if not need and not set(_MEMORY_SCOPES) & set(principal.scopes):
            need = _READ
        if not need <= set(principal.scopes):
            await insufficient_scope_response(self.runtime.settings, challenge_scope(need, principal.scopes))(
                scope, replay, send)
            return
        if opens_session(scope, messages):
            key = f"mcp-initialize:{principal.user_id}:{principal.client_id or principal.via}"
            wait = await throttle_key(self.runtime, key, self.runtime.settings.rate_limit_mcp_initialize)
            if wait is not None:
                await too_many_sessions(messages, wait)(scope, replay, send)
                return
        if is_stream(scope, messages):
            await serve_stream(self.app, self.runtime, principal, messages, scope, replay, send)
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
