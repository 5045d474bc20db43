"""The OpenAPI document behind ``/api/docs``: a bearer scheme on every operation that needs a key (so the docs
page has an Authorize button and "Try it out" works), and an explicit, meaningful name for every operation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/api/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


async def test_every_api_operation_names_the_bearer_scheme_it_needs(client: httpx.AsyncClient,
                                                                    alice: Account) -> None:
    doc = await _document(client)
    schemes = doc["components"]["securitySchemes"]
    [(name, scheme)] = [(n, s) for n, s in schemes.items() if s.get("bearerFormat") == "jm_..."]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer" and "API key" in scheme["description"]
    api = {(m, p): op for p, ops in doc["paths"].items() for m, op in ops.items() if p.startswith("/api/v1/")}
    assert len(api) >= 13
    for (method, path), op in api.items():
        assert op.get("security") == [{name: []}], (method, path)
    for path in ("/status", "/livez", "/.well-known/oauth-authorization-server", "/token", "/register"):
        for op in doc["paths"][path].values():
            assert "security" not in op, path  # public, or authenticated by the OAuth client itself
    for method, op in doc["paths"]["/register/{client_id}"].items():  # RFC 7592: the registration access token
        [requirement] = op["security"]
        assert schemes[next(iter(requirement))]["scheme"] == "bearer", method
    assert "servers" not in doc  # "Try it out" calls the server that served the document
    # What Swagger UI sends after Authorize opens the API; without it, a 401 that says what to send.
    assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 200
    r = await client.get("/api/v1/memories")
    assert r.status_code == 401 and "Bearer jm_" in r.text


async def test_every_operation_has_an_explicit_id_and_summary(client: httpx.AsyncClient) -> None:
    """FastAPI's generated names are the function's and path's (``pr_metadata__well_known_..._get``, summary
    "Pr Metadata"); ours are camelCase ids and sentence-case summaries, one per operation."""
    operations = {(m, p): op for p, ops in (await _document(client))["paths"].items() for m, op in ops.items()}
    assert len(operations) >= 28
    for (method, path), op in operations.items():
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", op["operationId"]), (method, path, op["operationId"])
        words = op["summary"].split()
        assert words[0][0].isupper() and not all(w[0].isupper() for w in words[1:] or ["x"]), (method, path)
        assert op.get("description"), (method, path)
    ids = [op["operationId"] for op in operations.values()]
    assert len(ids) == len(set(ids))  # one name per operation (both protected-resource paths had one)
    summaries = [op["summary"] for op in operations.values()]
    assert len(summaries) == len(set(summaries))

