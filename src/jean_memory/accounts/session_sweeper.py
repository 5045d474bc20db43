"""Housekeeping for site sign-in: delete expired site sessions and OpenID Connect login states.

Runs as a lifespan hook (``app.state.lifespan_hooks``), once at start and then every ``INTERVAL`` seconds.
"""

from __future__ import annotations

import logging
import time

from ..periodic import every
from ..runtime import Runtime
from ..store.sessions import SiteSessionStore

log = logging.getLogger("jean_memory.sessions")
INTERVAL = 3600.0


async def sweep_once(runtime: Runtime) -> int:
    store: SiteSessionStore = runtime.stores.sessions
    return await store.sweep_expired(time.time())


session_sweeper = every(INTERVAL, sweep_once, "session sweeper", log)
