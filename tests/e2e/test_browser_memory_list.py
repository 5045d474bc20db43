"""The memory list in a real browser: expiry and replacement at a glance, a search box whose hint fits, and a
replaced memory's page that does not announce itself as a success."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SCREENSHOTS, chromium, sign_up
from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e

# The placeholder's text width against the input's content box, in the input's own font.
PLACEHOLDER_FITS = """el => {
  const style = getComputedStyle(el);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: ctx.measureText(el.placeholder).width, room};
}"""


def add(page: Page, text: str, expires: str = "") -> None:
    page.get_by_label("What should your assistants remember?").fill(text)
    page.get_by_label("Expires").fill(expires)
    page.get_by_role("button", name="Save memory").click()
    expect(page.get_by_role("status")).to_contain_text("Memory saved.")  # and what it replaced, if anything


def test_the_list_shows_expiry_and_replacement_and_the_search_hint_fits(tmp_path: Path) -> None:
    until = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        sign_up(page, server.url, "lee@example.com")
        expect(page).to_have_url(server.url + "/dashboard")
        add(page, "I live in Bristol")
        add(page, "I moved to Bath")
        add(page, "My parking permit is number 4471", expires=until)
        saved_colour = page.get_by_role("status").evaluate("el => getComputedStyle(el).backgroundColor")

        moved = page.locator("tbody tr", has_text="I moved to Bath")
        expect(moved.locator(".badge-change")).to_be_visible()
        expect(moved.locator(".badge-change")).to_contain_text("changed from Bristol")
        permit = page.locator("tbody tr", has_text="parking permit")
        expect(permit.locator(".badge-expiry")).to_be_visible()
        expect(permit.locator(".badge-expiry")).to_have_text(f"expires {until}")
        expect(page.locator("tbody tr", has_text="Bristol").locator(".badge-expiry")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "memory-list-badges.png"), full_page=True)

        search = page.get_by_role("searchbox", name="Search")
        for width in (1200, 800, 390):
            page.set_viewport_size({"width": width, "height": 900})
            fit = search.evaluate(PLACEHOLDER_FITS)
            assert fit["text"] <= fit["room"], (width, fit)

        page.set_viewport_size({"width": 1200, "height": 900})
        moved.get_by_role("link", name=re.compile("Edit")).click()
        page.get_by_role("link", name="I live in Bristol").click()
        banner = page.locator("#replaced-notice")
        expect(banner).to_contain_text("No longer current")
        colour = banner.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour != saved_colour, "a replaced memory is shown in the success style"
        assert "notice" not in (banner.get_attribute("class") or "").split()
