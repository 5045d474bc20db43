"""Import (issue 20) on every backend: a bad field on any line stores nothing, and the cost is linear in the lines."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.errors import InvalidInput
from jean_memory.memory.service import MemoryService
from jean_memory.store import Stores
from jean_memory.store.records import Filters

pytestmark = pytest.mark.anyio
GOOD = {"type": "memory", "id": "a", "text": "I keep my passport in the blue folder", "superseded_by": None}
VERSION = {"type": "memory", "id": "b", "text": "I kept my passport in the red folder", "superseded_by": "a",
           "valid_until": 1.7e9}


class CountingMemories:
    """The real memory store, counting its calls and the rows its reads return."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            result = await attr(*args, **kwargs)
            if isinstance(result, list | dict):
                self.rows[name] += len(result)
            return result

        return counted


async def _everything(stores: Stores, user_id: str) -> list[Any]:
    return [*await stores.memories.page(user_id, 100, None, Filters(include_history=True)),
            *await stores.documents.list_documents(user_id, 100, 0)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({**GOOD, "id": "c", "client_id": 7}, "line 3: client_id must be a string or null, not int"),
        ({**GOOD, "id": "c", "client_id": {"a": 1}}, "line 3: client_id must be a string or null, not dict"),
        ({**GOOD, "id": "c", "client_id": "app\ud800"}, "line 3: client_id is not valid Unicode text"),
        ({**GOOD, "id": "c", "client_id": "app\x00"}, "line 3: client_id contains a NUL character"),
        ({**GOOD, "id": "c", "client_id": "x" * 256}, "line 3: client_id is 256 characters; the limit is 255"),
        ({**VERSION, "id": "c", "replaced_value": "Berlin\udfff"}, "line 3: replaced_value is not valid Unicode"),
        ({**VERSION, "id": "c", "replaced_value": "Ber\x00lin"}, "line 3: replaced_value contains a NUL"),
        ({**VERSION, "id": "c\x00"}, "line 3: id contains a NUL character"),
        ({**VERSION, "id": "c", "superseded_by": "a\ud800"}, "line 3: superseded_by is not valid Unicode"),
        ({**GOOD, "id": "c", "dates": [{"phrase": "May\ud800", "start": "2025-05-01", "end": "2025-05-31"}]},
         "line 3: dates[0].phrase is not valid Unicode"),
        ({**GOOD, "id": "c", "dates": [{"phrase": "May", "start": 1, "end": "2025-05-31"}]},
         "line 3: dates[0].start must be a string"),
        ({**GOOD, "id": "c", "dates": "May"}, "line 3: dates must be a list"),
        ({**GOOD, "id": "c", "created_at": 10**400}, "line 3: created_at must be between 1970 and 9999"),
        ({"type": "document", "title": "t", "content": "c", "client_id": 7},
         "line 3: client_id must be a string or null"),
        ({"type": "document", "title": "t", "content": "c", "client_id": "\ud800"},
         "line 3: client_id is not valid Unicode"),
    ],
)
async def test_a_bad_field_on_any_line_imports_nothing(stores: Stores, embedder: MiniLMEmbedder,
                                                       line: dict[str, Any], message: str) -> None:
    user = await stores.users.create_user("import-bad@example.com", None)
    service = MemoryService(stores, embedder)
    with pytest.raises(InvalidInput) as raised:
        await service.import_records(user.id, [GOOD, VERSION, line, {**GOOD, "id": "d", "text": "later"}])
    assert message in raised.value.message and "nothing was imported" in raised.value.message
    assert await _everything(stores, user.id) == []


def _star_and_chain(n: int) -> list[dict[str, Any]]:
    """A memory edited ``n`` times (every old text replaced by the current one, as ``update`` keeps them) and a
    memory replaced ``n`` times over (each version replaced by the next), as ``export`` writes them."""
    star = [{"type": "memory", "id": f"s{i}", "text": f"star note version {i}", "superseded_by": "s",
             "created_at": 1.6e9 + i, "valid_until": 1.6e9 + i + 1} for i in range(n)]
    chain = [{"type": "memory", "id": f"c{i}", "text": f"chain note version {i}", "superseded_by": f"c{i + 1}",
              "created_at": 1.6e9 + i, "valid_until": 1.6e9 + i + 1} for i in range(n)]
    return [*star, {"type": "memory", "id": "s", "text": "star note, the current version", "superseded_by": None},
            *chain, {"type": "memory", "id": f"c{n}", "text": "chain note, the current version",
                     "superseded_by": None}]


async def test_import_cost_is_linear_in_the_versions_of_a_memory(stores: Stores, embedder: MiniLMEmbedder) -> None:
    n = 2000
    user = await stores.users.create_user("import-scale@example.com", None)
    counting = CountingMemories(stores.memories)
    service = MemoryService(dataclasses.replace(stores, memories=counting), embedder)
    done: list[int] = []
    counts = await service.import_records(user.id, _star_and_chain(n), lambda d, _: done.append(d))
    assert counts == {"memories": 2 * n + 2, "duplicates": 0, "documents": 0, "duplicate_documents": 0}
    assert done[-1] == 2 * n + 2
    # Reading and keying each memory's versions once per version read n * n / 2 rows (2 million here).
    assert sum(counting.rows.values()) - counting.rows["insert"] <= 2 * n + 2, counting.rows
    assert sum(counting.calls.values()) <= 60, counting.calls  # a few per 256 lines (it made 4 per line)
    current = {m.text: m for m in await stores.memories.page(user.id, 10, None, Filters())}
    assert len(current) == 2
    assert len(await stores.memories.predecessors(user.id, [current["star note, the current version"].id])) == n
    chain = await stores.memories.versions(user.id, current["chain note, the current version"].id, 2 * n)
    assert [m.text for m in chain[:3]] == ["chain note, the current version", f"chain note version {n - 1}",
                                           f"chain note version {n - 2}"] and len(chain) == n + 1
    # Importing it again finds every version already there, reading each memory's versions once.
    counting.calls.clear()
    counting.rows.clear()
    again = await service.import_records(user.id, _star_and_chain(n))
    assert again == {"memories": 0, "duplicates": 2 * n + 2, "documents": 0, "duplicate_documents": 0}
    assert sum(counting.rows.values()) <= 2 * (2 * n + 2), counting.rows
    assert sum(counting.calls.values()) <= 60 and counting.calls["insert"] == 0, counting.calls

