"""Routes for upstream OpenID Connect sign-in: ``GET /login/{provider}`` and ``GET /login/{provider}/callback``."""

from __future__ import annotations

import base64
import logging

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ..accounts import oidc
from ..accounts.sessions import safe_next, start_session
from ..errors import InvalidInput, NotFound
from .common import SiteRoute, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
log = logging.getLogger("jean_memory.oidc")
COOKIE = "jm_oidc"


def _client(request: Request, slug: str) -> object:
    runtime = runtime_of(request)
    oauth: OAuth | None = runtime.extras.get("oidc")
    if oauth is None:
        oauth = runtime.extras["oidc"] = oidc.build_oauth(runtime.settings, runtime.stores)
    client = oauth.create_client(slug) if slug in {p.slug for p in oidc.providers(runtime.settings)} else None
    if client is None:
        raise NotFound("This sign-in method is not configured on this server.")
    return client


def _encode(next_path: str) -> str:
    return base64.urlsafe_b64encode(next_path.encode()).decode().rstrip("=")


def _decode(value: str) -> str:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except ValueError:
        return ""


@router.get("/login/{slug}")
async def start(request: Request, slug: str, next: str | None = None) -> Response:
    client = _client(request, slug)
    settings = runtime_of(request).settings
    request.scope["session"] = {}
    try:
        upstream = await client.authorize_redirect(  # type: ignore[attr-defined]
            request, f"{settings.public_url}/login/{slug}/callback")
    except (httpx.HTTPError, OAuthError, ValueError) as exc:
        log.warning("OpenID provider %s unreachable: %s", slug, exc)
        raise InvalidInput("The sign-in provider did not answer. Try again in a moment.") from exc
    [marker] = list(request.scope["session"])  # Authlib's marker for this login: "_state_<slug>_<state>"
    state = marker.removeprefix(f"_state_{slug}_")
    response = RedirectResponse(upstream.headers["location"], status_code=302)
    response.set_cookie(COOKIE, f"{state}.{_encode(safe_next(next))}", max_age=oidc.STATE_TTL,
                        path="/login", httponly=True, samesite="lax", secure=settings.is_https)
    return response


@router.get("/login/{slug}/callback")
async def callback(request: Request, slug: str) -> Response:
    client = _client(request, slug)
    runtime = runtime_of(request)
    if "error" in request.query_params:
        raise InvalidInput("Sign-in was cancelled or refused by the provider.")
    state, _, encoded_next = request.cookies.get(COOKIE, "").partition(".")
    request.scope["session"] = oidc.state_marker(slug, state) if state else {}
    try:
        token = await client.authorize_access_token(request)  # type: ignore[attr-defined]
    except (OAuthError, httpx.HTTPError, ValueError) as exc:
        log.warning("OpenID sign-in with %s failed: %s", slug, exc)
        raise InvalidInput("Sign-in could not be completed (it expired, or was started in another browser). "
                           "Please start again.") from exc
    id_token = dict(token.get("userinfo") or {})  # the verified ID token's claims
    claims = dict(id_token)
    if "email" not in claims:  # providers that keep profile claims out of the ID token (conformIdTokenClaims)
        info = dict(await client.userinfo(token=token))  # type: ignore[attr-defined]
        if info.get("sub") != claims.get("sub"):
            raise InvalidInput("The provider answered for a different account. Please start again.")
        claims |= info
    claims["iss"], claims["sub"] = id_token.get("iss"), id_token.get("sub")  # the identity is the ID token's
    user = await oidc.link_account(runtime.stores, claims, runtime.settings.signup_enabled)
    response = RedirectResponse(safe_next(_decode(encoded_next)), status_code=303)
    response.delete_cookie(COOKIE, path="/login", httponly=True, samesite="lax", secure=runtime.settings.is_https)
    await start_session(request, response, user)
    return response
