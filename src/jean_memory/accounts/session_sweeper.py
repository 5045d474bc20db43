"""Housekeeping for site sign-in: delete expired site sessions, OpenID Connect login states, stale failed
sign-in counts and sign-in sources not seen for months (``login_throttle``).

Runs as a lifespan hook (``app.state.lifespan_hooks``), once at start and then every ``INTERVAL`` seconds.
"""

from __future__ import annotations

import logging
import time

from ..periodic import every
from ..runtime import Runtime
from ..store.sessions import SiteSessionStore
from . import login_throttle

log = logging.getLogger("jean_memory.sessions")
INTERVAL = 3600.0


async def sweep_once(runtime: Runtime) -> int:
    store: SiteSessionStore = runtime.stores.sessions
    now = time.time()
    return await store.sweep_expired(now) + await login_throttle.sweep(runtime, now)


session_sweeper = every(INTERVAL, sweep_once, "session sweeper", log)
