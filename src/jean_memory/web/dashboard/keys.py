"""Dashboard API keys: create (the secret is shown once, on the page that created it), narrow what a key may reach
(its spaces and where it writes: ``spaces.picker``) and revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from ...accounts.api_keys import create_api_key, key_cache
from ...accounts.revoked import credentials_revoked
from ...errors import InvalidInput, NotFound
from ...spaces import picker
from ...spaces.reach import Reach
from ...spaces.resolve import reach_of_person
from ...store.space_records import Reachable
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
NOTICES = {"revoked": "Key revoked.", "narrowed": "The key's spaces were changed; it acts on them from its next call."}


def chosen(form: FormData, person: Reach) -> Reachable:
    """The picker's answer (``InvalidInput`` when it names spaces the person cannot reach)."""
    write = form.get(picker.WRITE_SPACE)
    return picker.picked(person, [v for v in form.getlist(picker.SPACES) if isinstance(v, str)],
                         write if isinstance(write, str) else None)


async def _page(request: Request, user_id: str, status: int = 200, **extra: Any) -> Response:
    keys = await runtime_of(request).stores.api_keys.list_keys(user_id)
    person = await reach_of_person(runtime_of(request).stores, user_id)
    rows = []
    for k in keys:
        given = Reachable(k.spaces, k.write_space)
        rows.append({"key": k, "reaches": picker.describe(person, given), "writes": picker.write_name(person, given),
                     "checked": picker.checked(person, given), "write_id": picker.write_choice(person, given)})
    return render(request, "dashboard/keys.html", status, keys=keys, rows=rows, reach=person,
                  new_checked=picker.checked(person, None), new_write=picker.write_choice(person, None), **extra)


@router.get("/dashboard/keys")
async def keys_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    return await _page(request, user.id, notice=NOTICES.get(notice, ""))


@router.post("/dashboard/keys")
async def create_key(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    stores = runtime_of(request).stores
    try:
        given = chosen(form, await reach_of_person(stores, user.id))
    except InvalidInput as exc:
        return await _page(request, user.id, 400, error=exc.message)
    record, secret = await create_api_key(stores, user.id, field(form, "name", 100), given.spaces, given.write_space)
    # The secret exists only in this response: never stored, never shown again.
    response = await _page(request, user.id, 201, new_secret=secret, new_key=record)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/dashboard/keys/{key_id}/spaces")
async def narrow_key(request: Request, user: SiteUser, key_id: str) -> Response:
    """What the key may reach from its next call on (read fresh on every request)."""
    form = await checked_form(request)
    stores = runtime_of(request).stores
    if not any(k.id == key_id[:64] and k.revoked_at is None for k in await stores.api_keys.list_keys(user.id)):
        raise NotFound("No such API key (or it was revoked).")
    try:
        given = chosen(form, await reach_of_person(stores, user.id))
    except InvalidInput as exc:
        return await _page(request, user.id, 400, error=exc.message)
    if not await stores.spaces.set_key_reach(user.id, key_id[:64], given):
        raise NotFound("No such API key (or it was revoked).")
    return RedirectResponse("/dashboard/keys?notice=narrowed", status_code=303)


@router.post("/dashboard/keys/{key_id}/revoke")
async def revoke_key(request: Request, user: SiteUser, key_id: str) -> Response:
    await checked_form(request)
    runtime = runtime_of(request)
    if not await runtime.stores.api_keys.revoke_key(user.id, key_id[:64]):
        raise NotFound("No such API key (or it was already revoked).")
    key_cache(runtime.extras).forget(user.id, key_id[:64])
    credentials_revoked(runtime.extras, user.id)
    return RedirectResponse("/dashboard/keys?notice=revoked", status_code=303)
