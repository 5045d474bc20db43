"""Dashboard connected apps: every OAuth client the person granted, with last use; revoke kills its tokens now.

Apps holding a live token are "connected"; a grant whose tokens were all revoked or expired (the app signed
out) is listed apart, as a remembered consent the person can forget (the app would otherwise be let back in
without the consent page).

Reads ``runtime.stores.oauth`` (``store/oauth.py``: ``list_connected_apps``, ``revoke_client_for_user``).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...accounts.revoked import credentials_revoked
from ...errors import NotFound
from ...store.oauth import OAuthStore
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)


def _store(request: Request) -> OAuthStore | None:
    store: OAuthStore | None = runtime_of(request).stores.oauth
    return store


def _hosts(uris: tuple[str, ...]) -> str:
    return ", ".join(sorted({urlsplit(u).netloc or urlsplit(u).scheme for u in uris}))


@router.get("/dashboard/apps")
async def apps_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    store = _store(request)
    apps = await store.list_connected_apps(user.id) if store is not None else []
    rows = [(a, _hosts(a.redirect_uris)) for a in apps]
    return render(request, "dashboard/apps.html", apps=[r for r in rows if r[0].active],
                  remembered=[r for r in rows if not r[0].active],
                  notice="App disconnected: its access was revoked; it will have to ask you again."
                  if notice == "revoked" else "")


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
