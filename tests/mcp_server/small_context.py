"""How often ``jean_memory``'s context holds the memory that answers a message, on the small everyday stores of
``tests/memory/small_stores*.json`` (each question of a picked fact is a message; its fact must be anywhere in the
returned context: profile, relevant or recent). Through the real tool over the real SDK client."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jean_memory.runtime import Runtime
from tests.conftest import make_account
from tests.mcp_server.conftest import Connect, data
from tests.memory.test_small_stores import _fill

SECTIONS = ("saved", "already_known", "profile", "relevant", "recent")


@dataclass
class Rate:
    hits: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / max(1, self.hits + len(self.misses))


def shown_ids(result: dict[str, Any]) -> set[str]:
    return {m["id"] for name in SECTIONS for m in result.get(name, [])}


async def context_rates(connect: Connect, runtime: Runtime, path: Path,
                        calls: dict[str, dict[str, Any]]) -> dict[str, Rate]:
    """For each named set of tool arguments (``depth``, ``is_new_conversation``): the share of questions whose
    fact the context holds."""
    spec = json.loads(path.read_text())
    facts = spec["facts"]
    rates = {name: Rate() for name in calls}
    for n, store in enumerate(spec["stores"]):
        account = await make_account(runtime, f"{n}-{store['name']}@small.test")
        ids = await _fill(runtime.memory, account.user_id, store, facts)
        async with connect(account) as s:
            for (slot, _), mid in zip(store["memories"], ids, strict=True):
                for question in facts[slot]["questions"]:
                    for name, args in calls.items():
                        result = data(await s.call_tool("jean_memory", {"user_message": question, **args}))
                        if mid in shown_ids(result):
                            rates[name].hits += 1
                        else:
                            rates[name].misses.append(f"{store['name']}: {question!r}")
    return rates
