"""The real app in this test process behind uvicorn on a loopback port (real sockets, real HTTP), for tests that
also need the ``Runtime`` (to make accounts, read counters) without a second process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import uvicorn

from jean_memory.app import create_app
from jean_memory.embeddings import Embedder
from jean_memory.runtime import Runtime
from jean_memory.serving import listen
from jean_memory.settings import Settings


@dataclass
class Live:
    url: str
    runtime: Runtime


@asynccontextmanager
async def live_server(settings: Settings, embedder: Embedder) -> AsyncIterator[Live]:
    """Serve ``create_app(settings)`` on a free loopback port until the block ends (``settings`` without a
    public URL: it becomes the loopback address)."""
    with listen("127.0.0.1", 0) as sock:
        port = int(sock.getsockname()[1])
        app = create_app(settings.listening_on("127.0.0.1", port), embedder=embedder)
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                               timeout_graceful_shutdown=2))
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            with anyio.fail_after(30):
                while not server.started:
                    await anyio.sleep(0.01)  # uvicorn offers no started event; polling the server we started
            try:
                yield Live(f"http://127.0.0.1:{port}", app.state.runtime)
            finally:
                server.should_exit = True
