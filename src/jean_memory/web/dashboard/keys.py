"""Dashboard API keys: create (the secret is shown once, on the page that created it) and revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...accounts.api_keys import create_api_key, key_cache
from ...accounts.revoked import credentials_revoked
from ...errors import NotFound
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)


async def _page(request: Request, user_id: str, status: int = 200, **extra: Any) -> Response:
    keys = await runtime_of(request).stores.api_keys.list_keys(user_id)
    return render(request, "dashboard/keys.html", status, keys=keys, **extra)


@router.get("/dashboard/keys")
async def keys_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    return await _page(request, user.id, notice="Key revoked." if notice == "revoked" else "")


@router.post("/dashboard/keys")
async def create_key(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    record, secret = await create_api_key(runtime_of(request).stores, user.id, field(form, "name", 100))
    # The secret exists only in this response: never stored, never shown again.
    response = await _page(request, user.id, 201, new_secret=secret, new_key=record)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/dashboard/keys/{key_id}/revoke")
async def revoke_key(request: Request, user: SiteUser, key_id: str) -> Response:
    await checked_form(request)
    runtime = runtime_of(request)
    if not await runtime.stores.api_keys.revoke_key(user.id, key_id[:64]):
        raise NotFound("No such API key (or it was already revoked).")
    key_cache(runtime.extras).forget(user.id, key_id[:64])
    credentials_revoked(runtime.extras, user.id)
    return RedirectResponse("/dashboard/keys?notice=revoked", status_code=303)
