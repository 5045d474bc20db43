"""Fixtures for the site's in-process tests."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account
from tests.web.helpers import login


@pytest.fixture
async def signed_in(client: httpx.AsyncClient, alice: Account) -> httpx.AsyncClient:
    """``client`` with Alice signed in to the site."""
    assert (await login(client, alice.email, alice.password)).status_code == 303
    return client
