"""The token endpoint (RFC 6749 §3.2, §4.1.3, §5, §6; OAuth 2.1 §4.3 refresh rotation; RFC 7636 §4.6; RFC 8707).

Replaces the SDK's ``TokenHandler``: it needs ``client_id`` in the body with Basic auth, has no
``invalid_target``, and its provider protocol has no place for rotation with a grace period or reuse detection.
The SDK's ``OAuthToken`` model shapes the response. Access and refresh tokens are opaque (256 random bits),
stored hashed, and bound to the client, user, scope and resource. A refresh token rotates on every use. Within
``settings.refresh_grace_seconds`` of that, one retry (a lost response must not log the person out) gets a fresh
pair that replaces the first one, which is revoked: only hashes are stored, so the first answer cannot be sent
again, and only one branch stays live. Any other reuse, parallel forks included, revokes the whole family.
"""

from __future__ import annotations

import base64
import hashlib
import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from mcp.shared.auth import OAuthToken
from starlette.datastructures import FormData

from ..accounts.revoked import credentials_revoked
from ..deps import RuntimeDep
from ..observability.metrics import count_oauth
from ..runtime import Runtime
from ..security import hash_token, new_token, same
from ..store.oauth import OAuthClient, OAuthStore, TokenRecord
from . import scopes
from .authorize import PKCE_VALUE, canonical_resource
from .bearer import ACCESS_PREFIX, REFRESH_PREFIX
from .client_auth import authenticate
from .errors import (
    NO_STORE,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from .ratelimit import limit
from .routing import OAuthRoute

router = APIRouter(tags=["oauth"], route_class=OAuthRoute)


def _field(form: FormData, name: str) -> str | None:
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    if len(values) > 1:
        raise InvalidRequest(f"{name} must be sent once")
    return values[0] if values and values[0] else None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _mint(runtime: Runtime, client: OAuthClient, user_id: str, family: str, access_scope: str,
          refresh_scope: str, resource: str) -> tuple[OAuthToken, list[TokenRecord]]:
    settings, now = runtime.settings, time.time()
    access = new_token(ACCESS_PREFIX)
    records = [TokenRecord(hash_token(access), "access", family, client.client_id, user_id, access_scope, resource,
                           now, now + settings.access_token_ttl)]
    refresh = None
    if "refresh_token" in client.grant_types:
        refresh = new_token(REFRESH_PREFIX)
        records.append(TokenRecord(hash_token(refresh), "refresh", family, client.client_id, user_id, refresh_scope,
                                   resource, now, now + settings.refresh_token_ttl))
    return OAuthToken(access_token=access, expires_in=settings.access_token_ttl, scope=access_scope,
                      refresh_token=refresh), records


async def _code_grant(runtime: Runtime, client: OAuthClient, form: FormData) -> OAuthToken:
    code, verifier, redirect_uri = _field(form, "code"), _field(form, "code_verifier"), _field(form, "redirect_uri")
    resource = _field(form, "resource")
    if not code or not verifier:
        raise InvalidRequest("code and code_verifier are required")
    store: OAuthStore = runtime.stores.oauth
    outcome, record = await store.consume_code(hash_token(code[:200]), time.time())
    if outcome == "reused":
        if record is not None:
            credentials_revoked(runtime.extras, record.user_id)
        raise InvalidGrant("this code was already used; the tokens issued from it are revoked")
    if outcome != "ok" or record is None or record.client_id != client.client_id:
        raise InvalidGrant("the code is unknown, expired or for another client")
    if redirect_uri is not None and redirect_uri != record.redirect_uri:
        raise InvalidGrant("redirect_uri differs from the one in the authorization request")
    if not PKCE_VALUE.match(verifier) or not same(s256(verifier), record.code_challenge):
        raise InvalidGrant("code_verifier does not match the code_challenge")
    if resource is not None and canonical_resource(resource, runtime.settings) != record.resource:
        raise InvalidGrant("resource differs from the one in the authorization request")
    token, records = _mint(runtime, client, record.user_id, record.family_id, record.scope, record.scope,
                           record.resource)
    await store.issue_tokens(records, time.time())
    return token


async def _refresh_grant(runtime: Runtime, client: OAuthClient, form: FormData) -> OAuthToken:
    presented = _field(form, "refresh_token")
    if not presented:
        raise InvalidRequest("refresh_token is required")
    if "refresh_token" not in client.grant_types:
        raise UnauthorizedClient("this client did not register the refresh_token grant")
    store: OAuthStore = runtime.stores.oauth
    old = await store.get_token(hash_token(presented[:200]))
    if old is None or old.kind != "refresh" or old.client_id != client.client_id:
        raise InvalidGrant("the refresh token is unknown or for another client")
    resource = _field(form, "resource")
    if resource is not None and canonical_resource(resource, runtime.settings) != old.resource:
        raise InvalidGrant("resource differs from the one this grant was issued for")
    asked = _field(form, "scope")
    narrowed = scopes.within(asked, old.scope)
    if not narrowed:
        raise InvalidScope("a refresh can only keep or narrow the granted scope")
    token, records = _mint(runtime, client, old.user_id, old.family_id, narrowed, old.scope, old.resource)
    outcome = await store.rotate_refresh(old.token_hash, records, time.time(), runtime.settings.refresh_grace_seconds)
    if outcome == "reused":
        credentials_revoked(runtime.extras, old.user_id)
        raise InvalidGrant("this refresh token was already used; the grant is revoked, sign in again")
    if outcome not in ("ok", "replayed"):
        raise InvalidGrant("the refresh token is expired or revoked")
    return token


@router.post("/token", operation_id="requestToken", summary="Get tokens for a code or a refresh token")
async def token_endpoint(request: Request, runtime: RuntimeDep) -> Response:
    """The token endpoint (RFC 6749 §3.2): ``authorization_code`` with PKCE, or ``refresh_token``."""
    await limit(request, runtime, "token", runtime.settings.rate_limit_token)
    form = await request.form()
    grant_type = _field(form, "grant_type")
    if grant_type is None:
        raise InvalidRequest("grant_type is required")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise UnsupportedGrantType("supported: authorization_code, refresh_token")
    client = await authenticate(runtime, form, request.headers)
    if grant_type == "authorization_code":
        token = await _code_grant(runtime, client, form)
        count_oauth(runtime, "grant")
    else:
        token = await _refresh_grant(runtime, client, form)
        count_oauth(runtime, "refresh")
    return JSONResponse(token.model_dump(mode="json", exclude_none=True), headers=NO_STORE)
