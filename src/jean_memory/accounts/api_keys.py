"""Personal API keys: ``jm_`` + 256 random bits, shown once, stored as SHA-256, revocable.

Verified keys are remembered for ``KEY_CACHE_SECONDS`` (``KeyCache``): a request with a key seen moments ago does not
go to the database (a hop to a worker thread and a query, about a millisecond of every API call on a small VM).
Revoking a key or deleting an account in this process forgets its keys at once; in another process (the CLI,
a second server) it takes effect within ``KEY_CACHE_SECONDS``. ``last_used_at`` is then updated at most once
per ``KEY_CACHE_SECONDS`` plus the store's own minute, which only ever made it approximate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..security import hash_token, new_token
from ..store import Stores
from ..store.records import ApiKey

PREFIX = "jm_"
# Keys act for their user with every scope, on /api/v1 and /mcp.
KEY_SCOPES = ("memory:read", "memory:write")
KEY_CACHE_SECONDS = 2.0
_KEY_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a user, through an API key or an OAuth client, with scopes."""

    user_id: str
    scopes: tuple[str, ...]
    client_id: str | None
    via: str  # "api_key" or "oauth"


async def create_api_key(stores: Stores, user_id: str, name: str, spaces: tuple[str, ...] | None = None,
                         write_space: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; return its record and the secret, which is never stored or shown again. ``spaces``: the space
    ids it may read (None: every space the account owns, also later ones); ``write_space``: its default (None:
    personal)."""
    secret = new_token(PREFIX)
    record = await stores.api_keys.create_key(user_id, name.strip()[:100] or "API key", hash_token(secret),
                                              secret[:8], spaces=spaces, write_space=write_space)
    return record, secret


@dataclass(slots=True)
class KeyCache:
    """Keys verified in the last ``seconds``, by hash (only found keys: an unknown one is asked about every time)."""

    seconds: float = KEY_CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _found: dict[str, tuple[float, Principal]] = field(default_factory=dict)

    def get(self, key_hash: str) -> Principal | None:
        hit = self._found.get(key_hash)
        if hit is None:
            return None
        if self.clock() - hit[0] >= self.seconds:
            del self._found[key_hash]
            return None
        return hit[1]

    def put(self, key_hash: str, principal: Principal) -> None:
        if len(self._found) >= _KEY_CACHE_SIZE:
            self._found.clear()
        self._found[key_hash] = (self.clock(), principal)

    def forget(self, user_id: str, key_id: str | None = None) -> None:
        """A revoked key (``key_id``), or every key of a deleted account."""
        client_id = f"api-key:{key_id}" if key_id is not None else None
        for key_hash, (_, p) in list(self._found.items()):
            if p.user_id == user_id and (client_id is None or p.client_id == client_id):
                self._found.pop(key_hash, None)


async def principal_for_key(stores: Stores, secret: str, cache: KeyCache | None = None) -> Principal | None:
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    key_hash = hash_token(secret)
    if cache is not None and (known := cache.get(key_hash)) is not None:
        return known
    key = await stores.api_keys.find_key(key_hash)
    if key is None:
        return None
    principal = Principal(key.user_id, KEY_SCOPES, f"api-key:{key.id}", "api_key")
    if cache is not None:
        cache.put(key_hash, principal)
    return principal


def key_cache(extras: dict[str, object]) -> KeyCache:
    """The process's cache of verified keys, kept in ``Runtime.extras``."""
    cache = extras.get("api_key_cache")
    if not isinstance(cache, KeyCache):
        cache = extras["api_key_cache"] = KeyCache()
    return cache
