"""``create_app(settings)``: the one composition root. Builds the runtime and mounts every router."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from . import __version__
from .api.documents_routes import router as documents_router
from .api.routes import router as api_router
from .api.spaces_routes import router as spaces_router
from .embeddings import Embedder
from .http_errors import BodyLimit, install_error_handlers
from .mcp_server import mount_mcp
from .memory.purge import purger as memory_purger
from .oauth.routes import router as oauth_router
from .oauth.routes import sweeper as oauth_sweeper
from .observability.metrics import router as metrics_router
from .observability.middleware import ObserveRequests
from .proxy import ProxyHeaders
from .runtime import Runtime, build_runtime
from .security_headers import SecurityHeaders
from .serving import CloseStreamsOnShutdown
from .settings import Settings
from .web import install_site
from .web.api_docs import install_api_docs
from .web.common import error_page

LifespanHook = Callable[[Runtime], AbstractAsyncContextManager[Any]]


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, embedder)
    hooks: list[LifespanHook] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(runtime.stores.database.close)
            if settings.migrate_on_start:
                await runtime.stores.database.migrate()
            for hook in hooks:
                await stack.enter_async_context(hook(runtime))
            yield

    app = FastAPI(
        title="Jean Memory", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/api/openapi.json",
        description="Personal memory for AI assistants. REST API under /api/v1 (Bearer personal API key); "
        "MCP endpoint at /mcp (OAuth 2.1).",
    )
    app.state.runtime = runtime
    app.state.lifespan_hooks = hooks
    install_error_handlers(app, html_page=error_page)  # a browser's 404 is the site's page, not JSON

    @app.get("/status", tags=["health"], operation_id="getStatus", summary="Readiness")
    @app.get("/fastmcp/status", include_in_schema=False)
    async def status() -> JSONResponse:
        """Readiness: does the database answer? 503 when it does not."""
        ok = await runtime.stores.database.ping()
        return JSONResponse(status_code=200 if ok else 503, content={
            "status": "ready" if ok else "unavailable", "version": __version__,
            "storage": runtime.stores.database.backend, "database": "ok" if ok else "down",
            "embedder": runtime.embedder.name, "public_url": settings.public_url,
            "mcp_url": settings.mcp_resource,
        })

    @app.get("/livez", tags=["health"], operation_id="getLiveness", summary="Liveness")
    async def livez() -> dict[str, str]:
        """Liveness: the process answers (touches nothing else)."""
        return {"status": "alive"}

    app.include_router(api_router)  # REST /api/v1 (personal API keys)
    app.include_router(documents_router)  # REST /api/v1/documents
    app.include_router(spaces_router)  # REST /api/v1/spaces and /api/v1/invitations
    install_api_docs(app)  # GET /api/docs: Swagger UI from a package, no CDN (web/api_docs.py)
    app.include_router(oauth_router)  # OAuth 2.1 AS: /.well-known/*, /register, /authorize, /token, /revoke
    hooks.append(oauth_sweeper)  # expired OAuth rows and never-used registrations (oauth/sweeper.py)
    hooks.append(memory_purger)  # soft-deleted memories past their retention (memory/purge.py)
    mount_mcp(app, runtime)  # /mcp and /mcp/ (mcp_server/mount.py); session manager via lifespan_hooks
    install_site(app)  # site pages: /, /login, /signup, /logout, /dashboard..., /static (web/__init__.py)
    app.add_middleware(BodyLimit, max_bytes=settings.max_document_bytes + 1024 * 1024)
    app.add_middleware(SecurityHeaders)  # CSP, no framing, nosniff, no-store pages (security_headers.py)
    # Serving (issue 8), outermost last: forwarded headers resolved first, then one log line + metrics.
    app.include_router(metrics_router)  # GET /metrics (loopback or metrics token)
    app.add_middleware(CloseStreamsOnShutdown, runtime=runtime)  # ends SSE streams cleanly on shutdown
    app.add_middleware(ObserveRequests, runtime=runtime)
    app.add_middleware(ProxyHeaders, settings=settings)
    return app
