"""Spaces in a real browser against a real server: the consent page's space picker (an app given only `work`
sees only work, read the way its requests read it), and sharing (the owner invites B as reader, B accepts and
finds the space on their Spaces page)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from jean_memory.accounts.api_keys import Principal
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.spaces.resolve import reach_for
from jean_memory.store import open_sqlite
from tests.e2e.browser import SCREENSHOTS, chromium
from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e
CALLBACK = "http://127.0.0.1:9/callback"  # loopback redirect; the browser never leaves (the route captures it)
PASSWORD = "a long enough password"


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/dashboard")


def _add(page: Page, text: str, space: str | None = None) -> None:
    page.get_by_label("What should your assistants remember?").fill(text)
    if space is not None:
        page.get_by_label("Space", exact=True).first.select_option(label=space)
    page.get_by_role("button", name="Save memory").click()
    expect(page.get_by_role("status")).to_have_text("Memory saved.")


def _seen_by_the_app(tmp_path: Path, email: str, client_id: str) -> tuple[list[str], list[str], list[str]]:
    """What the app's token reaches, read from the server's database the way every request reads it: (its spaces'
    names, the memories it lists, what a search for the personal memory finds)."""

    async def read() -> tuple[list[str], list[str], list[str]]:
        stores = open_sqlite(str(tmp_path / "data" / "jean_memory.sqlite3"))
        try:
            user = await stores.users.get_user_by_email(email)
            assert user is not None
            reach = await reach_for(stores, Principal(user.id, ("memory:read", "memory:write"), client_id, "oauth"))
            memory = MemoryService(stores, MiniLMEmbedder.shared())
            listed = [m.text for m in (await memory.list(reach)).items]
            found = [h.memory.text for h in await memory.search(reach, "what is my blood type")
                     if "blood" in h.memory.text]
            return [s.name for s in reach.spaces], listed, found
        finally:
            await stores.database.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs an event loop in this thread
        return thread.submit(asyncio.run, read()).result(timeout=120)


def test_consent_page_space_picker_gives_the_app_only_work(tmp_path: Path) -> None:
    email = "kim@example.com"
    with running_server(tmp_path / "data") as server, chromium() as browser:
        assert server.cli("users", "create", "--email", email, "--password", PASSWORD).returncode == 0
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.set_default_timeout(20_000)
        _sign_in(page, server.url, email)
        page.goto(f"{server.url}/dashboard/spaces")
        page.get_by_label("Name").fill("work")
        page.get_by_role("button", name="Create space").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("work")
        page.goto(f"{server.url}/dashboard")
        _add(page, "My blood type is 0 negative")
        _add(page, "Deploys go out on Tuesdays", space="work")
        expect(page.locator("tbody tr", has_text="Deploys").locator(".badge-space")).to_have_text("work")
        expect(page.locator("tbody tr", has_text="blood type").locator(".badge-space")).to_have_text("personal")

        reg = httpx.post(f"{server.url}/register", json={
            "client_name": "Work Assistant", "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]})
        assert reg.status_code == 201, reg.text
        client_id = reg.json()["client_id"]
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
                           "code_challenge": challenge, "code_challenge_method": "S256", "state": "s1",
                           "resource": f"{server.url}/mcp", "scope": "memory:read memory:write",
                           "prompt": "consent"})
        landed: list[str] = []

        def capture(route: Route) -> None:
            landed.append(route.request.url)
            route.fulfill(status=200, body="connected")

        page.route("http://127.0.0.1:9/**", capture)
        page.goto(f"{server.url}/authorize?{query}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Work Assistant")
        personal, work = page.get_by_role("checkbox", name="personal"), page.get_by_role("checkbox", name="work")
        expect(personal).to_be_checked()
        expect(work).to_be_checked()
        personal.uncheck()
        page.get_by_label("New memories go to").select_option(label="work")
        page.screenshot(path=str(SCREENSHOTS / "consent-spaces.png"), full_page=True)
        page.get_by_role("button", name="Allow").click()
        expect(page.locator("body")).to_have_text("connected")
        code = parse_qs(urlsplit(landed[0]).query)["code"][0]
        tokens = httpx.post(f"{server.url}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "client_id": client_id,
            "code_verifier": verifier, "resource": f"{server.url}/mcp"})
        assert tokens.status_code == 200, tokens.text
        assert _seen_by_the_app(tmp_path, email, client_id) == (["work"], ["Deploys go out on Tuesdays"], [])

        page.goto(f"{server.url}/dashboard/apps")
        row = page.locator("tbody tr", has_text="Work Assistant")
        expect(row.locator(".app-reach")).to_have_text("work")


def test_owner_invites_a_reader_who_accepts_in_the_browser(tmp_path: Path) -> None:
    owner, reader = "olga@example.com", "ben@example.com"
    with running_server(tmp_path / "data") as server, chromium() as browser:
        for email in (owner, reader):
            assert server.cli("users", "create", "--email", email, "--password", PASSWORD).returncode == 0
        a = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        b = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        for page in (a, b):
            page.set_default_timeout(20_000)
        _sign_in(a, server.url, owner)
        a.goto(f"{server.url}/dashboard/spaces")
        a.get_by_label("Name").fill("family")
        a.get_by_role("button", name="Create space").click()
        expect(a.get_by_role("heading", level=1)).to_have_text("family")
        a.get_by_label("Their e-mail").fill(reader)
        a.get_by_label("As", exact=True).select_option("reader")
        a.get_by_role("button", name="Invite", exact=True).click()
        expect(a.get_by_role("status")).to_contain_text("Invitation sent")
        expect(a.locator("table", has_text="Invited").locator("tbody tr")).to_contain_text(reader)

        _sign_in(b, server.url, reader)
        expect(b.locator("#invitations-notice")).to_contain_text("1 invitation")
        b.get_by_role("link", name="Spaces", exact=True).first.click()
        expect(b.locator(".invitations")).to_contain_text(f"{owner} invites you to the space family as reader")
        b.screenshot(path=str(SCREENSHOTS / "space-invitation.png"), full_page=True)
        b.get_by_role("button", name="Accept the invitation to family").click()
        expect(b.get_by_role("heading", level=1)).to_have_text("family")
        expect(b.get_by_role("status")).to_contain_text("Invitation accepted")
        b.goto(f"{server.url}/dashboard/spaces")
        row = b.locator("tbody tr", has_text="family")
        expect(row).to_contain_text(owner)
        expect(row).to_contain_text("reader")
        expect(b.locator(".invitations")).to_have_count(0)

        a.reload()
        expect(a.get_by_role("table").first.locator("tbody tr", has_text=reader)).to_contain_text("reader")
