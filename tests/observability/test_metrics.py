from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from jean_memory.observability.metrics import count_oauth, observe_tool, of
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio


def _parse(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def _value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for lab, v in samples.get(name, []) if all(lab.get(k) == w for k, w in labels.items()))


async def test_scrape_parses_and_counts_what_happened(client: httpx.AsyncClient, runtime: Runtime,
                                                      alice: Account) -> None:
    for text in ("I like green tea", "I live in Lisbon"):
        assert (await client.post("/api/v1/memories", json={"text": text}, headers=alice.headers)).status_code == 201
    assert (await client.get("/api/v1/memories/nope", headers=alice.headers)).status_code == 404
    assert (await client.get("/no/such/page/at/all")).status_code == 404
    count_oauth(runtime, "registration")
    count_oauth(runtime, "failure", "invalid_grant")
    count_oauth(runtime, "failure", "invalid_grant")
    observe_tool(runtime, "search_memory", 0.2)

    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    s = _parse(r.text)
    hist = "jean_memory_http_request_duration_seconds_count"
    assert _value(s, hist, route="/api/v1/memories", method="POST", status="201") == 2
    assert _value(s, hist, route="/api/v1/memories/{memory_id}", status="404") == 1
    assert _value(s, hist, route="unmatched") == 1  # random URLs never become label values
    assert not any("/no/such" in str(lab) for lab, _ in s[hist])
    assert _value(s, "jean_memory_oauth_events_total", event="failure", error="invalid_grant") == 2
    assert _value(s, "jean_memory_oauth_events_total", event="registration") == 1
    assert _value(s, "jean_memory_tool_duration_seconds_count", tool="search_memory") == 1
    assert _value(s, "jean_memory_tool_duration_seconds_bucket", tool="search_memory", le="0.25") == 1
    assert _value(s, "jean_memory_store_rows", store="memories") == 2
    assert _value(s, "jean_memory_store_rows", store="users") == 1
    assert _value(s, "jean_memory_store_bytes") > 0


async def test_each_app_has_its_own_registry(app: FastAPI, runtime: Runtime) -> None:
    from jean_memory.app import create_app

    other = create_app(runtime.settings, embedder=runtime.embedder)
    count_oauth(runtime, "grant")
    mine = runtime.extras["metrics"].registry
    theirs = of(other.state.runtime)
    await other.state.runtime.stores.database.close()
    assert theirs.registry is not mine
    assert mine.get_sample_value("jean_memory_oauth_events_total", {"event": "grant", "error": ""}) == 1
    assert theirs.registry.get_sample_value("jean_memory_oauth_events_total", {"event": "grant", "error": ""}) is None
    with pytest.raises(ValueError, match="unknown OAuth event"):
        count_oauth(runtime, "granted")


async def test_remote_scrapes_need_the_token(app: FastAPI, runtime: Runtime) -> None:
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as c:
        assert (await c.get("/metrics")).status_code == 404  # no token configured: loopback only
        runtime.settings.metrics_token = "scrape-secret-123"
        assert (await c.get("/metrics")).status_code == 401
        assert (await c.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        ok = await c.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
        assert ok.status_code == 200 and "jean_memory_store_rows" in ok.text
        # A loopback address in X-Forwarded-For from an untrusted peer does not make it local.
        spoof = await c.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
        assert spoof.status_code == 401
