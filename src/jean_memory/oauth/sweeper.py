"""Housekeeping: delete expired pending authorizations, codes and tokens, and registrations never used within
``settings.unused_client_ttl`` (Claude registers on every fresh connection). Runs as a lifespan hook."""

from __future__ import annotations

import logging
import time

from ..periodic import every
from ..runtime import Runtime
from ..store.oauth import OAuthStore

log = logging.getLogger("jean_memory.oauth")
INTERVAL = 600.0


async def sweep_once(runtime: Runtime, now: float | None = None) -> int:
    now = time.time() if now is None else now
    store: OAuthStore = runtime.stores.oauth
    return await store.sweep(now, now - runtime.settings.unused_client_ttl)


sweeper = every(INTERVAL, sweep_once, "oauth sweeper", log)
