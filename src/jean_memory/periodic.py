"""Periodic housekeeping as a lifespan hook: run a job at start, then every ``interval`` seconds, until shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio

from .runtime import Runtime

Job = Callable[[Runtime], Awaitable[int]]
Hook = Callable[[Runtime], AbstractAsyncContextManager[None]]


def every(interval: float, job: Job, name: str, log: logging.Logger) -> Hook:
    """A lifespan hook running ``job`` (which returns how many rows it removed); a failed pass is retried next time."""

    @asynccontextmanager
    async def hook(runtime: Runtime) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                try:
                    removed = await job(runtime)
                    if removed:
                        log.info("%s removed %d expired rows", name, removed)
                except Exception as exc:
                    log.warning("%s failed: %s", name, type(exc).__name__)
                await anyio.sleep(interval)

        async with anyio.create_task_group() as tg:
            tg.start_soon(loop)
            try:
                yield
            finally:
                tg.cancel_scope.cancel()

    return hook
