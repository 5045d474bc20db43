"""The authorization endpoint (RFC 6749 §4.1.1-4.1.2, OAuth 2.1 §4.1, RFC 7636 PKCE, RFC 8707, RFC 9207).

Replaces the SDK's ``AuthorizationHandler``: it has no ``invalid_target`` for a foreign ``resource``, no ``iss``
in the redirect, and accepts ``plain``-less requests by default. An unknown client or an unregistered
redirect URI gets an HTML error page, never a redirect. So does any other invalid request, unless the person
is signed in and once approved this client for exactly this redirect URI (RFC 9700 §4.11.2: anyone can register
a client with any https redirect, so a registered redirect URI is not trusted by itself; redirecting an error
there without interaction would be an open redirect). A valid request is stored as a pending authorization
(hashed id) and continues at the consent step, which asks the site to log the person in first if needed; what
follows the person's own decision there (``access_denied`` included) goes back to the client. Requests are
rate-limited per source address (a 429 page) and every parameter is bounded (``limits``) before anything is
fetched or stored.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import ImmutableMultiDict

from ..accounts.sessions import current_site_user
from ..deps import RuntimeDep
from ..observability.metrics import count_oauth
from ..runtime import Runtime
from ..security import hash_token, new_token
from ..settings import Settings
from ..store.oauth import PendingAuthorization
from . import limits, redirects, scopes
from .client_documents import find_client
from .errors import InvalidRequest, InvalidScope, InvalidTarget, OAuthError, TooManyRequests, UnsupportedResponseType
from .pages import oauth_error_page
from .ratelimit import limit

router = APIRouter(tags=["oauth"])
PENDING_TTL = 900  # time to log in and decide
CONSENT_PATH = "/authorize/consent"
PER_WINDOW = 30  # /authorize requests per source address per ``settings.rate_limit_window``
# RFC 7636 §4.1: a verifier is 43-128 unreserved characters; an S256 challenge (43 base64url) fits the same rule.
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in state or prompt (RFC 6749 Appendix A: VSCHAR)


def redirect_with(uri: str, runtime: Runtime, **params: str | None) -> RedirectResponse:
    """A 302 back to the client, always with ``iss`` (RFC 9207); ``None`` values are left out. The one place
    an authorization error response (RFC 6749 §4.1.2.1, ``error=...``) is sent, so it is counted here."""
    if params.get("error"):
        count_oauth(runtime, "failure", params["error"])
    query = urlencode({k: v for k, v in params.items() if v is not None} | {"iss": runtime.settings.issuer})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302,
                            headers={"Cache-Control": "no-store"})


def canonical_resource(value: str | None, settings: Settings) -> str:
    """RFC 8707 §2: absent means our MCP resource; anything else must name it (a trailing slash is tolerated)."""
    if value is None:
        return settings.mcp_resource
    if value.rstrip("/") != settings.mcp_resource:
        raise InvalidTarget(f"this server only issues tokens for {settings.mcp_resource}")
    return settings.mcp_resource


def _one(params: ImmutableMultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise (InvalidTarget if name == "resource" else InvalidRequest)(f"{name} must be sent once")
    return values[0] if values else None


async def _approved(request: Request, runtime: Runtime, client_id: str, redirect_uri: str) -> bool:
    """True when the signed-in person once approved ``client_id`` for exactly ``redirect_uri``: only then may an
    error travel back there without their interaction (RFC 9700 §4.11.2, mcp-oauth.md §3)."""
    user = await current_site_user(request)
    return user is not None and await runtime.stores.oauth.get_grant_scope(user.id, client_id, redirect_uri) is not None


async def begin(request: Request, runtime: Runtime, params: ImmutableMultiDict[str, str]) -> Response:
    settings = runtime.settings
    try:
        await limit(request, runtime, "authorize", PER_WINDOW)
    except TooManyRequests as exc:
        count_oauth(runtime, "failure", exc.error)
        page = oauth_error_page(request, f"Too many sign-in attempts from your address; try again in "
                                f"{exc.retry_after} seconds.", status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    client_id = params.get("client_id", "")
    client = await find_client(runtime, client_id, request)
    if client is None:
        return oauth_error_page(request, "This app is not registered here (or its registration expired). "
                                "Go back to the app and connect again.")
    redirect_uri = redirects.pick(client.redirect_uris, params.get("redirect_uri"))
    if redirect_uri is None or len(params.getlist("redirect_uri")) > 1:
        return oauth_error_page(request, "The app asked to return to an address it did not register, so we "
                                "stopped here for your safety.")
    state = params.get("state")
    try:
        too_long = limits.authorize_problem(params)
        if too_long:
            state = state if state is None or len(state) <= limits.MAX_PARAMETER else None  # not echoed back
            raise InvalidRequest(too_long)
        if params.get("response_type") != "code":
            raise UnsupportedResponseType("response_type must be code")
        challenge, method = _one(params, "code_challenge"), _one(params, "code_challenge_method")
        if not challenge or method != "S256" or not PKCE_VALUE.match(challenge):
            raise InvalidRequest("PKCE is required: code_challenge with code_challenge_method=S256")
        resource = canonical_resource(_one(params, "resource"), settings)
        asked = " ".join(s for s in (params.get("scope") or "").split() if s in scopes.SUPPORTED) or None
        scope = scopes.within(asked, client.scope)
        if not scope:
            raise InvalidScope(f"this app may ask for: {client.scope}")
        if state is not None and (len(state) > 2000 or _CONTROL.search(state)):
            raise InvalidRequest("state must be at most 2000 characters, none of them control characters")
        if _CONTROL.search(params.get("prompt") or ""):
            raise InvalidRequest("prompt cannot contain control characters")
    except OAuthError as exc:
        if await _approved(request, runtime, client.client_id, redirect_uri):
            return redirect_with(redirect_uri, runtime, error=exc.error, error_description=exc.description,
                                 state=state)
        count_oauth(runtime, "failure", exc.error)
        return oauth_error_page(request, f"The app sent a request we cannot accept ({exc.error}: "
                                f"{exc.description}). Nothing was shared. Go back to the app and connect again.")
    pending_id = new_token()
    await runtime.stores.oauth.create_pending(PendingAuthorization(
        hash_token(pending_id), client.client_id, redirect_uri, state, challenge, resource, scope,
        params.get("prompt") or "", time.time() + PENDING_TTL))
    return RedirectResponse(f"{CONSENT_PATH}?request={pending_id}", status_code=303,
                            headers={"Cache-Control": "no-store"})


@router.get("/authorize", operation_id="authorize", summary="Start an authorization (RFC 6749 §4.1.1)")
async def authorize_get(request: Request, runtime: RuntimeDep) -> Response:
    """A browser is sent here by an app; it goes on to sign-in and consent, then back with a code."""
    return await begin(request, runtime, request.query_params)


@router.post("/authorize", operation_id="authorizeWithForm", summary="Start an authorization, as a form post")
async def authorize_post(request: Request, runtime: RuntimeDep) -> Response:
    """The same as ``GET /authorize``, with the parameters in an urlencoded body."""
    form = await request.form()
    params = ImmutableMultiDict([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    return await begin(request, runtime, params)
