"""One process's guard around client ID metadata document fetches (``client_documents``): at most ``CONCURRENCY``
at a time, one per URL (requests for a document being fetched wait for that fetch instead of starting another),
and failures remembered for ``NEGATIVE_TTL`` seconds, so a broken or hostile URL is not fetched again on every
anonymous ``/authorize``.

Kept in process memory on purpose: it is a cache, not state (registrations and fetched documents live in the
database). Each replica remembers its own failures; the per-source fetch rate limit is counted in the database.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from ..runtime import Runtime

CONCURRENCY = 4
NEGATIVE_TTL = 300.0
MAX_FAILURES = 1000  # remembered failed URLs; the oldest is forgotten first
WAIT = 5.0  # longest wait for a free slot; twice that for another request's fetch of the same URL


class DocumentFetches:
    def __init__(self, concurrency: int = CONCURRENCY, negative_ttl: float = NEGATIVE_TTL,
                 max_failures: int = MAX_FAILURES) -> None:
        self.negative_ttl = negative_ttl
        self.max_failures = max_failures
        self._slots = anyio.Semaphore(concurrency)
        self._failed: OrderedDict[str, float] = OrderedDict()  # URL -> remembered until
        self._inflight: dict[str, anyio.Event] = {}

    def failed(self, url: str) -> bool:
        """True while a failure to fetch ``url`` is remembered."""
        until = self._failed.get(url)
        if until is None:
            return False
        if until > time.monotonic():
            return True
        del self._failed[url]
        return False

    def remember_failure(self, url: str) -> None:
        self._failed.pop(url, None)
        self._failed[url] = time.monotonic() + self.negative_ttl
        while len(self._failed) > self.max_failures:
            self._failed.popitem(last=False)

    @asynccontextmanager
    async def turn(self, url: str) -> AsyncIterator[bool]:
        """True: fetch ``url`` now (a slot is held until the block ends). False: another request was fetching
        it and has finished (or the wait ran out), so look in the caches again. Raises ``TimeoutError`` when no
        slot came free within ``WAIT`` seconds."""
        inflight = self._inflight.get(url)
        if inflight is not None:
            with anyio.move_on_after(2 * WAIT):
                await inflight.wait()
            yield False
            return
        done = self._inflight[url] = anyio.Event()
        try:
            with anyio.fail_after(WAIT):
                await self._slots.acquire()
            try:
                yield True
            finally:
                self._slots.release()
        finally:
            del self._inflight[url]
            done.set()


def fetches_of(runtime: Runtime) -> DocumentFetches:
    """This process's guard, made on first use and kept at ``runtime.extras["document_fetches"]``."""
    fetches = runtime.extras.get("document_fetches")
    if not isinstance(fetches, DocumentFetches):
        fetches = runtime.extras["document_fetches"] = DocumentFetches()
    return fetches
