"""Housekeeping: delete expired pending authorizations, codes and tokens, and registrations never used within
``settings.unused_client_ttl`` (Claude registers on every fresh connection). Runs as a lifespan hook."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from ..runtime import Runtime
from ..store.oauth import OAuthStore

log = logging.getLogger("jean_memory.oauth")
INTERVAL = 600.0


async def sweep_once(runtime: Runtime, now: float | None = None) -> int:
    now = time.time() if now is None else now
    store: OAuthStore = runtime.stores.oauth
    return await store.sweep(now, now - runtime.settings.unused_client_ttl)


@asynccontextmanager
async def sweeper(runtime: Runtime) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                removed = await sweep_once(runtime)
                if removed:
                    log.info("oauth sweeper removed %d expired rows", removed)
            except Exception as exc:  # keep sweeping: a failed pass is retried next interval
                log.warning("oauth sweep failed: %s", type(exc).__name__)
            await anyio.sleep(INTERVAL)

    async with anyio.create_task_group() as tg:
        tg.start_soon(loop)
        try:
            yield
        finally:
            tg.cancel_scope.cancel()
