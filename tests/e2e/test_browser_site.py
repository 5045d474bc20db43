"""A real browser against a real server: sign up, add, search, edit and delete memories, sign out and in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import SCREENSHOTS, chromium
from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e


def test_sign_up_and_manage_memories_in_the_browser(tmp_path: Path) -> None:
    email, password = "pat@example.com", "a long enough password"
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        page.goto(server.url + "/")
        expect(page.locator("#mcp-url")).to_have_value(server.url + "/mcp")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "landing.png"), full_page=True)

        page.get_by_role("link", name="Create an account").click()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=False).first.fill(password)
        page.get_by_label("Password again").fill(password)
        page.get_by_role("button", name="Create account").click()
        expect(page).to_have_url(server.url + "/dashboard")
        expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()

        for text, tags in [("My sister Anna lives in Berlin", "family"), ("I love hiking in the Alps", "hobby"),
                           ("My favourite tea is genmaicha", "food")]:
            page.get_by_label("What should your assistants remember?").fill(text)
            page.get_by_label("Tags").first.fill(tags)
            page.get_by_role("button", name="Save memory").click()
            expect(page.get_by_role("status")).to_have_text("Memory saved.")
        expect(page.locator("tbody tr")).to_have_count(3)

        page.get_by_role("searchbox", name="Search").fill("where does my sister live")
        page.get_by_role("searchbox", name="Search").press("Enter")
        expect(page.locator("tbody tr").first).to_contain_text("Anna lives in Berlin")
        page.goto(server.url + "/dashboard?tag=hobby")
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody tr").first).to_contain_text("hiking")
        page.goto(server.url + "/dashboard")
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

        row = page.locator("tbody tr", has_text="Anna lives in Berlin")
        row.get_by_role("link", name=re.compile("Edit")).click()
        page.get_by_label("Memory").fill("My sister Anna lives in Munich")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("status")).to_have_text("Memory updated.")
        expect(page.locator("tbody")).to_contain_text("Anna lives in Munich")
        expect(page.locator("tbody")).not_to_contain_text("Berlin")

        page.locator("tbody tr", has_text="genmaicha").get_by_role("button", name=re.compile("Delete")).click()
        expect(page.get_by_role("status")).to_have_text("Memory deleted.")
        expect(page.locator("tbody tr")).to_have_count(2)
        expect(page.locator("tbody")).not_to_contain_text("genmaicha")

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(server.url + "/")
        page.goto(server.url + "/dashboard")
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fdashboard$"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")  # the keyboard submits the form
        expect(page).to_have_url(server.url + "/dashboard")
        expect(page.locator("tbody tr")).to_have_count(2)
