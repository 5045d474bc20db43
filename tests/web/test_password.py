"""Changing a local account's password on the dashboard; OpenID-only accounts have none to change."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.accounts.sessions import COOKIE
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token, new_token
from tests.conftest import Account
from tests.web.helpers import login, post_form

pytestmark = pytest.mark.anyio
PATH = "/dashboard/account/password"
NEW = "a brand new passphrase"


async def test_change_password_signs_out_other_browsers(app: FastAPI, client: httpx.AsyncClient, alice: Account,
                                                       runtime: Runtime) -> None:
    assert (await login(client, alice.email, alice.password)).status_code == 303
    page = await client.get("/dashboard/account")
    assert 'action="/dashboard/account/password"' in page.text and 'name="current_password"' in page.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as laptop:
        assert (await login(laptop, alice.email, alice.password)).status_code == 303
        for data, message in [({"current_password": "wrong one", "new_password": NEW, "new_password_confirm": NEW},
                               "current password is not right"),
                              ({"current_password": alice.password, "new_password": NEW,
                                "new_password_confirm": NEW + "x"}, "do not match"),
                              ({"current_password": alice.password, "new_password": "short",
                                "new_password_confirm": "short"}, "at least 8 characters")]:
            r = await post_form(client, "/dashboard/account", PATH, data)
            assert r.status_code == 400 and message in r.text, r.text[-800:]
        r = await client.post(PATH, data={"current_password": alice.password, "new_password": NEW,
                                          "new_password_confirm": NEW})
        assert r.status_code == 403  # no CSRF token
        r = await post_form(client, "/dashboard/account", PATH, {"current_password": alice.password,
                                                                   "new_password": NEW, "new_password_confirm": NEW})
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/account?notice=password"
        assert "Password changed." in (await client.get(r.headers["location"])).text  # still signed in here
        assert (await laptop.get("/dashboard")).status_code == 303  # signed out there
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        assert (await login(other, alice.email, alice.password)).status_code == 400
        assert (await login(other, alice.email, NEW)).status_code == 303
    user = await runtime.stores.users.get_user(alice.user_id)
    assert user is not None and user.password_hash is not None and user.password_hash.startswith("$argon2id$")


async def test_an_openid_only_account_sees_a_note(client: httpx.AsyncClient, runtime: Runtime) -> None:
    user = await runtime.stores.users.create_user("oidc@example.com", None)
    token = new_token()
    await runtime.stores.sessions.create_session(hash_token(token), user.id, time.time() + 3600)
    client.cookies.set(COOKIE, token)
    page = await client.get("/dashboard/account")
    assert page.status_code == 200 and "has no password here" in page.text
    assert 'name="current_password"' not in page.text
    r = await post_form(client, "/dashboard/account", PATH, {"current_password": "", "new_password": NEW,
                                                               "new_password_confirm": NEW})
    assert r.status_code == 400
    assert (await runtime.stores.users.get_user(user.id)).password_hash is None  # type: ignore[union-attr]
