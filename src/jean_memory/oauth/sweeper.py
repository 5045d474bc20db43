"""Housekeeping: delete expired pending authorizations, codes and tokens, and registrations never used to get a
token within ``settings.unused_client_ttl`` (an hour by default: Claude registers on every fresh connection, and
anyone may register). Runs as a lifespan hook every ``INTERVAL`` seconds."""

from __future__ import annotations

import logging
import time

from ..periodic import every
from ..runtime import Runtime
from ..store.oauth import OAuthStore

log = logging.getLogger("jean_memory.oauth")
INTERVAL = 300.0


async def sweep_once(runtime: Runtime, now: float | None = None) -> int:
    now = time.time() if now is None else now
    store: OAuthStore = runtime.stores.oauth
    return await store.sweep(now, now - runtime.settings.unused_client_ttl)


sweeper = every(INTERVAL, sweep_once, "oauth sweeper", log)
