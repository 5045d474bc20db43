"""Connect an MCP client through OAuth in a real browser (login, consent, redirect back), see it under
connected apps, sign out of the site (the app keeps working), revoke it (its next /mcp call gets 401)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Route, expect

from tests.e2e.browser import SCREENSHOTS, chromium
from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e
CALLBACK = "http://127.0.0.1:9/callback"  # loopback redirect (port ignored at match time); the browser never leaves
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}}


def _mcp_status(url: str, token: str) -> int:
    r = httpx.post(f"{url}/mcp", json=INITIALIZE, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}, timeout=30)
    return r.status_code


def test_connect_an_app_then_revoke_it_in_the_dashboard(tmp_path: Path) -> None:
    email, password = "kim@example.com", "a long enough password"
    with running_server(tmp_path / "data") as server, chromium() as browser:
        assert server.cli("users", "create", "--email", email, "--password", password).returncode == 0
        reg = httpx.post(f"{server.url}/register", json={
            "client_name": "E2E Assistant", "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]})
        assert reg.status_code == 201, reg.text
        client_id = reg.json()["client_id"]
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        state = secrets.token_urlsafe(16)
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
                           "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
                           "resource": f"{server.url}/mcp", "scope": "memory:read memory:write",
                           "prompt": "consent"})

        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.set_default_timeout(20_000)
        landed: list[str] = []

        def capture(route: Route) -> None:
            landed.append(route.request.url)
            route.fulfill(status=200, body="connected")

        page.route("http://127.0.0.1:9/**", capture)
        page.goto(f"{server.url}/authorize?{query}")
        expect(page).to_have_url(f"{server.url}/login?next=" + page.url.split("next=", 1)[1])  # sent to sign in
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("E2E Assistant")  # back on the consent step
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "consent.png"), full_page=True)
        page.get_by_role("button", name="Allow").click()
        expect(page.locator("body")).to_have_text("connected")
        params = parse_qs(urlsplit(landed[0]).query)
        assert params["state"] == [state] and params["iss"] == [server.url]

        tokens = httpx.post(f"{server.url}/token", data={
            "grant_type": "authorization_code", "code": params["code"][0], "redirect_uri": CALLBACK,
            "client_id": client_id, "code_verifier": verifier, "resource": f"{server.url}/mcp"})
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
        assert _mcp_status(server.url, access) == 200

        page.goto(f"{server.url}/dashboard/apps")
        row = page.locator("tbody tr", has_text="E2E Assistant")
        expect(row).to_contain_text("127.0.0.1:9")

        # Signing out of the site leaves the connected app working.
        page.get_by_role("button", name="Sign out").click()
        assert _mcp_status(server.url, access) == 200
        # The site cookie never opens /mcp.
        cookie = {c["name"]: c["value"] for c in page.context.cookies()}
        assert httpx.post(f"{server.url}/mcp", json=INITIALIZE, cookies=cookie, headers={
            "Accept": "application/json, text/event-stream"}).status_code == 401

        page.goto(f"{server.url}/login?next=%2Fdashboard%2Fapps")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.once("dialog", lambda dialog: dialog.accept())  # the JS confirm(); the form works without it too
        page.locator("tbody tr", has_text="E2E Assistant").get_by_role("button", name="Disconnect").click()
        expect(page.get_by_role("status")).to_contain_text("App disconnected")
        expect(page.locator("tbody tr", has_text="E2E Assistant")).to_have_count(0)
        assert _mcp_status(server.url, access) == 401
        # An MCP bearer token never opens the dashboard.
        r = httpx.get(f"{server.url}/dashboard", headers={"Authorization": f"Bearer {access}"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
