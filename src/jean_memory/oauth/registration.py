"""Dynamic client registration (RFC 7591 §2-3) and its management protocol (RFC 7592 §2).

Replaces the SDK's ``RegistrationHandler``, which accepts any redirect URI (``javascript:`` included), rejects
unknown scopes instead of dropping them and returns no ``registration_client_uri`` (claude.ai stalled without
it). The SDK's ``OAuthClientMetadata`` model still validates the other fields, after ``limits`` has bounded and
checked the whole body. Nothing is written until the registration and its answer are complete. Secrets and
registration access tokens are stored hashed; registrations are rate-limited per source address.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from mcp.shared.auth import OAuthClientMetadata
from pydantic import ValidationError

from ..deps import RuntimeDep
from ..observability.metrics import count_oauth
from ..runtime import Runtime
from ..security import bearer_token, hash_token, new_token, same
from ..store.oauth import ClientStore, OAuthClient
from . import redirects, scopes
from .errors import NO_STORE, InvalidClientMetadata, InvalidRedirectUri, InvalidToken
from .limits import MAX_ITEMS, registration_body
from .ratelimit import limit
from .routing import OAuthRoute

router = APIRouter(tags=["oauth"], route_class=OAuthRoute)
METHODS = ("none", "client_secret_post", "client_secret_basic")
GRANTS = ("authorization_code", "refresh_token")


def _validate(body: dict[str, Any], runtime: Runtime) -> tuple[dict[str, Any], str]:
    """The metadata to store and echo, and the auth method; raises the RFC 7591 §3.2.2 errors."""
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or len(uris) > MAX_ITEMS:
        raise InvalidRedirectUri(f"redirect_uris must be a list of 1 to {MAX_ITEMS} URIs")
    for uri in uris:
        problem = redirects.problem(uri, runtime.settings)
        if problem:
            raise InvalidRedirectUri(problem)
    method = body.get("token_endpoint_auth_method") or "client_secret_basic"
    if method not in METHODS:
        raise InvalidClientMetadata(f"token_endpoint_auth_method must be one of {', '.join(METHODS)}")
    grants = body.get("grant_types") or ["authorization_code"]
    if (not isinstance(grants, list) or not all(isinstance(g, str) for g in grants)
            or "authorization_code" not in grants or not set(grants) <= set(GRANTS)):
        raise InvalidClientMetadata("grant_types must include authorization_code and only it or refresh_token")
    if (body.get("response_types") or ["code"]) != ["code"]:
        raise InvalidClientMetadata("response_types must be [\"code\"]")
    name = body.get("client_name")
    if name is not None and (not isinstance(name, str) or len(name) > 200 or not name.isprintable()):
        raise InvalidClientMetadata("client_name must be a string of at most 200 printable characters")
    scope = scopes.registration_scope(body.get("scope") if isinstance(body.get("scope"), str) else None)
    try:
        model = OAuthClientMetadata.model_validate(body | {"scope": scope, "token_endpoint_auth_method": method,
                                                           "grant_types": grants})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidClientMetadata(f"{where}: {first.get('msg', 'invalid')}") from exc
    meta = model.model_dump(mode="json", exclude_none=True)
    meta["redirect_uris"] = list(uris)  # as sent: pydantic's URL normalisation must not change them
    return meta, method


def _client(client_id: str, meta: dict[str, Any], method: str, secret_hash: str | None, reg_hash: str,
            created_at: float, last_used_at: float | None = None) -> OAuthClient:
    return OAuthClient(client_id, meta.get("client_name") or "Unnamed app", tuple(meta["redirect_uris"]), method,
                       tuple(meta["grant_types"]), meta["scope"], meta, created_at, secret_hash, reg_hash,
                       last_used_at=last_used_at)


def _info(runtime: Runtime, client: OAuthClient, secret: str | None, reg_token: str | None) -> dict[str, Any]:
    out = dict(client.metadata) | {"client_id": client.client_id, "client_id_issued_at": int(client.created_at),
                                   "registration_client_uri": f"{runtime.settings.issuer}/register/{client.client_id}"}
    if secret is not None:
        out |= {"client_secret": secret, "client_secret_expires_at": 0}
    if reg_token is not None:
        out["registration_access_token"] = reg_token
    return out


@router.post("/register", operation_id="registerClient", summary="Register a client (RFC 7591)")
async def register(request: Request, runtime: RuntimeDep) -> Response:
    """Dynamic client registration: 201 with the ``client_id`` and a registration access token."""
    await limit(request, runtime, "register", runtime.settings.rate_limit_register)
    meta, method = _validate(await registration_body(request), runtime)
    client_id = new_token("jmc_", 16)
    secret = None if method == "none" else new_token("jms_")
    reg_token = new_token("jmg_")
    client = _client(client_id, meta, method, hash_token(secret) if secret else None, hash_token(reg_token),
                     time.time())
    response = JSONResponse(_info(runtime, client, secret, reg_token), status_code=201, headers=NO_STORE)
    await runtime.stores.oauth.save_client(client)  # only once the answer is rendered: never a half-done registration
    count_oauth(runtime, "registration")
    return response


# In the OpenAPI document only (``_managed`` reads the header, for RFC 7592's 401 rather than FastAPI's 403).
REGISTRATION_TOKEN = HTTPBearer(scheme_name="registrationAccessToken", bearerFormat="jmg_...", auto_error=False,
                                description="The `registration_access_token` that `POST /register` returned.")


async def _managed(request: Request, runtime: Runtime, client_id: str) -> OAuthClient:
    """RFC 7592 §2: the client when the registration access token matches, else ``InvalidToken`` (401)."""
    token = bearer_token(request.headers.get("authorization", ""))
    store: ClientStore = runtime.stores.oauth
    client = await store.get_client(client_id) if len(client_id) <= 200 else None
    if (not token or client is None or client.registration_token_hash is None
            or not same(hash_token(token), client.registration_token_hash)):
        raise InvalidToken()
    return client


@router.get("/register/{client_id}", operation_id="readClientRegistration", summary="Read a registration (RFC 7592)",
            dependencies=[Depends(REGISTRATION_TOKEN)])
async def read_registration(client_id: str, request: Request, runtime: RuntimeDep) -> Response:
    """The client's registered metadata."""
    client = await _managed(request, runtime, client_id)
    return JSONResponse(_info(runtime, client, None, None), headers=NO_STORE)


