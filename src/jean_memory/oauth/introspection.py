"""Token introspection (RFC 7662 §2) for resource servers that hold client credentials.

Not the SDK's (it has no introspection endpoint). Only confidential clients may call it (§2.1: the caller
authenticates; public clients get ``invalid_client``). Access tokens are described to any confidential client;
a refresh token only to the client it was issued to (§4: limit what a caller learns). Anything unknown, expired,
revoked, replayed past its rotation grace, or of a deleted client is ``{"active": false}`` and nothing more.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ..deps import RuntimeDep
from ..security import hash_token
from ..store.oauth import OAuthClient, OAuthStore, TokenRecord
from .bearer import ACCESS_PREFIX, REFRESH_PREFIX
from .client_auth import token_and_client
from .errors import NO_STORE, InvalidClient
from .routing import OAuthRoute

router = APIRouter(tags=["oauth"], route_class=OAuthRoute)
AUTH_METHODS = ["client_secret_post", "client_secret_basic"]


def _active(record: TokenRecord | None, caller: OAuthClient, now: float, grace: float) -> bool:
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return False
    if record.kind == "refresh":
        return record.client_id == caller.client_id and (record.rotated_at is None or now - record.rotated_at <= grace)
    return True


@router.post("/introspect", operation_id="introspectToken", summary="Introspect a token (RFC 7662)")
async def introspect(request: Request, runtime: RuntimeDep) -> Response:
    """Whether a token is active, for a confidential client (``client_secret_basic`` or ``_post``)."""
    token, caller = await token_and_client(request, runtime)
    if caller.auth_method == "none":
        raise InvalidClient("introspection needs client credentials: public clients may not call it")
    store: OAuthStore = runtime.stores.oauth
    record = await store.get_token(hash_token(token)) if token.startswith((ACCESS_PREFIX, REFRESH_PREFIX)) \
        and len(token) <= 200 else None
    now = time.time()
    if (record is None or not _active(record, caller, now, runtime.settings.refresh_grace_seconds)
            or await store.get_client(record.client_id) is None):
        return JSONResponse({"active": False}, headers=NO_STORE)
    body: dict[str, Any] = {"active": True, "scope": record.scope, "client_id": record.client_id,
                            "sub": record.user_id, "aud": record.resource, "iss": runtime.settings.issuer,
                            "exp": int(record.expires_at), "iat": int(record.created_at)}
    if record.kind == "access":
        body["token_type"] = "Bearer"
    return JSONResponse(body, headers=NO_STORE)
