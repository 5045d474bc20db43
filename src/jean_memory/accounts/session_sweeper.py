"""Housekeeping for site sign-in: delete expired site sessions and OpenID Connect login states.

Runs as a lifespan hook (``app.state.lifespan_hooks``), once at start and then every ``INTERVAL`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from ..runtime import Runtime
from ..store.sessions import SiteSessionStore

log = logging.getLogger("jean_memory.sessions")
INTERVAL = 3600.0


async def sweep_once(runtime: Runtime) -> int:
    store: SiteSessionStore = runtime.stores.sessions
    return await store.sweep_expired(time.time())


@asynccontextmanager
async def session_sweeper(runtime: Runtime) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                removed = await sweep_once(runtime)
                if removed:
                    log.info("session sweeper removed %d expired rows", removed)
            except Exception as exc:  # a failed pass is retried next interval
                log.warning("session sweep failed: %s", type(exc).__name__)
            await anyio.sleep(INTERVAL)

    async with anyio.create_task_group() as tg:
        tg.start_soon(loop)
        try:
            yield
        finally:
            tg.cancel_scope.cancel()
