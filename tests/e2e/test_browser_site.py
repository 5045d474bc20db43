"""A real browser against a real server: sign up, add, search, edit and delete memories, sign out and in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.browser import SCREENSHOTS, chromium, sign_up
from tests.e2e.server import running_server
from tests.loopback import serve_http

pytestmark = pytest.mark.e2e


@contextmanager
def serve_page(html: str) -> Iterator[str]:
    """Another site on this host: a real loopback server on its own port answering every GET with ``html``."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        yield f"{url}/win-a-prize.html"


def watch_csp(page: Page) -> list[str]:
    """Console errors about the Content-Security-Policy (something a page needs was refused), as they come."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def test_sign_up_and_manage_memories_in_the_browser(tmp_path: Path) -> None:
    email, password = "pat@example.com", "a long enough password"
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        refused = watch_csp(page)
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
        expect(page.locator(".memory-text", has_text="Berlin")).to_have_count(0)  # history, not a current memory

        page.locator("tbody tr", has_text="genmaicha").get_by_role("button", name=re.compile("Delete")).click()
        expect(page.get_by_role("heading", name="Delete this memory?")).to_be_visible()  # asks first, no JS needed
        expect(page.get_by_role("listitem")).to_have_text("My favourite tea is genmaicha")
        page.get_by_role("button", name="Delete memory").click()
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
        assert refused == []  # the CSP lets every page of the site work as it is


def test_another_page_cannot_frame_the_dashboard(tmp_path: Path) -> None:
    """Clickjacking: a page on the same host (another port) frames /dashboard over a signed-in session; the
    browser refuses to show it, so there is nothing to click; and a click on Delete only asks."""
    with running_server(tmp_path / "data") as server, chromium() as browser, ExitStack() as stack:
        page = browser.new_page()
        page.set_default_timeout(20_000)
        sign_up(page, server.url, "sam@example.com")
        page.get_by_label("What should your assistants remember?").fill("My sister Anna lives in Berlin")
        page.get_by_role("button", name="Save memory").click()
        expect(page.locator("tbody tr")).to_have_count(1)

        attacker = stack.enter_context(serve_page(
            f'<h1>Click the button!</h1><iframe src="{server.url}/dashboard" width="900" height="600"></iframe>'))
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text):  # Chromium refused the frame
            page.goto(attacker)
        expect(page.frame_locator("iframe").locator("body")).not_to_contain_text("Anna")
        expect(page.frame_locator("iframe").get_by_role("button")).to_have_count(0)

        page.goto(server.url + "/dashboard")  # and unframed, one click on Delete deletes nothing yet
        page.get_by_role("button", name="Delete memory 1").click()
        expect(page.get_by_role("heading", name="Delete this memory?")).to_be_visible()
        page.get_by_role("link", name="Cancel").click()
        page.goto(server.url + "/dashboard")
        expect(page.locator("tbody tr")).to_have_count(1)


def test_api_docs_render_offline(tmp_path: Path) -> None:
    """/api/docs draws the REST API with Swagger UI from this server alone: no request leaves it (anything else
    is aborted and recorded), and the CSP refuses nothing."""
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(20_000)
        outside: list[str] = []

        def only_this_server(route: Route) -> None:
            if route.request.url.startswith(server.url + "/"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        refused = watch_csp(page)
        page.goto(server.url + "/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Jean Memory")
        expect(page.locator(".opblock-tag").first).to_be_visible()  # the operations were drawn
        page.locator(".opblock-summary").first.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
        assert outside == [] and refused == []


def test_api_docs_authorize_and_try_it_out(tmp_path: Path) -> None:
    """The first hour with the API docs: a key made on the dashboard, Authorize on /api/docs, then "Try it out"
    on listing memories and on search answers 200 with the memory (it answered 401: there was no Authorize)."""
    with running_server(tmp_path / "data") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.set_default_timeout(20_000)
        refused = watch_csp(page)
        sign_up(page, server.url, "ada@example.com")
        page.get_by_label("What should your assistants remember?").fill("My sister Anna lives in Berlin")
        page.get_by_role("button", name="Save memory").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        page.goto(server.url + "/dashboard/keys")
        page.get_by_label("Name").fill("API docs")
        page.get_by_role("button", name="Create key").click()
        secret = page.get_by_label("New API key").input_value()
        assert secret.startswith("jm_")

        page.goto(server.url + "/api/docs")
        page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
        key_form = page.locator(".dialog-ux .auth-container").filter(has_text="personalApiKey")
        key_form.get_by_label("auth-bearer-value").fill(secret)
        key_form.get_by_role("button", name="Apply credentials").click()
        key_form.get_by_role("button", name="Close").click()

        listing = page.locator("#operations-memories-listMemories")
        listing.locator(".opblock-summary").click()
        listing.get_by_role("button", name="Try it out").click()
        listing.get_by_role("button", name="Execute").click()
        expect(listing.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
        expect(listing.locator(".live-responses-table")).to_contain_text("Anna lives in Berlin")

        search = page.locator("#operations-memories-searchMemories")
        search.locator(".opblock-summary").click()
        search.get_by_role("button", name="Try it out").click()
        search.locator("tr[data-param-name=q] input").fill("where does my sister live")
        search.get_by_role("button", name="Execute").click()
        expect(search.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
        expect(search.locator(".live-responses-table")).to_contain_text("Anna lives in Berlin")
        page.screenshot(path=str(SCREENSHOTS / "api-docs-try-it-out.png"), full_page=True)
        assert refused == []
