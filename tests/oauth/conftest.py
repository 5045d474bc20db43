"""OAuth test helpers: PKCE pairs, a registered client, and tokens issued straight through the store."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

from jean_memory.oauth.bearer import ACCESS_PREFIX, REFRESH_PREFIX
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token, new_token
from jean_memory.store.oauth import OAuthClient, TokenRecord


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def seed_client(runtime: Runtime, client_id: str = "c-test",
                      redirect: str = "https://claude.ai/api/mcp/auth_callback") -> OAuthClient:
    client = OAuthClient(client_id, "Test client", (redirect,), "none", ("authorization_code", "refresh_token"),
                         "memory:read memory:write", {}, time.time())
    await runtime.stores.oauth.save_client(client)
    return client


async def seed_tokens(runtime: Runtime, user_id: str, client_id: str = "c-test", *,
                      scope: str = "memory:read memory:write", resource: str | None = None,
                      ttl: float = 3600) -> tuple[str, str]:
    now = time.time()
    access, refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
    family = new_token()
    res = resource or runtime.settings.mcp_resource
    await runtime.stores.oauth.save_grant(user_id, client_id, scope, now)
    await runtime.stores.oauth.issue_tokens([
        TokenRecord(hash_token(access), "access", family, client_id, user_id, scope, res, now, now + ttl),
        TokenRecord(hash_token(refresh), "refresh", family, client_id, user_id, scope, res, now, now + 86400),
    ], now)
    return access, refresh
