"""Upstream OpenID Connect sign-in (Google, or any provider by issuer URL) via Authlib's Starlette client.

Authorization code flow with PKCE (S256), ``state`` and ``nonce`` (Authlib generates them and checks the ID
token's signature, ``iss``, ``aud``, ``exp`` and ``nonce``). Authlib keeps its per-login data in a cache:
ours is the database (``SiteSessionStore.put_login_state``), so no server secret is needed and any replica
can finish a login. The browser holds only the ``state`` in the short-lived ``jm_oidc`` cookie (path
``/login``), which binds the callback to the browser that started it (RFC 6749 §10.12).
Accounts are linked by *verified* email; a new account is created only when sign-up is open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth

from ..errors import Forbidden, InvalidInput
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


async def link_account(stores: Stores, claims: dict[str, Any], signup_enabled: bool) -> User:
    """The local user for verified ID token ``claims``: same email links; unknown creates (if sign-up is open)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise InvalidInput("The provider did not share an email address; allow the email scope and try again.")
    if claims.get("email_verified") is not True:
        raise Forbidden("The provider has not verified this email address, so it cannot sign you in here.")
    user = await stores.users.get_user_by_email(email)
    if user is not None:
        return user
    if not signup_enabled:
        raise Forbidden("There is no account for this email and sign-up is closed on this server.")
    name = claims.get("name")
    return await stores.users.create_user(email, None, name[:200] if isinstance(name, str) else "")
