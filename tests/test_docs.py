"""Every setting and every MCP tool is documented in the README."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from jean_memory.mcp_server.server import build_server
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_quick_start_names_its_prerequisites_and_every_supported_python() -> None:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = map(int, re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec).groups())  # type: ignore[union-attr]
    quick = README.split("## Quick start")[1].split("\n## ")[0]
    assert [f"3.{m}" for m in range(low, high) if f"3.{m}" not in quick] == []
    assert "`make`" in quick and "Node.js" in quick and "apt" in quick and "root" in quick
    makefile = (ROOT / "Makefile").read_text()
    assert f"(3, {low}) <= sys.version_info[:2] <= (3, {high - 1})" in makefile


def test_api_key_header_examples_are_valid_json() -> None:
    section = README.split("**With an API key instead of OAuth.**")[1].split("\n## ")[0]
    examples = [json.loads(snippet) for snippet in re.findall(r"`(\{[^`]*\})`", section)]
    assert len(examples) == 3 and all("Bearer" in json.dumps(e) for e in examples)
    assert "--header" in section and "Claude custom connector" in section
