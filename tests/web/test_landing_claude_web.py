"""The landing page says what Claude on the web needs when this server's address cannot serve it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jean_memory.embeddings import Embedder
from tests.web.helpers import site

pytestmark = pytest.mark.anyio
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://192.168.1.20:8765",
                                        "http://memory.example.com", "https://10.0.0.5", "https://nas.local"])
async def test_an_address_claude_on_the_web_cannot_reach_says_what_it_needs(tmp_path: Path, embedder: Embedder,
                                                                            public_url: str) -> None:
    async with site(tmp_path, embedder, public_url=public_url) as (_, client):
        landing = await client.get("/")
        assert landing.status_code == 200
        warning = re.search(r'<p class="warning" id="claude-web-needs">(.*?)</p>', landing.text, re.S)
        assert warning, landing.text
        assert "public https address" in warning[1] and "JEAN_MEMORY_PUBLIC_URL" in warning[1]
        assert "Paste this URL into Claude as a custom connector" not in landing.text
        link = re.search(r'<a href="(/[^"]+)">Connect Claude on the web</a>', warning[1])
        assert link, warning[1]
        help_page = await client.get(link[1])  # served here: works offline, no GitHub needed
        assert help_page.status_code == 200 and "<h1>Connect Claude on the web</h1>" in help_page.text
        start = README.index("## Connect Claude on the web\n")
        steps = README[start:README.index("\n## ", start)]
        for line in ("Claude on the web (claude.ai) reaches your server", "**A name.**", "**Upgrading.**"):
            assert line in steps and line in help_page.text.replace("&#34;", '"').replace("&#39;", "'")


async def test_a_public_https_address_is_offered_to_claude_on_the_web(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, public_url="https://memory.example.com") as (_, client):
        landing = await client.get("/")
        assert landing.status_code == 200 and "Paste this URL into Claude as a custom connector" in landing.text
        assert 'id="claude-web-needs"' not in landing.text and 'value="https://memory.example.com/mcp"' in landing.text
        assert (await client.get("/help/claude-on-the-web")).status_code == 200  # the steps, for the next server
