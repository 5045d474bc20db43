"""Linking upstream OpenID Connect identities to local accounts, and which providers are offered."""

from __future__ import annotations

import pytest

from jean_memory.accounts.oidc import link_account, providers
from jean_memory.errors import Forbidden, InvalidInput
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_verified_email_links_to_the_existing_account(runtime: Runtime, alice: Account) -> None:
    user = await link_account(runtime.stores, {"sub": "g-1", "email": "ALICE@example.com", "email_verified": True},
                              signup_enabled=False)
    assert user.id == alice.user_id


async def test_unverified_or_missing_email_is_refused(runtime: Runtime, alice: Account) -> None:
    with pytest.raises(Forbidden):
        await link_account(runtime.stores, {"email": alice.email, "email_verified": False}, True)
    with pytest.raises(Forbidden):
        await link_account(runtime.stores, {"email": alice.email, "email_verified": "true"}, True)
    with pytest.raises(InvalidInput):
        await link_account(runtime.stores, {"sub": "x"}, True)


async def test_new_accounts_only_when_signup_is_open(runtime: Runtime) -> None:
    claims = {"email": "new@example.com", "email_verified": True, "name": "New Person"}
    with pytest.raises(Forbidden):
        await link_account(runtime.stores, claims, signup_enabled=False)
    assert await runtime.stores.users.get_user_by_email("new@example.com") is None
    user = await link_account(runtime.stores, claims, signup_enabled=True)
    assert user.email == "new@example.com" and user.password_hash is None and user.display_name == "New Person"


def test_providers_follow_settings() -> None:
    assert providers(Settings(_env_file=None)) == []  # type: ignore[call-arg]
    both = providers(Settings(google_client_id="g", google_client_secret="s", oidc_issuer="https://id.example/",
                              oidc_client_id="c", oidc_name="Acme SSO", _env_file=None))  # type: ignore[call-arg]
    assert [(p.slug, p.name) for p in both] == [("google", "Google"), ("oidc", "Acme SSO")]
    assert both[1].metadata_url == "https://id.example/.well-known/openid-configuration"
