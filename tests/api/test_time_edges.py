"""Times and filters at the edges (issue 20): year 1, year 9999, huge numbers, NUL. A clear 4xx or a result on every
backend, never a 500: ``since=0001-01-01`` (no zone) used to raise in ``datetime.timestamp``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.settings import Settings
from tests.conftest import Account, make_account
from tests.web.helpers import login

pytestmark = pytest.mark.anyio
OUT_OF_RANGE = "must be between 1970 and 9999"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_app(request: pytest.FixtureRequest, settings: Settings, embedder: MiniLMEmbedder
                  ) -> AsyncIterator[FastAPI]:
    if request.param == "postgres":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("postgres_url")})
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def edge(any_app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, Account]]:
    account = await make_account(any_app.state.runtime, "edges@example.com")
    await any_app.state.runtime.memory.add(account.user_id, "I drink green tea", created_at=1.7e9)
    transport = httpx.ASGITransport(app=any_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, account


EDGES = [  # (field, value, status, in the answer)
    ("since", "0001-01-01", 400, OUT_OF_RANGE),
    ("until", "0001-01-01", 400, OUT_OF_RANGE),
    ("since", "0001-01-01T00:00:00", 400, OUT_OF_RANGE),
    ("until", "0001-01-01T12:30:00", 400, OUT_OF_RANGE),
    ("since", "1969-12-31T23:59:59", 400, OUT_OF_RANGE),
    ("since", "0001-01-01T00:00:00-23:59", 400, OUT_OF_RANGE),
    ("until", "9999-12-31T23:59:59+14:00", 200, "[]"),
    ("until", "9999-12-31", 200, "green tea"),
    ("until", "9999-12-31T23:59:59", 200, "green tea"),
    ("since", "9999-12-31T23:59:59", 200, "[]"),
    ("since", "2023-11-14T22:13:19", 200, "green tea"),  # 1.7e9 - 1 s, no zone: UTC, as the MCP tools read it
    ("since", "2023-11-14T22:13:21", 200, "[]"),
    ("since", "1" * 400, 422, "since"),
]
FILTERS = ("/dashboard?app=%00", "/dashboard?app=a%00b&q=tea", "/dashboard?tag=a%00", "/dashboard?q=t%00ea",
           "/dashboard?app=" + "x" * 5000, "/dashboard?cursor=" + "9" * 500, "/dashboard/documents?page=" + "9" * 30)


async def test_times_and_filters_at_the_edges_are_a_result_or_a_clear_error(edge: tuple[httpx.AsyncClient, Account]
                                                                           ) -> None:
    client, account = edge
    for name, value, status, expected in EDGES:
        r = await client.get("/api/v1/search", params={"q": "tea", name: value}, headers=account.headers)
        assert r.status_code == status and expected in r.text, (name, value, r.text)
        r = await client.post("/api/v1/search", json={"query": "tea", name: value}, headers=account.headers)
        assert r.status_code == status and expected in r.text, (name, value, r.text)
    await login(client, account.email, account.password)
    for url in FILTERS:  # the app filter with a NUL reached PostgreSQL: a DataError, a 500
        r = await client.get(url)
        assert r.status_code in (200, 400), (url, r.status_code, r.text[-500:])
