"""Erase soft-deleted memories once ``settings.deleted_retention`` has passed (a lifespan hook, hourly).

Deleting a memory hides it at once (search, lists, tools); the row is kept for that long so that an export or a
support request can still see what happened, then it is erased for good.
"""

from __future__ import annotations

import logging
import time

from ..periodic import every
from ..runtime import Runtime

log = logging.getLogger("jean_memory.memory")
INTERVAL = 3600.0


async def purge_once(runtime: Runtime, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return await runtime.stores.memories.purge_deleted(now - runtime.settings.deleted_retention)


purger = every(INTERVAL, purge_once, "memory purge", log)
