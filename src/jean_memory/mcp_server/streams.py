"""Long-lived MCP streams: counted per user and per process, and ended when their credential stops being valid.

A stream is a request whose response stays open for as long as the client likes: ``GET /mcp`` (a session's
server-to-client stream, or stateless mode's) and ``subscriptions/listen`` (2026-07-28, in any mode). Each holds
a socket, so one file descriptor, and about 60 KB. ``JEAN_MEMORY_MCP_STREAMS_PER_USER`` bounds one user's (across
all their clients), ``JEAN_MEMORY_MCP_STREAMS_MAX`` the process's; one more gets 429 with a JSON-RPC error naming
the limit, before anything is opened.

While open, a stream checks its bearer again every ``JEAN_MEMORY_MCP_STREAM_RECHECK_SECONDS``, at the access
token's expiry, and at once when this process revokes a credential of its user (``accounts/revoked.py``, called
by every revocation path: dashboard keys and apps, ``/revoke``, refresh-token reuse, account deletion). A credential
no longer valid ends the stream cleanly (the response is finished, as at shutdown); the client's reconnect then
gets the 401 challenge. Revocations made elsewhere (the CLI, another replica) take effect at the next check.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..accounts.api_keys import Principal
from ..accounts.revoked import on_revocation
from ..oauth.bearer import resolve_bearer_until
from ..oauth.protect import unauthorized_response
from ..runtime import Runtime
from ..security import bearer_token

LISTEN = "subscriptions/listen"
RETRY_AFTER = 60


def is_stream(scope: Scope, messages: list[dict[str, Any]]) -> bool:
    """A request that holds its response open: any ``GET``, or a POST carrying ``subscriptions/listen``."""
    return scope["method"] == "GET" or any(m.get("method") == LISTEN for m in messages)


@dataclass(eq=False, slots=True)
class _Stream:
    user_id: str
    wake: anyio.Event = field(default_factory=anyio.Event)


class OpenStreams:
    """The process's open streams by user, under a per-user and a total cap."""

    def __init__(self, per_user: int, total: int) -> None:
        self.per_user = per_user
        self.total = total
        self._by_user: dict[str, set[_Stream]] = {}
        self.count = 0

    def admit(self, user_id: str) -> _Stream | str:
        """A new stream for ``user_id``, or why not (the message of the 429)."""
        mine = self._by_user.get(user_id, set())
        if len(mine) >= self.per_user:
            return (f"Too many open MCP streams for this user: {self.per_user} are open "
                    "(JEAN_MEMORY_MCP_STREAMS_PER_USER); close one before opening another")
        if self.count >= self.total:
            return (f"Too many open MCP streams on this server: {self.total} are open "
                    f"(JEAN_MEMORY_MCP_STREAMS_MAX); try again in {RETRY_AFTER} seconds")
        stream = _Stream(user_id)
        self._by_user.setdefault(user_id, set()).add(stream)
        self.count += 1
        return stream

    def release(self, stream: _Stream) -> None:
        mine = self._by_user.get(stream.user_id)
        if mine is None or stream not in mine:
            return
        mine.discard(stream)
        self.count -= 1
        if not mine:
            del self._by_user[stream.user_id]

    def of_user(self, user_id: str) -> int:
        return len(self._by_user.get(user_id, ()))

    def recheck(self, user_id: str) -> None:
        """Wake every stream of ``user_id`` to check its credential now."""
        for stream in self._by_user.get(user_id, ()):
            stream.wake.set()


def open_streams(runtime: Runtime) -> OpenStreams:
    """The process's ``OpenStreams``, kept in ``Runtime.extras`` and told of every revocation made here."""
    found = runtime.extras.get("mcp_streams")
    if not isinstance(found, OpenStreams):
        s = runtime.settings
        found = runtime.extras["mcp_streams"] = OpenStreams(s.mcp_streams_per_user, s.mcp_streams_max)
        on_revocation(runtime.extras, found.recheck)
    return found


def too_many_streams(messages: list[dict[str, Any]], why: str) -> Response:
    """429 (RFC 6585 §4) with a JSON-RPC error answering the ``subscriptions/listen`` (id null for a GET)."""
    request_id = next((m.get("id") for m in messages if m.get("method") == LISTEN), None)
    return JSONResponse({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32000, "message": why}},
                        status_code=429, headers={"Retry-After": str(RETRY_AFTER)})


async def serve_stream(app: ASGIApp, runtime: Runtime, principal: Principal, messages: list[dict[str, Any]],
                       scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one stream request under the caps, ending it when its bearer stops being valid."""
    streams = open_streams(runtime)
    stream = streams.admit(principal.user_id)
    if isinstance(stream, str):
        await too_many_streams(messages, stream)(scope, receive, send)
        return
    started = finished = invalid = False

    async def watched(message: Message) -> None:
        nonlocal started, finished
        if message["type"] == "http.response.start":
            started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            finished = True
        await send(message)

    try:
        async with anyio.create_task_group() as tg:
            async def watch() -> None:
                nonlocal invalid
                await _until_invalid(runtime, stream, _token(scope))
                invalid = True
                tg.cancel_scope.cancel()

            tg.start_soon(watch)
            await app(scope, receive, watched)
            tg.cancel_scope.cancel()
    finally:
        streams.release(stream)
    if invalid and not finished:
        if started:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await unauthorized_response(runtime.settings, True)(scope, receive, send)


def _token(scope: Scope) -> str:
    values = [v for k, v in scope.get("headers", []) if k == b"authorization"]
    return bearer_token(values[0].decode("latin-1")) if len(values) == 1 else ""


async def _until_invalid(runtime: Runtime, stream: _Stream, token: str) -> None:
    """Return once ``token`` no longer resolves: checked now, then at every wake, recheck period and expiry."""
    every = runtime.settings.mcp_stream_recheck_seconds
    while (found := await resolve_bearer_until(runtime, token)) is not None:
        wait = min(every, found[1] - time.time()) if math.isfinite(found[1]) else every
        with anyio.move_on_after(max(0.0, wait)):
            await stream.wake.wait()
        stream.wake = anyio.Event()
