"""Housekeeping for site sign-in: delete expired site sessions, OpenID Connect login states, stale failed
sign-in counts and sign-in sources not seen for months (``login_throttle``), and the rate-limit counts of windows
that ended (``throttle``: one row per source address and bucket, which would otherwise pile up).

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


async def sweep_once(runtime: Runtime, now: float | None = None) -> int:
    store: SiteSessionStore = runtime.stores.sessions
    now = time.time() if now is None else now
    ended = now - runtime.settings.rate_limit_window
    return (await store.sweep_expired(now) + await login_throttle.sweep(runtime, now)
            + await runtime.stores.rate_limits.sweep(ended))


session_sweeper = every(INTERVAL, sweep_once, "session sweeper", log)
