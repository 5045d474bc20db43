"""Bounded MCP sessions: one principal's flood of ``initialize`` evicts its own oldest sessions, never anyone else's.

The SDK's ``StreamableHTTPSessionManager`` keeps every stateful session (a transport and a server task, about 40 KB)
until the client deletes it or it idles out, up to one global limit; past that limit it refuses every new session
with 503, whoever asks. So one API key calling ``initialize`` in a loop used to lock every other user out.

``BoundedSessionManager`` admits a new session for a principal (the SDK's ``AuthorizationContext``: our user id as
``subject`` plus the OAuth client id or ``api-key:<id>`` as ``client_id``) only after making room among that
principal's own sessions, and then among its user's sessions across clients: the oldest one is closed, as if its
client had sent DELETE (its id answers 404, and MCP clients answer a 404 by initializing again). When the
process-wide table (``JEAN_MEMORY_MCP_MAX_SESSIONS``) is full, the longest-idle session of the user holding the most
is closed for the newcomer, so a few accounts at their caps cannot lock everyone else out; only when every session
is busy does a new one get 503. The SDK has no public admission hook, so this overrides ``_admit_session`` and reads
the manager's ``_session_owners`` / ``_server_instances`` (both insertion-ordered, so oldest first) and each
transport's ``idle_scope`` / ``_requests_in_flight`` of ``mcp`` 2.3; tests/mcp_server/test_sessions.py fails
loudly if a new SDK changes them. Requests are rate-limited per principal
before they get here (``guard.py``, ``JEAN_MEMORY_RATE_LIMIT_MCP_INITIALIZE``); the 2026-07-28 stateless era opens no
session and is not affected.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

logger = logging.getLogger(__name__)


class BoundedSessionManager(StreamableHTTPSessionManager):
    """The SDK's session manager with a per-principal and a per-user cap that evict the oldest session."""

    def __init__(self, *args: Any, per_client: int, per_user: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_client = per_client
        self.per_user = per_user

    @property
    def open_sessions(self) -> int:
        return len(self._server_instances)

    def _admit_session(self, requestor: AuthorizationContext | None) -> StreamableHTTPServerTransport | None:
        if requestor is not None:  # always set behind guard.py; None only for an unauthenticated embedding
            self._make_room(requestor)
        if self.max_sessions is not None and len(self._server_instances) >= self.max_sessions:
            self._evict_idlest()
        return super()._admit_session(requestor)

    def _evict_idlest(self) -> None:
        """The table is full: close the longest-idle session of the user holding the most sessions. Idle means no
        request in flight and no open GET stream (the SDK suspends the idle countdown, ``idle_scope.deadline``,
        while one is); a session still answering its ``initialize`` has no countdown yet and is kept. With none
        idle, the SDK's 503 stands."""
        owners = {sid: who.get("subject") for sid, who in self._session_owners.items()}
        held = Counter(owners.values())
        idle = [(-held[owners.get(sid)], t.idle_scope.deadline, sid) for sid, t in self._server_instances.items()
                if t.idle_scope is not None and t._requests_in_flight == 0 and math.isfinite(t.idle_scope.deadline)]
        if idle:
            victim = min(idle)[2]
            logger.info("Closing the longest-idle MCP session of the busiest user: the session table is full")
            self._evict(victim)

    def _make_room(self, requestor: AuthorizationContext) -> None:
        """Close ``requestor``'s oldest sessions until one more fits under both caps. Runs under the SDK's
        session-creation lock, so two concurrent ``initialize`` calls cannot both squeeze past a cap."""
        same_client = [sid for sid, who in self._session_owners.items() if who == requestor]
        self._close_oldest(same_client, self.per_client)
        user = requestor.get("subject")
        same_user = [sid for sid, who in self._session_owners.items() if who.get("subject") == user]
        self._close_oldest(same_user, self.per_user)

    def _close_oldest(self, owned: list[str], cap: int) -> None:
        for sid in owned[:max(0, len(owned) - cap + 1)]:
            self._evict(sid)

    def _evict(self, session_id: str) -> None:
        """Forget the session now (its id answers 404 at once), and end its transport and server task in the
        background, as the SDK's own ``_discard_session`` does for a DELETE."""
        transport = self._server_instances.pop(session_id, None)
        self._session_owners.pop(session_id, None)
        logger.info("Closing the oldest MCP session of a principal at its session cap")
        if transport is not None and self._task_group is not None:
            self._task_group.start_soon(self._discard_session, session_id, transport)
