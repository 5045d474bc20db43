"""The consent step of the authorization endpoint (RFC 6749 §4.1.1 "obtain an authorization decision",
RFC 9207 ``iss``), reading the site session: no session, go to ``/login?next=`` and come back here.

Not in the SDK (its provider's ``authorize`` hands the whole step to the application). ``prompt=consent``
always shows the page; otherwise a remembered consent for the same client covering the scopes is reused, but
only for the exact redirect URI (port included) it was given for, and never for a public client redirecting
to loopback or a private-use scheme (RFC 8252 §8.6: its identity cannot be proven, since any local program can
take that port or scheme; RFC 9700 §2.1.1).
Codes carry 256 random bits, are stored hashed and bound to client, redirect URI, challenge, resource,
scope and user; the pending request is single use.

The page also asks which spaces the app may read and where its new memories go (``spaces.picker``); an invalid
choice shows the page again with the error, the pending request still usable.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response

from ..accounts.csrf import check_csrf
from ..accounts.sessions import current_site_user, login_redirect
from ..deps import RuntimeDep
from ..errors import Forbidden, InvalidInput
from ..runtime import Runtime
from ..security import hash_token, new_token
from ..spaces import picker
from ..spaces.resolve import reach_of_person
from ..store.oauth import AuthCode, OAuthClient, OAuthStore, PendingAuthorization
from ..store.records import User
from ..store.space_records import Reachable
from . import redirects, scopes
from .authorize import CONSENT_PATH, redirect_with
from .client_documents import find_client
from .pages import oauth_error_page, render

router = APIRouter(tags=["oauth"])
_EXPIRED = "This sign-in request has expired or was already used. Go back to the app and connect again."


def _covers(granted: str | None, asked: str) -> bool:
    return granted is not None and set(asked.split()) <= set(granted.split())


async def _finish(runtime: Runtime, pending: PendingAuthorization, user_id: str) -> Response:
    code = new_token(nbytes=32)
    now = time.time()
    store: OAuthStore = runtime.stores.oauth
    await store.create_code(AuthCode(
        hash_token(code), pending.client_id, user_id, pending.redirect_uri, pending.code_challenge,
        pending.resource, pending.scope, new_token(nbytes=16), now + runtime.settings.auth_code_ttl))
    return redirect_with(pending.redirect_uri, runtime, code=code, state=pending.state)


async def _may_skip_consent(store: OAuthStore, pending: PendingAuthorization, client: OAuthClient,
                            user_id: str) -> bool:
    if pending.prompt == "consent" or (client.auth_method == "none" and redirects.is_native(pending.redirect_uri)):
        return False
    return _covers(await store.get_grant_scope(user_id, client.client_id, pending.redirect_uri), pending.scope)


@router.get(CONSENT_PATH, operation_id="showConsent", summary="The consent page (browser)")
async def consent_page(request: Request, runtime: RuntimeDep) -> Response:
    """Names the app and what it may do, for the signed-in person to allow or deny."""
    request_id = request.query_params.get("request", "")[:200]
    store: OAuthStore = runtime.stores.oauth
    pending = await store.get_pending(hash_token(request_id), time.time()) if request_id else None
    if pending is None:
        return oauth_error_page(request, _EXPIRED)
    user = await current_site_user(request)
    if user is None:
        return login_redirect(f"{CONSENT_PATH}?request={request_id}")
    client = await find_client(runtime, pending.client_id)
    if client is None:
        return oauth_error_page(request, _EXPIRED)
    if await _may_skip_consent(store, pending, client, user.id):
        if await store.delete_pending(pending.id_hash):
            return await _finish(runtime, pending, user.id)
        return oauth_error_page(request, _EXPIRED)
    given = await runtime.stores.spaces.grant_reach(user.id, client.client_id)
    return await _page(request, runtime, pending, client, user, request_id, given)


async def _page(request: Request, runtime: Runtime, pending: PendingAuthorization, client: OAuthClient, user: User,
                request_id: str, given: Reachable | None, error: str = "") -> Response:
    """The consent form; its space picker starts on ``given`` (the grant's reach, or the default for a new app)."""
    person = await reach_of_person(runtime.stores, user.id)
    return render(request, "oauth/consent.html", 400 if error else 200, client_name=client.client_name,
                  client_id=client.client_id, is_document=client.is_document,
                  redirect_host=urlsplit(pending.redirect_uri).netloc or urlsplit(pending.redirect_uri).scheme,
                  request_id=request_id, error=error, reach=person, checked=picker.checked(person, given),
                  write_id=picker.write_choice(person, given),
                  scope_list=[{"name": s, "description": scopes.DESCRIPTIONS[s]} for s in pending.scope.split()])


@router.post(CONSENT_PATH, operation_id="decideConsent", summary="Allow or deny an app (consent form)")
async def consent_decision(request: Request, runtime: RuntimeDep) -> Response:
    """The consent form's answer (CSRF-protected); redirects back to the app with a code or an error."""
    form = await request.form()
    token, request_id, decision = (form.get("csrf_token"), form.get("request"), form.get("decision"))
    if not isinstance(request_id, str) or not request_id or len(request_id) > 200:
        return oauth_error_page(request, _EXPIRED)
    user = await current_site_user(request)
    if user is None:
        return login_redirect(f"{CONSENT_PATH}?request={request_id}")
    try:
        await check_csrf(request, token if isinstance(token, str) else None)
    except Forbidden as exc:
        return oauth_error_page(request, exc.message, status=403)
    if decision not in ("allow", "deny"):
        return oauth_error_page(request, "Choose Allow or Deny.")
    store: OAuthStore = runtime.stores.oauth
    pending = await store.get_pending(hash_token(request_id), time.time())
    if pending is None:
        return oauth_error_page(request, _EXPIRED)
    chosen = Reachable()
    if decision == "allow":
        spaces = [v for v in form.getlist(picker.SPACES) if isinstance(v, str)]
        write = form.get(picker.WRITE_SPACE)
        try:
            chosen = picker.picked(await reach_of_person(runtime.stores, user.id), spaces,
                                   write if isinstance(write, str) else None)
        except InvalidInput as exc:
            client = await find_client(runtime, pending.client_id)
            if client is None:
                return oauth_error_page(request, _EXPIRED)
            tried = Reachable(tuple(spaces), write if isinstance(write, str) else None)
            return await _page(request, runtime, pending, client, user, request_id, tried, exc.message)
    if not await store.delete_pending(pending.id_hash):
        return oauth_error_page(request, _EXPIRED)
    if decision == "deny":
        return redirect_with(pending.redirect_uri, runtime, error="access_denied",
                             error_description="the person declined", state=pending.state)
    await store.save_grant(user.id, pending.client_id, pending.scope, time.time(), pending.redirect_uri)
    await runtime.stores.spaces.set_grant_reach(user.id, pending.client_id, chosen)
    return await _finish(runtime, pending, user.id)
