"""Map the error tree to HTTP: JSON ``{"error": code, "message": ...}``, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import JeanMemoryError, RateLimited, Unauthorized

log = logging.getLogger("jean_memory.http")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


# Machine endpoints answer JSON whatever the Accept header says.
_MACHINE_PATHS = ("/api/", "/mcp", "/.well-known/", "/register", "/token", "/revoke", "/introspect", "/metrics")
HtmlErrorPage = Callable[[Request, int, str, dict[str, str]], Response]


def wants_html(request: Request) -> bool:
    """A browser asking for a page: GET/HEAD, ``text/html`` accepted, and not a machine endpoint."""
    return (request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")
            and not request.url.path.startswith(_MACHINE_PATHS))


def install_error_handlers(app: FastAPI, html_page: HtmlErrorPage | None = None) -> None:
    """``html_page`` (the site's error page) answers a browser's 404 and 405; everything else gets JSON."""
    @app.exception_handler(JeanMemoryError)
    async def _domain(request: Request, exc: JeanMemoryError) -> JSONResponse:
        headers: dict[str, str] | None = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        elif isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": 'Bearer realm="jean-memory"'}
        return error_response(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:10]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        return error_response(422, "invalid_input", "; ".join(problems) or "the request body is not valid")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if html_page is not None and exc.status_code in (404, 405) and wants_html(request):
            return html_page(request, exc.status_code, "There is no page at this address." if exc.status_code == 404
                             else "This page cannot be opened that way.", dict(exc.headers or {}))
        return error_response(exc.status_code, "http_error", str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__,
                  exc_info=exc)
        return error_response(500, "internal_error", "something went wrong on our side; it has been logged")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413 before any handler reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooBig
            return message

        try:
            await self.app(scope, limited, send)
        except _TooBig:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "too_large", f"request body over {self.max_bytes} bytes")
        await response(scope, receive, send)


class _TooBig(Exception):
    pass
