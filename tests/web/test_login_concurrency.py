"""The per-account sign-in limit under concurrency: many simultaneous attempts on one account from many addresses,
against the real app and a real database file (and PostgreSQL), get no more password checks than the limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from jean_memory.accounts.login_throttle import FREE_FAILURES
from jean_memory.accounts.sessions import COOKIE
from jean_memory.embeddings import Embedder
from tests.conftest import make_account
from tests.web.helpers import page_csrf, site

pytestmark = pytest.mark.anyio
ATTEMPTS = 80


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_concurrent_attempts_from_many_addresses_get_only_the_free_checks(
        tmp_path: Path, embedder: Embedder, backend: str, request: pytest.FixtureRequest) -> None:
    """80 wrong passwords at once from 80 IPv6 networks: 5 are checked (400), 75 refused before the check (429),
    and then the right password is refused too. (All 80 were checked: the count was read before the slow check
    and bumped after it.)"""
    extra = {"database_url": request.getfixturevalue("postgres_url")} if backend == "postgres" else {}
    async with site(tmp_path, embedder, **extra) as (app, client):
        account = await make_account(app.state.runtime, "fay@example.com")
        token = await page_csrf(client)

        async def attempt(password: str, network: int) -> httpx.Response:
            return await client.post("/login", data={"email": account.email, "password": password,
                                                     "csrf_token": token},
                                     headers={"X-Forwarded-For": f"2001:db8:{network:x}::1"})

        responses = await asyncio.gather(*(attempt(f"guess number {i}", i) for i in range(ATTEMPTS)))
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {400: FREE_FAILURES, 429: ATTEMPTS - FREE_FAILURES}
        assert all(0 < int(r.headers["retry-after"]) <= 30 for r in responses if r.status_code == 429)
        right = await attempt(account.password, ATTEMPTS)
        assert right.status_code == 429 and COOKIE not in right.headers.get("set-cookie", "")
