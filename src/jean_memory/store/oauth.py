"""OAuth persistence: registered clients, pending authorizations, codes, tokens and grants (consents).

Every secret (client secret, registration access token, pending id, code, access and refresh token) crosses
this boundary only as its SHA-256 (``security.hash_token``). Times are UNIX seconds. Rows live in the
database, never in process memory, so they survive restarts and are shared by every replica.

No backend stores a NUL character (PostgreSQL text cannot hold one): writing a record with NUL in a string
raises ``ValueError``, and looking anything up by a key containing NUL finds nothing. The HTTP edges refuse such
input first; ``tests/store/test_oauth_contract.py`` holds every backend to the same behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """A client registered by RFC 7591 or fetched as a client ID metadata document (``is_document``)."""

    client_id: str
    client_name: str
    redirect_uris: tuple[str, ...]
    auth_method: str  # "none", "client_secret_post" or "client_secret_basic"
    grant_types: tuple[str, ...]
    scope: str
    metadata: Mapping[str, Any]
    created_at: float
    secret_hash: str | None = None
    registration_token_hash: str | None = None
    is_document: bool = False
    document_expires_at: float | None = None
    last_used_at: float | None = None


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """A validated ``/authorize`` request waiting for login and consent."""

    id_hash: str
    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    resource: str
    scope: str
    prompt: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class AuthCode:
    code_hash: str
    client_id: str
    user_id: str
    redirect_uri: str
    code_challenge: str
    resource: str
    scope: str
    family_id: str  # every token issued from this code, and its refreshes, share it
    expires_at: float
    used_at: float | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_hash: str
    kind: Literal["access", "refresh"]
    family_id: str
    client_id: str
    user_id: str
    scope: str
    resource: str
    created_at: float
    expires_at: float
    rotated_at: float | None = None
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class ConnectedApp:
    """One client a user granted access to, for the dashboard's "connected apps" page. ``active``: the client
    holds a token that is neither revoked nor expired (false once it signed out, was caught reusing a refresh
    token, or its sign-in lapsed: the grant, a remembered consent, is all that is left)."""

    client_id: str
    client_name: str
    scope: str
    granted_at: float
    last_used_at: float | None
    redirect_uris: tuple[str, ...] = field(default=())
    active: bool = True


def require_text(*values: object) -> None:
    """Raise ``ValueError`` when a string, a string in a tuple, or a string field of a record holds NUL."""
    for value in values:
        if hasattr(value, "__dataclass_fields__"):
            require_text(*(getattr(value, f.name) for f in fields(value)))  # type: ignore[arg-type]
        elif isinstance(value, tuple):
            require_text(*value)
        elif isinstance(value, str) and "\x00" in value:
            raise ValueError("OAuth store values cannot contain NUL characters")


def findable(*keys: str) -> bool:
    """False when a lookup key holds NUL: no such row can exist (see the module docstring)."""
    return not any("\x00" in key for key in keys)


CodeOutcome = Literal["ok", "unknown", "reused"]
RotateOutcome = Literal["ok", "replayed", "unknown", "reused"]


class ClientStore(Protocol):
    """Registered clients (RFC 7591/7592) and cached client ID metadata documents."""

    async def save_client(self, client: OAuthClient) -> None:
        """Insert or replace a client (registration, RFC 7592 update, metadata document refresh)."""
        ...

    async def get_client(self, client_id: str) -> OAuthClient | None: ...
    async def delete_client(self, client_id: str) -> bool:
        """Delete the client with its codes, tokens and grants."""
        ...



class AuthorizationStore(Protocol):
    """Authorization requests waiting for consent, and authorization codes."""

    async def create_pending(self, pending: PendingAuthorization) -> None: ...
    async def get_pending(self, id_hash: str, now: float) -> PendingAuthorization | None: ...
    async def delete_pending(self, id_hash: str) -> bool:
        """Delete; True only for the one caller that removed it (single use)."""
        ...

    async def create_code(self, code: AuthCode) -> None: ...
    async def consume_code(self, code_hash: str, now: float) -> tuple[CodeOutcome, AuthCode | None]:
        """Mark the code used. A second use revokes every token issued from it and answers "reused"."""
        ...



class TokenStore(Protocol):
    """Access and refresh tokens, and the grants (consents) behind them: what connected apps are."""

    async def issue_tokens(self, tokens: list[TokenRecord], now: float) -> None:
        """Store tokens, mark the client used and record the user's grant as used."""
        ...

    async def get_token(self, token_hash: str) -> TokenRecord | None: ...
    async def rotate_refresh(self, old_hash: str, new: list[TokenRecord], now: float, grace: float) -> RotateOutcome:
        """Replace a refresh token by ``new`` (an atomic compare-and-set, whatever the concurrency).

        "ok": its first use. "replayed": its one retry within ``grace`` seconds of the first use, while the
        refresh token minted first is unused: ``new`` replaces the first pair (revoked), so one live branch
        remains. Any other use of a used token ("reused"), or of a revoked one ("unknown"), revokes the whole
        family: two parties hold it. "unknown" also for an unknown, expired or access token (nothing revoked)."""
        ...

    async def revoke_token(self, token_hash: str, now: float) -> None:
        """Revoke one token; a refresh token takes its whole family (its access tokens) with it."""
        ...

    async def revoke_family(self, family_id: str, now: float) -> int: ...

    async def save_grant(self, user_id: str, client_id: str, scope: str, now: float,
                         redirect_uri: str | None = None) -> None:
        """Remember a consent (replacing its scope), and the exact redirect URI it was given for, if any."""
        ...

    async def get_grant_scope(self, user_id: str, client_id: str, redirect_uri: str | None = None) -> str | None:
        """The consented scope; with ``redirect_uri``, only when the consent was given for exactly that URI."""
        ...

    async def touch_grant(self, user_id: str, client_id: str, now: float) -> None:
        """Record use of a client's tokens (throttled by the store to one write a minute)."""
        ...

    async def list_connected_apps(self, user_id: str, now: float | None = None) -> list[ConnectedApp]: ...
    async def revoke_client_for_user(self, user_id: str, client_id: str, now: float) -> int:
        """Revoke every token of ``client_id`` for ``user_id`` and forget the consent; return tokens revoked."""
        ...



class OAuthStore(ClientStore, AuthorizationStore, TokenStore, Protocol):
    """All of the authorization server's state; its modules take the narrowest part they need."""

    async def sweep(self, now: float, unused_before: float) -> int:
        """Delete expired pendings, codes and tokens, and clients registered before ``unused_before``
        that were never used. Return rows deleted."""
        ...
