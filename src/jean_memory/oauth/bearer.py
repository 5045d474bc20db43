"""Resolve a bearer credential presented to a protected endpoint into a ``Principal`` (RFC 6750, RFC 8707 §2).

Personal API keys (``jm_...``) work everywhere. OAuth access tokens (``jmo_...``) are opaque, looked up by their
SHA-256, and accepted only when unexpired, unrevoked, issued for ``settings.mcp_resource`` (audience binding)
and their client is still registered (tokens are deleted with their client: ``ON DELETE CASCADE``, so
no extra lookup is needed). The SDK's ``TokenVerifier`` is not used: it would need the same lookup.
"""

from __future__ import annotations

import math
import time

from ..accounts.api_keys import PREFIX as API_KEY_PREFIX
from ..accounts.api_keys import Principal, key_cache, principal_for_key
from ..runtime import Runtime
from ..security import hash_token
from ..store.oauth import TokenStore

ACCESS_PREFIX = "jmo_"
REFRESH_PREFIX = "jmr_"
_MAX_LEN = 200
_TOUCH_EVERY = 60.0  # "last used" of a connected app is kept to the minute: no write on every request


async def _touch(runtime: Runtime, store: TokenStore, user_id: str, client_id: str, now: float) -> None:
    """Record the grant's last use, at most once a minute per (user, client) from this process."""
    touched: dict[tuple[str, str], float] = runtime.extras.setdefault("grants_touched", {})
    if now - touched.get((user_id, client_id), 0.0) < _TOUCH_EVERY:
        return
    if len(touched) > 10_000:
        touched.clear()
    touched[(user_id, client_id)] = now
    await store.touch_grant(user_id, client_id, now)


async def resolve_bearer(runtime: Runtime, token: str) -> Principal | None:
    """The principal for ``token``, or None when it is unknown, expired, revoked or not for our MCP resource."""
    found = await resolve_bearer_until(runtime, token)
    return found[0] if found is not None else None


async def resolve_bearer_until(runtime: Runtime, token: str) -> tuple[Principal, float] | None:
    """``resolve_bearer`` and the time (``time.time()``) the credential expires: an access token's expiry, infinity
    for an API key (valid until revoked)."""
    if token.startswith(API_KEY_PREFIX):
        principal = await principal_for_key(runtime.stores, token, key_cache(runtime.extras))
        return (principal, math.inf) if principal is not None else None
    if not token.startswith(ACCESS_PREFIX) or len(token) > _MAX_LEN:
        return None
    store: TokenStore = runtime.stores.oauth
    record = await store.get_token(hash_token(token))
    now = time.time()
    if (record is None or record.kind != "access" or record.revoked_at is not None or record.expires_at <= now
            or record.resource != runtime.settings.mcp_resource):
        return None
    await _touch(runtime, store, record.user_id, record.client_id, now)
    return Principal(record.user_id, tuple(record.scope.split()), record.client_id, "oauth"), record.expires_at
