"""One access-log line and one latency observation per HTTP request.

The line carries ``request_id``, ``method``, ``route`` (the template, e.g. ``/api/v1/memories/{memory_id}``),
``status``, ``duration_ms``, ``client_ip`` and, when known, ``user_id``, ``client_id``, ``via`` and ``tool``
(filled in by deps and tools through ``observability.annotate``). Never the query string, headers or body.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..runtime import Runtime
from . import context
from .metrics import observe_request, of

log = logging.getLogger("jean_memory.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_TOOL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PEEK = 256 * 1024  # JSON-RPC bodies up to this size are parsed for the tool name
_QUIET = frozenset({"/livez", "/metrics"})  # probes and scrapes: measured, logged at DEBUG only


def route_template(scope: Scope) -> str:
    """The matched route's path template; mounted apps (``/mcp``) by their mount path; ``unmatched`` otherwise
    (so a scan of random URLs cannot blow up the metric's label set)."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    endpoint, router = scope.get("endpoint"), scope.get("router")
    if endpoint is not None and router is not None:  # plain Starlette routes (e.g. /mcp) do not set scope["route"]
        for candidate in getattr(router, "routes", ()):
            if endpoint in (getattr(candidate, "endpoint", None), getattr(candidate, "app", None)):
                return str(getattr(candidate, "path", "unmatched"))
    return "unmatched"


class ObserveRequests:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), "")
        # The proxy middleware removes X-Request-ID from untrusted peers, so one that is here came via our proxy.
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        fields = context.begin(request_id)
        status = 500
        started = time.perf_counter()
        body = bytearray()
        peek = scope.get("path", "").startswith("/mcp") and scope["method"] == "POST"

        async def receive_wrapper() -> Message:
            message = await receive()
            if peek and message["type"] == "http.request" and len(body) <= _PEEK:
                body.extend(message.get("body", b""))
            return message

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive_wrapper if peek else receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            _fill_from_scope(fields, scope, bytes(body) if peek else b"")
            route = route_template(scope)
            observe_request(self.runtime, scope["method"], route, status, seconds)
            if "tool" in fields and status < 400 and not fields.get("tool_observed"):  # tools/call over HTTP
                of(self.runtime).tools.labels(tool=fields["tool"]).observe(seconds)
            fields.pop("tool_observed", None)
            client = scope.get("client")
            extra = {**fields, "method": scope["method"], "route": route, "path": scope.get("path", ""),
                     "status": status, "duration_ms": round(seconds * 1000, 1),
                     "client_ip": client[0] if client else None}
            level = logging.DEBUG if scope.get("path") in _QUIET and status < 400 else logging.INFO
            log.log(level, "request", extra=extra)


def _fill_from_scope(fields: dict[str, Any], scope: Scope, body: bytes) -> None:
    """Who (the ``Principal`` the bearer guard put in ``scope["state"]``) and which tool (a JSON-RPC
    ``tools/call``'s ``params.name``; nothing else of the body is kept), when deps did not annotate them."""
    principal = (scope.get("state") or {}).get("principal")
    if principal is not None and "user_id" not in fields:
        fields.update({k: getattr(principal, k, None) for k in ("user_id", "client_id", "via")})
    if body and "tool" not in fields:
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            return
        if isinstance(message, dict) and message.get("method") == "tools/call":
            params = message.get("params")
            name = params.get("name") if isinstance(params, dict) else None
            if isinstance(name, str) and _TOOL.match(name):
                fields["tool"] = name