@router.put("/register/{client_id}", operation_id="updateClientRegistration",
            summary="Replace a registration (RFC 7592)", dependencies=[Depends(REGISTRATION_TOKEN)])
async def update_registration(client_id: str, request: Request, runtime: RuntimeDep) -> Response:
    """Replace the client's metadata (a client cannot switch between public and confidential)."""
    client = await _managed(request, runtime, client_id)
    body = await registration_body(request)
    if body.get("client_id") != client_id:
        raise InvalidClientMetadata("the body's client_id must equal the registered one")
    meta, method = _validate({k: v for k, v in body.items() if k not in ("client_id", "client_secret")}, runtime)
    if (method == "none") != (client.auth_method == "none"):
        raise InvalidClientMetadata("a client cannot switch between public and confidential")
    updated = _client(client_id, meta, method, client.secret_hash, client.registration_token_hash or "",
                      client.created_at, client.last_used_at)
    response = JSONResponse(_info(runtime, updated, None, None), headers=NO_STORE)
    store: ClientStore = runtime.stores.oauth
    await store.save_client(updated)
    return response


@router.delete("/register/{client_id}", operation_id="deleteClientRegistration",
               summary="Delete a registration (RFC 7592)", dependencies=[Depends(REGISTRATION_TOKEN)])
async def delete_registration(client_id: str, request: Request, runtime: RuntimeDep) -> Response:
    """Delete the client with its codes, tokens and grants."""
    await _managed(request, runtime, client_id)
    await runtime.stores.oauth.delete_client(client_id)
    return Response(status_code=204, headers=NO_STORE)
