"""Unknown addresses: a browser gets the site's error page, every machine client gets JSON."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_a_browser_gets_a_page_for_an_unknown_address(client: httpx.AsyncClient) -> None:
    r = await client.get("/no/such/page", headers=BROWSER)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in r.text and 'href="/"' in r.text


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/.well-known/nothing", "/no/such/page"])
async def test_machine_clients_and_machine_paths_get_json(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path, headers=BROWSER if path != "/no/such/page" else {"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"] == "http_error"


async def test_a_post_to_an_unknown_address_gets_json(client: httpx.AsyncClient) -> None:
    r = await client.post("/no/such/page", headers=BROWSER, data={"a": "b"})
    assert r.status_code == 404 and r.json()["error"] == "http_error"


async def test_a_browser_opening_a_form_target_gets_a_page(client: httpx.AsyncClient) -> None:
    """``/dashboard/account/delete`` only takes POSTed forms; following a link to it is a 405, shown as a page."""
    r = await client.get("/dashboard/account/delete", headers=BROWSER)
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert "This page cannot be opened that way." in r.text and r.headers["allow"] == "POST"
