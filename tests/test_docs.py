"""Every setting and every MCP tool is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from jean_memory.mcp_server.server import build_server
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`JEAN_MEMORY_{name.upper()}`" not in README]
    assert missing == []


@pytest.mark.anyio
async def test_every_mcp_tool_is_documented(runtime: Runtime) -> None:
    """The tools come from the server itself, built as ``/mcp`` builds it: a new tool fails here until documented."""
    tools = [t.name for t in await build_server(runtime).list_tools()]
    assert len(tools) >= 12
    assert [t for t in tools if f"`{t}`" not in README] == []


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
