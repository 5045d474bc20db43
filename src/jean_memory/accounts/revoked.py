"""Telling this process that a user's credential was revoked, so whatever holds something open for it can look again.

Every revocation path in the server (dashboard keys and apps, ``/revoke``, refresh-token reuse, account deletion)
calls ``credentials_revoked`` after its write; listeners (``mcp_server/streams.py``: the open MCP streams) register
with ``on_revocation``. Only a hint to check now: each listener still checks the credential itself, and on its own
schedule too, for revocations made by another process (the CLI, another replica).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_KEY = "revocation_listeners"


def on_revocation(extras: dict[str, Any], listener: Callable[[str], None]) -> None:
    """Call ``listener(user_id)`` whenever this process revokes a credential of that user."""
    extras.setdefault(_KEY, []).append(listener)


def credentials_revoked(extras: dict[str, Any], user_id: str) -> None:
    for listener in extras.get(_KEY, ()):
        listener(user_id)
