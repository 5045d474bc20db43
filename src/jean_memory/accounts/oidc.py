"""Upstream OpenID Connect sign-in (Google, or any provider by issuer URL) via Authlib's Starlette client.

Authorization code flow with PKCE (S256), ``state`` and ``nonce`` (Authlib generates them and checks the ID
token's signature, ``iss``, ``aud``, ``exp`` and ``nonce``). Authlib keeps its per-login data in a cache:
ours is the database (``SiteSessionStore.put_login_state``), so no server secret is needed and any replica
can finish a login. The browser holds only the ``state`` in the short-lived ``jm_oidc`` cookie (path
``/login``), which binds the callback to the browser that started it (RFC 6749 §10.12).
An account is found by the identity that signed in (issuer + subject); a new identity links by *verified*
email (and is remembered), and a new account is created only when sign-up is open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth

from ..errors import Conflict, Forbidden, InvalidInput
from ..settings import Settings
from ..store import Stores
from ..store.records import User
from ..store.sessions import SiteSessionStore

GOOGLE_METADATA = "https://accounts.google.com/.well-known/openid-configuration"
STATE_TTL = 600


@dataclass(frozen=True, slots=True)
class Provider:
    slug: str
    name: str
    metadata_url: str
    client_id: str
    client_secret: str


def providers(settings: Settings) -> list[Provider]:
    """The configured upstream providers, in button order."""
    found: list[Provider] = []
    if settings.google_client_id:
        found.append(Provider("google", "Google", GOOGLE_METADATA, settings.google_client_id,
                              settings.google_client_secret))
    if settings.oidc_issuer and settings.oidc_client_id:
        issuer = settings.oidc_issuer.rstrip("/")
        found.append(Provider("oidc", settings.oidc_name, f"{issuer}/.well-known/openid-configuration",
                              settings.oidc_client_id, settings.oidc_client_secret))
    return found


class DatabaseStateCache:
    """Authlib's async cache interface (``get``/``set``/``delete``) over the site session store."""

    def __init__(self, store: SiteSessionStore) -> None:
        self.store = store

    async def get(self, key: str) -> str | None:
        return await self.store.get_login_state(key, time.time())

    async def set(self, key: str, value: str, expires: int | None = None) -> None:
        await self.store.put_login_state(key, value, time.time() + (expires or STATE_TTL))

    async def delete(self, key: str) -> None:
        await self.store.delete_login_state(key)


def build_oauth(settings: Settings, stores: Stores) -> OAuth:
    """One Authlib registry with a client per configured provider."""
    oauth = OAuth(cache=DatabaseStateCache(stores.sessions))
    for p in providers(settings):
        oauth.register(p.slug, client_id=p.client_id, client_secret=p.client_secret,
                       server_metadata_url=p.metadata_url,
                       client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})
    return oauth


def state_marker(slug: str, state: str) -> dict[str, Any]:
    """The session dict Authlib expects back at the callback (the marker only; the data is in the database)."""
    return {f"_state_{slug}_{state}": {"exp": time.time() + STATE_TTL}}


def _identity_part(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value or len(value) > 255 or "\x00" in value:
        raise InvalidInput("The provider's answer did not say which account signed in; please try again.")
    return value


async def link_account(stores: Stores, claims: dict[str, Any], signup_enabled: bool) -> User:
    """The local user for verified ID token ``claims``.

    The identity that signed in (``iss`` + ``sub``) finds its account first. An identity seen for the first time
    links by verified email to an existing account (or creates one, if sign-up is open), and is remembered: later
    sign-ins no longer depend on the email, and an account linked to one identity of a provider cannot be opened
    by another identity of the same provider that reports the same email (a reassigned or recycled address).
    """
    issuer, subject = _identity_part(claims, "iss"), _identity_part(claims, "sub")
    user = await stores.users.user_for_identity(issuer, subject)
    if user is not None:
        return user
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise InvalidInput("The provider did not share an email address; allow the email scope and try again.")
    if claims.get("email_verified") is not True:
        raise Forbidden("The provider has not verified this email address, so it cannot sign you in here.")
    user = await stores.users.get_user_by_email(email)
    if user is None:
        if not signup_enabled:
            raise Forbidden("There is no account for this email and sign-up is closed on this server.")
        name = claims.get("name")
        try:
            user = await stores.users.create_user(email, None, name[:200] if isinstance(name, str) else "")
        except Conflict:  # the same person finishing two sign-ins at once
            user = await stores.users.get_user_by_email(email)
            if user is None:
                raise
    try:
        await stores.users.link_identity(user.id, issuer, subject)
    except Conflict as exc:
        raise Forbidden("This account is linked to a different account at this provider, so this sign-in "
                        "cannot open it. Sign in with the account you linked first, or with your password.") from exc
    return user
