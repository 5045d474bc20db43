"""Site login sessions (the dashboard's cookie), stored by the SHA-256 of the cookie value, never the value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SiteSession:
    id_hash: str
    user_id: str
    created_at: float
    expires_at: float


class SiteSessionStore(Protocol):
    async def create_session(self, id_hash: str, user_id: str, expires_at: float) -> SiteSession: ...
    async def get_session(self, id_hash: str, now: float) -> SiteSession | None:
        """The session with this hash when it has not expired at ``now``."""
        ...

    async def delete_session(self, id_hash: str) -> None: ...
    async def delete_user_sessions(self, user_id: str) -> int: ...
    async def sweep_expired(self, now: float) -> int:
        """Delete expired sessions and expired OpenID Connect login states."""
        ...

    # Upstream OpenID Connect logins in progress (Authlib's state cache): small JSON values, minutes long.
    async def put_login_state(self, key: str, value: str, expires_at: float) -> None: ...
    async def get_login_state(self, key: str, now: float) -> str | None: ...
    async def delete_login_state(self, key: str) -> None: ...
