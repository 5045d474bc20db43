"""``jean-memory serve``: uvicorn with our logging, graceful shutdown and a lock that keeps ``restore`` away.

Shutdown (SIGTERM or Ctrl+C): the listening socket closes, open Server-Sent-Events streams are ended cleanly
(the response is finished, not torn down, so clients see a normal end of stream and reconnect elsewhere),
in-flight requests get ``JEAN_MEMORY_SHUTDOWN_TIMEOUT`` seconds to finish, then the lifespan closes the database.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import sys
from contextlib import ExitStack
from types import FrameType

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .runtime import Runtime
from .settings import Settings

log = logging.getLogger("jean_memory.serve")


def shutdown_event(runtime: Runtime) -> asyncio.Event:
    """Set when the server starts shutting down. Long-lived handlers (SSE) may also wait on it themselves."""
    event = runtime.extras.get("shutdown")
    if not isinstance(event, asyncio.Event):
        event = runtime.extras["shutdown"] = asyncio.Event()
    return event


class CloseStreamsOnShutdown:
    """End ``text/event-stream`` responses cleanly when shutdown starts (other responses are left to finish)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cancel = anyio.CancelScope()
        watcher: asyncio.Task[None] | None = None
        finished = False

        async def watch() -> None:
            await shutdown_event(self.runtime).wait()
            cancel.cancel()

        async def send_wrapper(message: Message) -> None:
            nonlocal watcher, finished
            if message["type"] == "http.response.start" and watcher is None:
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/event-stream"):
                    watcher = asyncio.ensure_future(watch())
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                finished = True
            await send(message)

        try:
            with cancel:
                await self.app(scope, receive, send_wrapper)
        finally:
            if watcher is not None:
                watcher.cancel()
        if cancel.cancelled_caught and not finished:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the app is built so the public URL can name the real port (0: any).

    Made with ``IPPROTO_TCP`` spelled out: accepted sockets inherit the protocol number, and asyncio turns Nagle's
    algorithm off (``TCP_NODELAY``) only on sockets that say TCP. With protocol 0 every response written in two
    parts waited for the client's delayed ACK: about 40 ms per request (REST search p50 9 -> 52 ms).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def freeze_startup_objects() -> None:
    """Move what importing and building the app made (~150k objects: modules, classes, routes, schemas) out of
    the garbage collector's sight (``gc.freeze``): each full collection walked them all, a ~100 ms pause for
    every request in flight, about once in 300 searches. Startup garbage is collected first; objects made later
    (requests, users' vectors) are collected as ever. Only ``serve`` calls it: tests build many apps in one
    process, and frozen objects are never freed."""
    gc.collect()
    gc.freeze()


def serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from .app import create_app
    from .backup import server_lock
    from .observability.logging import configure_logging

    configure_logging(settings)
    with ExitStack() as stack:
        if settings.backend == "sqlite":
            from .backup import database_path

            stack.enter_context(server_lock(database_path(settings), "starting another server"))
        sock = stack.enter_context(listen(host, port))
        port = int(sock.getsockname()[1])
        settings = settings.listening_on(host, port)
        app = create_app(settings)
        freeze_startup_objects()
        runtime: Runtime = app.state.runtime
        if settings.is_https and host not in ("127.0.0.1", "::1", "localhost"):
            log.warning("listening on %s over plain http while PUBLIC_URL is https: only a TLS proxy should reach "
                        "this port (firewall it), and that proxy must be in JEAN_MEMORY_TRUSTED_PROXIES", host)
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False,
                                server_header=False, timeout_graceful_shutdown=settings.shutdown_timeout,
                                log_level=settings.log_level.lower())
        server = _Server(config, runtime)
        print(f"Jean Memory on http://{host}:{port} (public URL {settings.public_url}); "
              f"MCP at {settings.mcp_resource}; database {settings.database_label}", file=sys.stderr, flush=True)
        log.info("serving", extra={"listen": f"http://{host}:{port}", "public_url": settings.public_url,
                                   "mcp_url": settings.mcp_resource, "database": settings.database_label})
        server.run([sock])
    return 0


class _Server:
    """uvicorn.Server that also signals our shutdown event (composition: uvicorn's class is not typed for it)."""

    def __init__(self, config: object, runtime: Runtime) -> None:
        import uvicorn

        self.runtime = runtime
        self.server = uvicorn.Server(config)  # type: ignore[arg-type]
        original = self.server.handle_exit

        def handle_exit(sig: int, frame: FrameType | None) -> None:
            shutdown_event(runtime).set()
            original(sig, frame)

        self.server.handle_exit = handle_exit  # type: ignore[method-assign]

    def run(self, sockets: list[socket.socket]) -> None:
        self.server.run(sockets=sockets)
