from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from jean_memory.runtime import Runtime
from jean_memory.serving import CloseStreamsOnShutdown, listen, shutdown_event

pytestmark = pytest.mark.anyio


async def test_shutdown_ends_sse_streams_cleanly_and_leaves_other_requests(runtime: Runtime) -> None:
    first_sent = anyio.Event()
    slow_release = anyio.Event()

    async def events() -> AsyncIterator[bytes]:
        yield b"event: message\ndata: hello\n\n"
        first_sent.set()
        await anyio.sleep_forever()  # a stream that would never end by itself
        yield b""

    async def sse(request: Request) -> StreamingResponse:
        return StreamingResponse(events(), media_type="text/event-stream")

    async def slow(request: Request) -> JSONResponse:
        await slow_release.wait()
        return JSONResponse({"done": True})

    app = CloseStreamsOnShutdown(Starlette(routes=[Route("/sse", sse), Route("/slow", slow)]), runtime)
    results: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:

        async def get(path: str) -> None:
            results[path] = await c.get(path)

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(get, "/sse")
                tg.start_soon(get, "/slow")
                await first_sent.wait()
                shutdown_event(runtime).set()
                await anyio.wait_all_tasks_blocked()
                assert "/slow" not in results  # an ordinary in-flight request is not cut short...
                slow_release.set()  # ...it finishes normally
    assert results["/sse"].status_code == 200 and results["/sse"].text == "event: message\ndata: hello\n\n"
    assert results["/slow"].json() == {"done": True}


async def test_connections_to_the_listening_socket_send_without_delay() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose protocol says TCP; without it a response written in two
    parts waits ~40 ms for the client's delayed ACK (seen as REST search p50 going from 9 to 52 ms)."""
    sock = listen("127.0.0.1", 0)
    accepted: asyncio.Queue[int] = asyncio.Queue()

    def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = writer.get_extra_info("socket")
        accepted.put_nowait(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(connected, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        assert await asyncio.wait_for(accepted.get(), 10) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_uvicorn_serves_on_uvloop_and_httptools() -> None:
    """pyproject installs uvicorn's faster loop and parser, and uvicorn picks them ("auto"): about half a millisecond
    of each API call at one client (bench/README.md)."""
    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    async def app(scope: object, receive: object, send: object) -> None:
        return None

    config = uvicorn.Config(app, log_config=None)
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    factory = config.get_loop_factory()
    assert factory is not None and factory.__module__.startswith("uvloop")


def test_startup_objects_are_frozen_out_of_the_collectors_sight() -> None:
    import gc

    from jean_memory.serving import freeze_startup_objects

    before = gc.get_freeze_count()
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > before + 10_000  # this test process has imported the whole app
    finally:
        gc.unfreeze()
