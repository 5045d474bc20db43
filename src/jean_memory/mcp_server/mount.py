"""Mount ``/mcp`` (and ``/mcp/``, no redirect) on the app: guard, then the SDK's Streamable HTTP session manager.

Stateful by default (session ids bound to the creating user and client); ``JEAN_MEMORY_STATELESS=true`` serves every
request on its own, for replicas behind a load balancer. The session manager's lifespan is entered by ``app.py``
through ``app.state.lifespan_hooks``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.routing import Route

from ..runtime import Runtime
from .guard import guarded, transport_security
from .server import build_server

SESSION_IDLE_SECONDS = 30 * 60


def mount_mcp(app: FastAPI, runtime: Runtime) -> StreamableHTTPSessionManager:
    server = build_server(runtime)
    manager = StreamableHTTPSessionManager(
        server._lowlevel_server,  # the SDK's documented way to mount an MCPServer in a larger app
        stateless=runtime.settings.stateless,
        json_response=True,
        security_settings=transport_security(runtime),
        session_idle_timeout=SESSION_IDLE_SECONDS,
        max_request_body_size=runtime.settings.max_document_bytes + 1024 * 1024,
    )
    endpoint = guarded(StreamableHTTPASGIApp(manager), runtime)
    app.router.routes.extend([Route("/mcp", endpoint, include_in_schema=False),
                              Route("/mcp/", endpoint, include_in_schema=False)])

    @asynccontextmanager
    async def run(_: Runtime) -> AsyncIterator[None]:
        async with manager.run():
            yield

    app.state.lifespan_hooks.append(run)
    runtime.extras["mcp_server"] = server
    return manager
