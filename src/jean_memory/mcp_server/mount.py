"""Mount ``/mcp`` (and ``/mcp/``, no redirect) on the app: guard, then the SDK's Streamable HTTP session manager.

Stateful by default: session ids are bound to the creating user and client, bounded per principal by
``sessions.BoundedSessionManager`` and closed after ``JEAN_MEMORY_MCP_SESSION_IDLE_SECONDS`` without a request.
``JEAN_MEMORY_STATELESS=true`` serves every request on its own, for replicas behind a load balancer. The session
manager's lifespan is entered by ``app.py`` through ``app.state.lifespan_hooks``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from starlette.routing import Route

from ..runtime import Runtime
from .guard import guarded, transport_security
from .server import build_server
from .sessions import BoundedSessionManager
from .streams import open_streams


def mount_mcp(app: FastAPI, runtime: Runtime) -> BoundedSessionManager:
    server = build_server(runtime)
    s = runtime.settings
    manager = BoundedSessionManager(
        server._lowlevel_server,  # the SDK's documented way to mount an MCPServer in a larger app
        stateless=s.stateless,
        json_response=True,
        security_settings=transport_security(runtime),
        session_idle_timeout=s.mcp_session_idle_seconds,
        max_request_body_size=s.max_document_bytes + 1024 * 1024,
        max_sessions=s.mcp_max_sessions,
        per_client=s.mcp_sessions_per_client,
        per_user=s.mcp_sessions_per_user,
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
    runtime.extras["mcp_sessions"] = manager
    open_streams(runtime)  # created now, so it hears of revocations from the start
    return manager
