"""Current truth against a real server: the MCP SDK client over a socket, and undo in a real browser.

A changed fact puts the current value first and marks the stale one; an unrelated fact stays current;
``include_history`` shows the past; an expired memory stops coming back; the dashboard's Changes page undoes a
replacement in Chromium.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from playwright.sync_api import expect

from tests.e2e.browser import chromium, sign_up
from tests.e2e.server import running_server
from tests.mcp_server.conftest import data

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]


@asynccontextmanager
async def mcp(url: str, key: str, mode: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=mode) as client:
        yield client


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_change_an_unrelated_fact_history_and_expiry_over_mcp(tmp_path: Path, mode: str) -> None:
    with running_server(tmp_path / "data") as server:
        assert server.cli("users", "create", "--email", "t@example.com", "--no-password").returncode == 0
        key = server.cli("keys", "create", "--email", "t@example.com").stdout.decode().strip().splitlines()[-1]
        # A trip that ended yesterday, from an export: expired as it arrives.
        ended = {"type": "memory", "text": "I am staying at the Hotel Lutetia in Paris",
                 "expires_at": time.time() - 86400}
        imported = server.cli("import", "--email", "t@example.com", input=json.dumps(ended).encode() + b"\n")
        assert imported.returncode == 0, imported.stderr
        async with mcp(server.url, key, mode) as s:
            old = data(await s.call_tool("add_memories", {"text": "My sister Anna lives in Berlin, Germany"}))
            await s.call_tool("add_memories", {"text": ["My friend Tom also lives in Berlin",
                                                        "I like green tea in the morning"]})
            new = data(await s.call_tool("add_memories", {"text": "My sister Anna lives in Munich now"}))
            await s.call_tool("add_memories", {"text": "I like coffee after lunch too"})
            old_id, new_id = old["saved"][0]["id"], new["saved"][0]["id"]
            assert [m["id"] for m in new["replaced"]] == [old_id]

            found = data(await s.call_tool("search_memory", {"query": "where does my sister live"}))["results"]
            assert found[0]["id"] == new_id and found[0]["superseded_by"] is None
            assert old_id not in [r["id"] for r in found]
            tom = data(await s.call_tool("search_memory", {"query": "Tom Berlin"}))["results"]
            assert tom[0]["text"] == "My friend Tom also lives in Berlin" and tom[0]["superseded_by"] is None
            tea = data(await s.call_tool("search_memory", {"query": "green tea"}))["results"]
            assert tea[0]["text"] == "I like green tea in the morning" and tea[0]["superseded_by"] is None

            past = data(await s.call_tool("search_memory", {"query": "where does my sister live",
                                                            "include_history": True}))["results"]
            stale = next(r for r in past if r["id"] == old_id)
            assert stale["superseded_by"] == new_id and stale["valid_until"]

            hotel = data(await s.call_tool("search_memory", {"query": "Hotel Lutetia Paris"}))["results"]
            assert "Lutetia" not in json.dumps(hotel)
            hotel = data(await s.call_tool("search_memory", {"query": "Hotel Lutetia Paris",
                                                             "include_history": True}))["results"]
            assert hotel[0]["text"].startswith("I am staying at the Hotel Lutetia") and hotel[0]["expires_at"]


def test_undo_a_replacement_on_the_changes_page(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        sign_up(page, server.url, "u@example.com")
        for text in ("My sister Anna lives in Berlin", "My sister Anna lives in Munich now"):
            page.get_by_label("What should your assistants remember?").fill(text)
            page.get_by_role("button", name="Save memory").click()
            expect(page.get_by_role("status")).to_be_visible()
        expect(page.locator("tbody tr")).to_have_count(1)  # Berlin is history now
        expect(page.locator("tbody")).to_contain_text("Munich")

        page.get_by_role("link", name="Changes").click()
        row = page.locator("tbody tr", has_text="Anna lives in Berlin")
        expect(row).to_contain_text("Anna lives in Munich now")
        row.get_by_role("button", name="Undo").click()
        expect(page.get_by_role("status")).to_contain_text("current again")
        expect(page.get_by_text("No changes yet.")).to_be_visible()

        page.goto(server.url + "/dashboard")
        expect(page.locator("tbody tr")).to_have_count(2)
        expect(page.locator("tbody")).to_contain_text("Berlin")


def test_the_dashboard_says_what_an_add_did_and_confirm_and_dismiss_work(tmp_path: Path) -> None:
    """Issue 19: an add says what it replaced or flagged; the Changes page confirms and dismisses flags."""
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        sign_up(page, server.url, "f@example.com")

        def save(text: str) -> None:
            page.get_by_label("What should your assistants remember?").fill(text)
            page.get_by_role("button", name="Save memory").click()
            expect(page.get_by_role("status")).to_be_visible()

        save("My sister Anna lives in Berlin")
        save("My sister Anna lives in Munich now")
        expect(page.get_by_role("status")).to_contain_text("replaced")
        expect(page.get_by_role("status")).to_contain_text("Anna lives in Berlin")
        save("Default browser: Chrome")
        save("Firefox is my main browser now")
        expect(page.get_by_role("status")).to_contain_text("may be outdated")
        save("I live in Leeds")
        save("I live in York")
        expect(page.get_by_role("status")).to_contain_text("I live in Leeds")

        page.get_by_role("link", name="Changes").click()
        flags = page.locator("#flags tbody tr")
        expect(flags).to_have_count(2)
        flags.filter(has_text="Default browser: Chrome").get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("status")).to_contain_text("Confirmed")
        expect(page.locator("#flags tbody tr")).to_have_count(1)
        page.locator("#flags tbody tr", has_text="I live in Leeds").get_by_role("button", name="Dismiss").click()
        expect(page.get_by_role("status")).to_contain_text("Dismissed")
        expect(page.get_by_text("Nothing to decide.")).to_be_visible()
        expect(page.locator("tbody tr", has_text="Default browser: Chrome")).to_contain_text("Firefox")

        page.goto(server.url + "/dashboard")
        listed = page.locator("tbody")
        expect(listed).to_contain_text("I live in Leeds")  # dismissed: both current
        expect(listed).to_contain_text("I live in York")
        # confirmed: history; it shows only as what the Firefox memory changed from
        chrome = page.locator("tbody tr", has_text="Default browser: Chrome")
        expect(chrome).to_have_count(1)
        expect(chrome).to_contain_text("Firefox is my main browser now")
