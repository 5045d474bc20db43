"""Token revocation (RFC 7009 §2). Replaces the SDK's ``RevocationHandler``, which demands a ``client_secret``
from public clients. Answers 200 for unknown tokens; revoking a refresh token revokes the access tokens of its
grant (§2.1); a token of another client is left alone, silently."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from ..deps import RuntimeDep
from ..security import hash_token
from ..store.oauth import OAuthStore
from .client_auth import authenticate
from .errors import NO_STORE, InvalidRequest, OAuthError
from .ratelimit import limit

router = APIRouter(tags=["oauth"])


@router.post("/revoke")
async def revoke(request: Request, runtime: RuntimeDep) -> Response:
    try:
        await limit(request, runtime, "token", runtime.settings.rate_limit_token)
        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not token:
            raise InvalidRequest("token is required")
        client = await authenticate(runtime, form, request.headers)
    except OAuthError as exc:
        return exc.response()
    store: OAuthStore = runtime.stores.oauth
    record = await store.get_token(hash_token(token[:200]))
    if record is not None and record.client_id == client.client_id:
        await store.revoke_token(record.token_hash, time.time())
    return Response(status_code=200, headers=NO_STORE)
