"""Dashboard connected apps: every OAuth client the person granted, with last use; revoke kills its tokens now.

Apps holding a live token are "connected"; a grant whose tokens were all revoked or expired (the app signed
out) is listed apart, as a remembered consent the person can forget (the app would otherwise be let back in
without the consent page).

Reads ``runtime.stores.oauth`` (``store/oauth.py``: ``list_connected_apps``, ``revoke_client_for_user``). Each app
shows the spaces its grant reaches, and the person can narrow them (``spaces.picker``, ``SpaceStore.set_grant_reach``).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...accounts.revoked import credentials_revoked
from ...errors import InvalidInput, NotFound
from ...spaces import picker
from ...spaces.resolve import reach_of_person
from ...store.oauth import OAuthStore
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of
from .keys import chosen

router = APIRouter(route_class=SiteRoute, include_in_schema=False)


def _store(request: Request) -> OAuthStore | None:
    store: OAuthStore | None = runtime_of(request).stores.oauth
    return store


def _hosts(uris: tuple[str, ...]) -> str:
    return ", ".join(sorted({urlsplit(u).netloc or urlsplit(u).scheme for u in uris}))


NOTICES = {"revoked": "App disconnected: its access was revoked; it will have to ask you again.",
           "narrowed": "The app's spaces were changed; it acts on them from its next call."}


async def _page(request: Request, user_id: str, status: int = 200, notice: str = "", error: str = "") -> Response:
    store = _store(request)
    stores = runtime_of(request).stores
    apps = await store.list_connected_apps(user_id) if store is not None else []
    person = await reach_of_person(stores, user_id)
    rows = []
    for a in apps:
        given = await stores.spaces.grant_reach(user_id, a.client_id)
        rows.append((a, _hosts(a.redirect_uris), {
            "reaches": picker.describe(person, given), "writes": picker.write_name(person, given),
            "checked": picker.checked(person, given), "write_id": picker.write_choice(person, given)}))
    return render(request, "dashboard/apps.html", status, apps=[r for r in rows if r[0].active],
                  remembered=[r for r in rows if not r[0].active], reach=person, notice=notice, error=error)


@router.get("/dashboard/apps")
async def apps_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    return await _page(request, user.id, notice=NOTICES.get(notice, ""))


@router.post("/dashboard/apps/spaces")
async def narrow_app(request: Request, user: SiteUser) -> Response:
    """What the app's grant may reach from its next call on (read fresh on every request)."""
    form = await checked_form(request)
    client_id = field(form, "client_id", 2048)
    store = _store(request)
    granted = {a.client_id for a in await store.list_connected_apps(user.id)} if store is not None else set()
    if client_id not in granted:
        raise NotFound("That app is not connected to your account.")
    stores = runtime_of(request).stores
    try:
        given = chosen(form, await reach_of_person(stores, user.id))
    except InvalidInput as exc:
        return await _page(request, user.id, 400, error=exc.message)
    if not await stores.spaces.set_grant_reach(user.id, client_id, given):
        raise NotFound("That app is not connected to your account.")
    return RedirectResponse("/dashboard/apps?notice=narrowed", status_code=303)


@router.post("/dashboard/apps/revoke")
async def revoke_app(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    client_id = field(form, "client_id", 2048)
    store = _store(request)
    granted = {a.client_id for a in await store.list_connected_apps(user.id)} if store is not None else set()
    if store is None or client_id not in granted:
        raise NotFound("That app is not connected to your account.")
    await store.revoke_client_for_user(user.id, client_id, time.time())
    credentials_revoked(runtime_of(request).extras, user.id)
    return RedirectResponse("/dashboard/apps?notice=revoked", status_code=303)
