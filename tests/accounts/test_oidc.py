"""Linking upstream OpenID Connect identities to local accounts, and which providers are offered."""

from __future__ import annotations

import pytest

from jean_memory.accounts.oidc import link_account, providers
from jean_memory.errors import Forbidden, InvalidInput
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import Account

pytestmark = pytest.mark.anyio


GOOGLE = "https://accounts.google.com"


async def test_verified_email_links_to_the_existing_account(runtime: Runtime, alice: Account) -> None:
    claims = {"iss": GOOGLE, "sub": "g-1", "email": "ALICE@example.com", "email_verified": True}
    user = await link_account(runtime.stores, claims, signup_enabled=False)
    assert user.id == alice.user_id
    assert (await runtime.stores.users.user_for_identity(GOOGLE, "g-1")).id == alice.user_id  # type: ignore[union-attr]


async def test_a_linked_identity_keeps_its_account_when_the_email_changes(runtime: Runtime, alice: Account) -> None:
    await link_account(runtime.stores, {"iss": GOOGLE, "sub": "g-1", "email": alice.email, "email_verified": True},
                       signup_enabled=False)
    moved = {"iss": GOOGLE, "sub": "g-1", "email": "alice.new@example.com", "email_verified": False}
    assert (await link_account(runtime.stores, moved, signup_enabled=False)).id == alice.user_id


async def test_a_reassigned_email_does_not_open_the_account(runtime: Runtime, alice: Account) -> None:
    """The provider gives Alice's old address to someone else (a new subject): they must not get her account."""
    await link_account(runtime.stores, {"iss": GOOGLE, "sub": "g-1", "email": alice.email, "email_verified": True},
                       signup_enabled=True)
    newcomer = {"iss": GOOGLE, "sub": "g-2", "email": alice.email, "email_verified": True}
    with pytest.raises(Forbidden, match="linked to a different account"):
        await link_account(runtime.stores, newcomer, signup_enabled=True)
    assert await runtime.stores.users.user_for_identity(GOOGLE, "g-2") is None
    # Another provider's identity with the same verified email still links (one identity per provider).
    other = {"iss": "https://id.example", "sub": "g-2", "email": alice.email, "email_verified": True}
    assert (await link_account(runtime.stores, other, signup_enabled=False)).id == alice.user_id


async def test_claims_without_an_identity_are_refused(runtime: Runtime, alice: Account) -> None:
    for claims in ({"sub": "g-1", "email": alice.email, "email_verified": True},
                   {"iss": GOOGLE, "email": alice.email, "email_verified": True},
                   {"iss": GOOGLE, "sub": "x\x00y", "email": alice.email, "email_verified": True},
                   {"iss": GOOGLE, "sub": 7, "email": alice.email, "email_verified": True}):
        with pytest.raises(InvalidInput):
            await link_account(runtime.stores, claims, signup_enabled=True)


async def test_unverified_or_missing_email_is_refused(runtime: Runtime, alice: Account) -> None:
    with pytest.raises(Forbidden):
        await link_account(runtime.stores, {"iss": GOOGLE, "sub": "u", "email": alice.email, "email_verified": False},
                           True)
    with pytest.raises(Forbidden):
        await link_account(runtime.stores, {"iss": GOOGLE, "sub": "u", "email": alice.email,
                                            "email_verified": "true"}, True)
    with pytest.raises(InvalidInput):
        await link_account(runtime.stores, {"iss": GOOGLE, "sub": "x"}, True)


async def test_new_accounts_only_when_signup_is_open(runtime: Runtime) -> None:
    claims = {"iss": GOOGLE, "sub": "g-9", "email": "new@example.com", "email_verified": True, "name": "New Person"}
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
