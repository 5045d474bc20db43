"""Every setting and every MCP tool is documented in the README."""

from __future__ import annotations

from pathlib import Path

from jean_memory.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
TOOLS = ["jean_memory", "add_memories", "search_memory", "list_memories", "update_memory", "delete_memories",
         "ask_memory", "deep_memory_query", "store_document", "get_document", "search", "fetch"]


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`JEAN_MEMORY_{name.upper()}`" not in README]
    assert missing == []


def test_every_mcp_tool_is_documented() -> None:
    assert [t for t in TOOLS if f"`{t}`" not in README] == []


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
