"""Produce the README's MCP transcript by running the real tools: a new conversation, a save, a recall a week later.

    .venv/bin/python scripts/mcp_transcript.py > /tmp/transcript.md

Uses a throw-away SQLite database, the real embedder, the real app and the SDK client over Streamable HTTP
(in-process). The "week later" memories are back-dated through the memory service so the dates read naturally.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client

from jean_memory.accounts.api_keys import create_api_key
from jean_memory.app import create_app
from jean_memory.settings import Settings

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("Monday. First message of a new conversation in Claude", "jean_memory", {
        "user_message": "Hi! I'm Maya. I live in Lisbon and I work as a night-shift nurse. I'm vegetarian. "
                        "Can you suggest something quick for dinner before my shift?",
        "is_new_conversation": True}),
    ("Same conversation: the user shares a plan", "jean_memory", {
        "user_message": "Also, my sister Ana is visiting from Porto on the 14th, so I need a second bed by then.",
        "depth": 0}),
    ("Explicit save of a preference the assistant noticed", "add_memories", {
        "text": "Maya prefers recipes that take under 20 minutes", "tags": ["food"]}),
    ("A week later, a new conversation in another app", "jean_memory", {
        "user_message": "What could I cook for my sister when she comes over?", "is_new_conversation": True}),
]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), public_url="http://127.0.0.1:8765",  # type: ignore[call-arg]
                            _env_file=None)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            user = await runtime.stores.users.create_user("maya@example.com", None)
            _, key = await create_api_key(runtime.stores, user.id, "transcript")
            print("```text")
            for title, tool, args in CALLS:
                if title.startswith("A week later"):
                    await _age(runtime, user.id, 7 * 24 * 3600)
                http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8765",
                                          headers={"Authorization": f"Bearer {key}"}, timeout=60)
                async with http, Client(streamable_http_client("http://127.0.0.1:8765/mcp", http_client=http),
                                        mode="legacy") as client:
                    result = await client.call_tool(tool, args)
                print(f"## {title}\n→ {tool}({json.dumps(args, ensure_ascii=False)})\n← {_text(result)}\n")
            print("```")


async def _age(runtime: Any, user_id: str, seconds: float) -> None:
    """Re-insert every memory back-dated by ``seconds`` (export, delete, import keeps text, tags and client)."""
    records = [r async for r in runtime.memory.export(user_id)]
    await runtime.memory.delete_all(user_id)
    for r in records:
        r["created_at"] = r["updated_at"] = (r.get("created_at") or time.time()) - seconds
    await runtime.memory.import_records(user_id, records)


def _text(result: Any) -> str:
    return "\n  ".join("\n".join(getattr(c, "text", "") for c in result.content).splitlines())


if __name__ == "__main__":
    asyncio.run(main())
