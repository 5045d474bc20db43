"""The optional chat endpoint: answers it gives are used, anything else is None (the caller's local path stands)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jean_memory import llm
from jean_memory.settings import Settings
from tests.llm_server import ChatServer, chat_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    with chat_server() as server:
        yield server


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, llm_url=url, llm_api_key="sk-test", _env_file=None)  # type: ignore[call-arg]


async def test_a_replacement_verdict_is_read_from_the_reply(chat: ChatServer, tmp_path: Path) -> None:
    settings = settings_for(chat.url, tmp_path)
    chat.reply = lambda system, user: '```json\n{"replaces": true}\n```'
    assert await llm.confirm_replacement(settings, "I live in Munich now", "I live in Berlin") is True
    chat.reply = lambda system, user: '{"replaces": false}'
    assert await llm.confirm_replacement(settings, "I live in Munich now", "I live in Berlin") is False
    sent = chat.requests[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
    asked = sent["body"]["messages"][1]["content"]
    assert asked == "Older memory: I live in Berlin\nNewer memory: I live in Munich now"


@pytest.mark.parametrize("content", ['{"replaces": "yes"}', "Yes, it replaces it.", "[true]", "{" * 5000, None])
async def test_an_answer_that_is_not_a_verdict_is_none(chat: ChatServer, tmp_path: Path, content: str | None) -> None:
    chat.reply = lambda system, user: content
    assert await llm.confirm_replacement(settings_for(chat.url, tmp_path), "new", "old") is None


async def test_no_endpoint_or_a_dead_one_is_none(tmp_path: Path) -> None:
    assert await llm.confirm_replacement(settings_for("", tmp_path), "new", "old") is None
    with chat_server() as gone:
        url = gone.url
    assert await llm.confirm_replacement(settings_for(url, tmp_path), "new", "old") is None


async def test_a_slow_endpoint_holds_an_add_for_the_confirmation_timeout_only(
        chat: ChatServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "CONFIRM_TIMEOUT", 0.2)
    chat.delay = threading.Event()
    assert await llm.confirm_replacement(settings_for(chat.url, tmp_path), "new", "old") is None
