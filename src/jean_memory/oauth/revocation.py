"""Token revocation (RFC 7009 §2). Replaces the SDK's ``RevocationHandler``, which demands a ``client_secret``
from public clients. Answers 200 for unknown tokens; revoking a refresh token revokes the access tokens of its
grant (§2.1); a token of another client is left alone, silently."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from ..accounts.revoked import credentials_revoked
from ..deps import RuntimeDep
from ..observability.metrics import count_oauth
from ..security import hash_token
from ..store.oauth import TokenStore
from .client_auth import token_and_client
from .errors import NO_STORE
from .routing import OAuthRoute

router = APIRouter(tags=["oauth"], route_class=OAuthRoute)


@router.post("/revoke", operation_id="revokeToken", summary="Revoke a token (RFC 7009)")
async def revoke(request: Request, runtime: RuntimeDep) -> Response:
    """Revoke an access or refresh token of the calling client; 200 for an unknown token too."""
    token, client = await token_and_client(request, runtime)
    store: TokenStore = runtime.stores.oauth
    record = await store.get_token(hash_token(token[:200]))
    if record is not None and record.client_id == client.client_id:
        await store.revoke_token(record.token_hash, time.time())
        credentials_revoked(runtime.extras, record.user_id)
    count_oauth(runtime, "revocation")  # every accepted request: RFC 7009 answers unknown tokens the same way
    return Response(status_code=200, headers=NO_STORE)
