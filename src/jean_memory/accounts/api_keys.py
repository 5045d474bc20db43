"""Personal API keys: ``jm_`` + 256 random bits, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

from dataclasses import dataclass

from ..security import hash_token, new_token
from ..store import Stores
from ..store.records import ApiKey

PREFIX = "jm_"
# Keys act for their user with every scope, on /api/v1 and /mcp.
KEY_SCOPES = ("memory:read", "memory:write")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a user, through an API key or an OAuth client, with scopes."""

    user_id: str
    scopes: tuple[str, ...]
    client_id: str | None
    via: str  # "api_key" or "oauth"


async def create_api_key(stores: Stores, user_id: str, name: str) -> tuple[ApiKey, str]:
    """Create a key; return its record and the secret, which is never stored or shown again."""
    secret = new_token(PREFIX)
    record = await stores.api_keys.create_key(user_id, name.strip()[:100] or "API key", hash_token(secret),
                                              secret[:8])
    return record, secret


async def principal_for_key(stores: Stores, secret: str) -> Principal | None:
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    key = await stores.api_keys.find_key(hash_token(secret))
    if key is None:
        return None
    return Principal(key.user_id, KEY_SCOPES, f"api-key:{key.id}", "api_key")
