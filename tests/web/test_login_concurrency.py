"""The per-account sign-in limit under concurrency: many simultaneous attempts on one account from many addresses,
against the real app and a real database file (and PostgreSQL), get no more password checks than the limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from jean_memory.accounts.login_throttle import FREE_FAILURES
from jean_memory.embeddings import Embedder
from tests.conftest import make_account
from tests.web.helpers import page_csrf, site

pytestmark = pytest.mark.anyio
ATTEMPTS = 80


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_concurrent_attempts_from_many_addresses_get_at_most_the_free_checks(
        tmp_path: Path, embedder: Embedder, backend: str, request: pytest.FixtureRequest) -> None:
    extra = {"database_url": request.getfixturevalue("postgres_url")} if backend == "postgres" else {}
    async with site(tmp_path, embedder, **extra) as (app, client):
        account = await make_account(app.state.runtime, "fay@example.com")
        token = await page_csrf(client)
        right = ATTEMPTS // 2  # the right password is among them, neither first nor last

        async def attempt(i: int) -> httpx.Response:
            password = account.password if i == right else f"guess number {i}"
            return await client.post("/login", data={"email": account.email, "password": password,
                                                     "csrf_token": token},
                                     headers={"X-Forwarded-For": f"2001:db8:{i:x}::1"})

        responses = await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS)))
        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) <= {303, 400, 429}, statuses
        checked = statuses[400] + statuses[303]  # 400: a wrong password was checked; 303: the right one was
        assert 1 <= checked <= FREE_FAILURES, statuses
        assert statuses[429] == ATTEMPTS - checked
        refused = [r for r in responses if r.status_code == 429]
        assert all(0 < int(r.headers["retry-after"]) <= 30 for r in refused)
