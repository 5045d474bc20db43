"""Time questions over the real SDK client: a memory about a date is found by that date."""

from __future__ import annotations

import pytest

from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data

pytestmark = pytest.mark.anyio


async def test_what_do_i_have_next_week_returns_the_dentist(connect: Connect, alice: Account) -> None:
    """Saved today, "next Tuesday" is resolved to the Tuesday of next week, whatever today is; the question is
    about nothing but next week, and nothing was saved then: the dentist is found by its date."""
    async with connect(alice) as s:
        await s.call_tool("add_memories", {"text": ["I take my coffee black", "My sister lives in Berlin"]})
        saved = data(await s.call_tool("add_memories", {"text": "Dentist appointment next Tuesday with Dr Roux"}))
        dentist = saved["saved"][0]["id"]
        await s.call_tool("add_memories", {"text": "I am learning the piano"})
        found = data(await s.call_tool("search_memory", {"query": "what do I have next week"}))
    assert [r["id"] for r in found["results"]] == [dentist]
