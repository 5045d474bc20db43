"""Debian's Chromium through Playwright (never Playwright's own download), for the site's browser tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The browser tests take screenshots on the way; they land in a scratch folder unless SCREENSHOTS_DIR names one
# (`make screenshots` sets it to docs/screenshots, the ones the README shows), so a test run leaves the tree clean.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "jean-memory-screenshots")
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_up(page: Page, base_url: str, email: str, password: str = "a long enough password") -> None:
    """Create a site account through the sign-up form (the browser is then signed in)."""
    page.goto(base_url + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=False).first.fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create account").click()
