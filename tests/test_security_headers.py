"""Every HTML page, whatever route serves it, carries the CSP, no-framing, nosniff, Referrer-Policy and no-store
headers; the routes are read from the app, so a page added later is checked without touching this file."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.oauth.conftest import pkce
from tests.oauth.flows import authorize_url, register
from tests.web.helpers import login, post_form

pytestmark = pytest.mark.anyio

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
STREAMING = ("/mcp",)  # a GET there may open an event stream; it answers JSON or SSE, never a page


def assert_page_headers(r: httpx.Response) -> None:
    where = f"{r.request.method} {r.request.url.path} -> {r.status_code}"
    csp = r.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("default-src") == ["'self'"] and directives.get("script-src") == ["'self'"], where
    assert "'unsafe-inline'" not in csp and not re.search(r"https?:|\*", csp), where  # no third-party origins
    assert r.headers.get("x-frame-options") == "DENY", where
    assert r.headers.get("cache-control") == "no-store", where
    assert_every_response(r)


def assert_every_response(r: httpx.Response) -> None:
    where = f"{r.request.method} {r.request.url.path} -> {r.status_code}"
    assert r.headers.get("x-content-type-options") == "nosniff", where
    assert r.headers.get("referrer-policy") == "same-origin", where


def routes(items: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, with included routers opened up (FastAPI wraps them; none of ours has a prefix)."""
    for route in items:
        inner = getattr(route, "original_router", None)
        yield from routes(inner.routes) if inner is not None else [route]


def get_paths(app: FastAPI, params: dict[str, str]) -> list[str]:
    """Every GET route of the app with its path parameters filled in (Mounts: one file under /static)."""
    paths = []
    for route in routes(app.routes):
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or ()
        if "GET" in methods and not path.startswith(STREAMING):
            paths.append(re.sub(r"{(\w+)(:\w+)?}", lambda m: params.get(m.group(1), "no-such-id"), path))
        elif isinstance(route, Mount) and route.path == "/static":
            paths.append("/static/site.css")
    return paths


async def test_every_html_page_gets_the_security_headers(app: FastAPI, client: httpx.AsyncClient, alice: Account,
                                                        runtime: Runtime) -> None:
    [added] = await runtime.memory.add(alice.user_id, "My sister Anna lives in Berlin")
    doc = await runtime.memory.store_document(alice.user_id, "Notes", "The boat is at pier 9.")
    params = {"memory_id": added.memory.id, "document_id": doc.id, "slug": "no-such-provider"}
    paths = get_paths(app, params)
    assert {"/", "/login", "/dashboard", "/dashboard/account", "/api/docs", "/favicon.ico"} <= set(paths)

    pages: set[str] = set()
    for signed_in in (False, True):
        if signed_in:
            assert (await login(client, alice.email, alice.password)).status_code == 303
        for path in paths:
            r = await client.get(path, headers=BROWSER)
            assert r.status_code < 500, (path, r.status_code)
            if r.headers.get("content-type", "").startswith("text/html"):
                pages.add(path)
                assert_page_headers(r)
            else:
                assert_every_response(r)
    # the routes above really rendered pages: the site, the dashboard (signed in) and the API docs
    assert {"/", "/login", "/signup", "/logout", "/dashboard", "/dashboard/apps", "/dashboard/keys",
            "/dashboard/documents", "/dashboard/account", f"/dashboard/memories/{added.memory.id}",
            f"/dashboard/documents/{doc.id}", "/api/docs"} <= pages

    # pages answering a POST, error pages, and the MCP consent page
    r = await post_form(client, "/dashboard", "/dashboard/memories", {"text": "   "})
    assert r.status_code == 400
    assert_page_headers(r)
    assert_page_headers(await client.get("/no/such/page", headers=BROWSER))
    verifier, challenge = pkce()
    info = await register(client)
    consent = await client.get(authorize_url(info["client_id"], challenge), follow_redirects=True)
    assert consent.status_code == 200 and 'name="decision"' in consent.text
    assert_page_headers(consent)


async def test_a_handlers_own_cache_control_is_kept(client: httpx.AsyncClient) -> None:
    r = await client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.headers["cache-control"].startswith("public") and r.content[:4] == b"\x00\x00\x01\x00"
    assert_every_response(r)
    assert "content-security-policy" not in r.headers  # only pages get the page headers


async def test_api_docs_load_swagger_ui_from_this_server(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        r = await client.get(source)
        assert r.status_code == 200, source
    assert "SwaggerUIBundle" in (await client.get("/api/docs/assets/swagger-ui-bundle.js")).text
