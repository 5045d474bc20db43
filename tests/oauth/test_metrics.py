"""OAuth events reach ``/metrics``: registrations, grants, refreshes, revocations and failures by wire error code."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from jean_memory.runtime import Runtime

from ..conftest import Account
from .conftest import pkce
from .flows import authorize_url, exchange, get_code, query, refresh, register

pytestmark = pytest.mark.anyio
EVENTS = "jean_memory_oauth_events_total"


async def _oauth_events(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    """``(event, error) -> count`` from a scrape of the app's own ``/metrics`` (the test client is loopback)."""
    r = await client.get("/metrics")
    assert r.status_code == 200, r.text
    out: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.name == EVENTS:
                out[(sample.labels["event"], sample.labels["error"])] = sample.value
    return out


async def test_oauth_events_are_counted(client: httpx.AsyncClient, alice: Account) -> None:
    assert await _oauth_events(client) == {}
    info = await register(client)
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    tokens = (await exchange(client, info["client_id"], code, verifier)).json()
    r = await refresh(client, info["client_id"], tokens["refresh_token"])
    assert r.status_code == 200, r.text

    # Failures, each counted once with the code it put on the wire.
    assert (await exchange(client, info["client_id"], "no-such-code", verifier)).json()["error"] == "invalid_grant"
    assert (await refresh(client, "jmc_unknown", "jmr_x")).json()["error"] == "invalid_client"
    assert (await client.post("/token", data={"grant_type": "password"})).json()["error"] == "unsupported_grant_type"
    bad = await client.post("/register", json={"redirect_uris": ["javascript:alert(1)"]})
    assert bad.json()["error"] == "invalid_redirect_uri"
    management = await client.get(info["registration_client_uri"].removeprefix("http://testserver"),
                                  headers={"Authorization": "Bearer wrong"})
    assert management.status_code == 401 and management.json()["error"] == "invalid_token"
    _, challenge = pkce()
    plain = await client.get(authorize_url(info["client_id"], challenge, code_challenge_method="plain"))
    assert query(plain.headers["location"])["error"] == "invalid_request"  # sent back in a redirect

    assert (await client.post("/revoke", data={"token": r.json()["access_token"],
                                               "client_id": info["client_id"]})).status_code == 200

    assert await _oauth_events(client) == {
        ("registration", ""): 1, ("grant", ""): 1, ("refresh", ""): 1, ("revocation", ""): 1,
        ("failure", "invalid_grant"): 1, ("failure", "invalid_client"): 1, ("failure", "unsupported_grant_type"): 1,
        ("failure", "invalid_redirect_uri"): 1, ("failure", "invalid_token"): 1, ("failure", "invalid_request"): 1,
    }


async def test_rate_limit_refusals_are_counted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.settings.rate_limit_register = 1
    await register(client)
    assert (await client.post("/register", json={})).status_code == 429
    events = await _oauth_events(client)
    assert events[("failure", "too_many_requests")] == 1 and events[("registration", "")] == 1
