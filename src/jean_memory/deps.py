"""FastAPI dependencies shared by routers, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .accounts.api_keys import Principal, key_cache, principal_for_key
from .errors import Unauthorized
from .observability import annotate
from .runtime import Runtime
from .security import bearer_token


async def get_runtime(request: Request) -> Runtime:
    """``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in its thread pool, a hop to a
    worker thread and back on every request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


# Declares the scheme in the OpenAPI document (``/api/docs`` gets its Authorize button from it); the header is read
# below, so the error is ours (a 401 saying what to send) rather than FastAPI's 403.
API_KEY = HTTPBearer(scheme_name="personalApiKey", bearerFormat="jm_...", auto_error=False, description=(
    "A personal API key, `jm_...`: create one under Dashboard → API keys and paste it here (without `Bearer`). "
    "Sent as `Authorization: Bearer jm_...`."))


async def api_principal(request: Request, runtime: RuntimeDep,
                        _: Annotated[HTTPAuthorizationCredentials | None, Depends(API_KEY)]) -> Principal:
    """``/api/v1`` accepts a personal API key as ``Authorization: Bearer jm_...`` (never a cookie or a query)."""
    token = bearer_token(request.headers.get("authorization", ""))
    if not token:
        raise Unauthorized("send a personal API key as 'Authorization: Bearer jm_...'")
    principal = await principal_for_key(runtime.stores, token, key_cache(runtime.extras))
    if principal is None:
        raise Unauthorized("this API key is unknown or revoked")
    annotate(user_id=principal.user_id, client_id=principal.client_id, via=principal.via)
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]
