"""With ``JEAN_MEMORY_LLM_URL`` set, the replacements the local judgment is unsure of are put to the LLM (a real
HTTP endpoint on loopback, scripted): its answer wins either way; without one, or when it fails, the local one
stands. Sure verdicts are never sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jean_memory.judge import supersede
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import Account
from tests.llm_server import ChatServer, chat_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    with chat_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, chat: ChatServer) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="http://testserver", llm_url=chat.url,
                    _env_file=None)  # type: ignore[call-arg]


def asked(chat: ChatServer) -> list[str]:
    return [r["body"]["messages"][1]["content"] for r in chat.requests]


async def current(runtime: Runtime, user: Account) -> set[str]:
    return {m.text for m in (await runtime.memory.list(user.user_id, limit=50)).items}


async def test_the_llm_can_overrule_a_doubtful_replacement(runtime: Runtime, alice: Account, chat: ChatServer) -> None:
    old, new = "I live in Berlin", "I live in Munich"
    assert supersede.judge(new, old).replaces  # locally: replaced, but doubtful (no sign it changed)
    chat.reply = lambda system, user: json.dumps({"replaces": False})
    await runtime.memory.add(alice.user_id, old)
    [result] = await runtime.memory.add(alice.user_id, new)
    assert result.replaced == () and await current(runtime, alice) == {old, new}
    assert asked(chat) == [f"Older memory: {old}\nNewer memory: {new}"]


async def test_the_llm_can_confirm_what_the_rules_would_not(runtime: Runtime, alice: Account, chat: ChatServer) -> None:
    old, new = "Team standup is at 9am", "Team standup is at 10am on Fridays"
    local = supersede.judge(new, old, similarity=0.89)
    assert not local.replaces and local.doubtful
    chat.reply = lambda system, user: json.dumps({"replaces": True})
    await runtime.memory.add(alice.user_id, old)
    [result] = await runtime.memory.add(alice.user_id, new)
    assert [m.text for m in result.replaced] == [old] and await current(runtime, alice) == {new}


async def test_sure_verdicts_are_not_sent(runtime: Runtime, alice: Account, chat: ChatServer) -> None:
    chat.reply = lambda system, user: json.dumps({"replaces": True})
    await runtime.memory.add(alice.user_id, ["I have a cat named Tom", "My sister lives in Rome"])
    await runtime.memory.add(alice.user_id, "My favourite dish is paella")
    assert chat.requests == [] and len(await current(runtime, alice)) == 3


async def test_a_failing_llm_leaves_the_local_verdict(runtime: Runtime, alice: Account, chat: ChatServer) -> None:
    chat.reply = lambda system, user: None  # a 500
    await runtime.memory.add(alice.user_id, "I live in Berlin")
    [result] = await runtime.memory.add(alice.user_id, "I live in Munich")  # no change cue: doubtful, a flag
    assert len(chat.requests) == 1
    assert result.replaced == () and [m.text for m in result.flagged] == ["I live in Berlin"]
    assert await current(runtime, alice) == {"I live in Munich", "I live in Berlin"}
