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



async def _by_space(stores: Stores, user_id: str) -> dict[str, set[tuple[str, str | None]]]:
    """The account's own memories and documents by the (case-folded) name of their space: (text, the text of the
    memory that replaced it) and ("document", title); a replaced version's replacement is in its own space."""
    names = {s.id: s.name.casefold() for s in await stores.spaces.spaces_of(user_id) if s.owner_id == user_id}
    memories = await stores.memories.page(user_id, 100, None, Filters(include_history=True))
    by_id = {m.id: m for m in memories}
    out: dict[str, set[tuple[str, str | None]]] = {}
    for m in memories:
        newer = by_id[m.superseded_by] if m.superseded_by else None
        assert newer is None or newer.space_id == m.space_id, (m.text, newer.text)
        out.setdefault(names[m.space_id], set()).add((m.text, newer.text if newer else None))
    for d in await stores.documents.list_documents(user_id, 100, 0):
        out.setdefault(names[d.space_id], set()).add(("document", d.title))
    return out


async def _three_spaces(stores: Stores, service: MemoryService) -> tuple[str, list[dict[str, Any]]]:
    """An account with memories in personal, work and Family (the same text in two of them, a replaced version
    and a document in work, the same document in Family), and its export."""
    from jean_memory.spaces.manage import SpaceService
    from jean_memory.spaces.resolve import reach_of_person

    user = await stores.users.create_user("spaces-out@example.com", None)
    reach = await reach_of_person(stores, user.id)
    work = await SpaceService(stores).create(reach, "work")
    family = await SpaceService(stores).create(reach, "Family")
    reach = await reach_of_person(stores, user.id)
    await service.add(user.id, "I drink green tea", judge=False)
    await service.add(user.id, "Standup is at 9:30", judge=False)
    await service.add(reach, "Standup is at 9:30", judge=False, space="work")
    [office] = await service.add(reach, "The office is in Berlin", judge=False, space=work.id)
    await service.update(reach, office.memory.id, "The office is in Munich")
    await service.store_document(reach, "Roadmap", "Q3 plans", space=work.id)
    await service.store_document(reach, "Roadmap", "Q3 plans", space=family.id)
    await service.add(reach, "Grandma's birthday is in May", judge=False, space=family.id)
    return user.id, [record async for record in service.export(user.id)]


async def test_export_and_import_keep_spaces(stores: Stores, embedder: MiniLMEmbedder) -> None:
    service = MemoryService(stores, embedder)
    source, exported = await _three_spaces(stores, service)
    expected = {"personal": {("I drink green tea", None), ("Standup is at 9:30", None)},
                "work": {("Standup is at 9:30", None), ("The office is in Munich", None),
                         ("The office is in Berlin", "The office is in Munich"), ("document", "Roadmap")},
                "family": {("Grandma's birthday is in May", None), ("document", "Roadmap")}}
    assert await _by_space(stores, source) == expected
    # Into an account that already has a space "WORK" (the same name, by case), and is a member of another
    # account's "Family" (never imported into: it makes a Family of its own).
    user = await stores.users.create_user("spaces-in@example.com", None)
    other = await stores.users.create_user("spaces-other@example.com", None)
    upper = await stores.spaces.create_space(user.id, "WORK")
    theirs = await stores.spaces.create_space(other.id, "Family")
    await stores.spaces.set_member(theirs.id, user.id, "writer")
    spaces = CountingMemories(stores.spaces)
    counting = MemoryService(dataclasses.replace(stores, spaces=spaces), embedder)
    counts = await counting.import_records(user.id, exported)
    assert counts == {"memories": 6, "duplicates": 0, "documents": 2, "duplicate_documents": 0}
    assert spaces.calls == {"spaces_of": 1, "create_space": 1}, spaces.calls  # one look, whatever the lines
    assert await _by_space(stores, user.id) == expected
    own = {s.name: s for s in await stores.spaces.spaces_of(user.id) if s.owner_id == user.id}
    assert set(own) == {"personal", "WORK", "Family"} and own["WORK"].id == upper.id
    assert own["Family"].id != theirs.id and await _by_space(stores, other.id) == {}
    # Importing it again adds nothing, in any space.
    again = await service.import_records(user.id, exported)
    assert again == {"memories": 0, "duplicates": 6, "documents": 0, "duplicate_documents": 2}
    assert await _by_space(stores, user.id) == expected
    assert len(await stores.spaces.spaces_of(user.id)) == 4  # its three and the shared one


async def test_import_puts_lines_without_a_space_name_in_the_personal_space(stores: Stores,
                                                                            embedder: MiniLMEmbedder) -> None:
    """A file from before spaces (no space fields) goes to the personal space, as do lines naming "personal"
    (also when the account renamed its personal space) or ""; the old server's space ids are not read."""
    service = MemoryService(stores, embedder)
    user = await stores.users.create_user("spaces-old@example.com", None)
    await stores.spaces.rename_space(user.id, user.id, "Home")
    old = [{"type": "memory", "id": "a", "text": "I drink green tea", "superseded_by": None},
           {"type": "document", "title": "Lease", "content": "The lease runs to May"}]
    assert (await service.import_records(user.id, old))["memories"] == 1
    assert await _by_space(stores, user.id) == {"home": {("I drink green tea", None), ("document", "Lease")}}
    lines = [{"type": "memory", "id": "b", "text": "My cat is Miso", "superseded_by": None, "space": "x",
              "space_name": "personal"},
             {"type": "memory", "id": "c", "text": "I cycle to work", "superseded_by": None, "space_name": ""},
             {"type": "memory", "id": "d", "text": "I drink green tea", "superseded_by": None, "space": user.id,
              "space_name": "work"},
             {"type": "memory", "id": "e", "text": "I drank coffee", "superseded_by": "d", "space_name": "personal"},
             {"type": "memory", "text": "I take the bus on Fridays", "space_name": "Work"}]  # judged, as an add
    counts = await service.import_records(user.id, lines)
    assert counts == {"memories": 5, "duplicates": 0, "documents": 0, "duplicate_documents": 0}
    assert await _by_space(stores, user.id) == {
        "home": {("I drink green tea", None), ("document", "Lease"), ("My cat is Miso", None),
                 ("I cycle to work", None)},
        "work": {("I drink green tea", None), ("I drank coffee", "I drink green tea"),
                 ("I take the bus on Fridays", None)}}


@pytest.mark.parametrize(("name", "what"), [("w" * 61, "61 characters"), ("work\x07", "a control character"),
                                            ("  ", "only blanks"), (7, "not a string")])
async def test_a_bad_space_name_imports_nothing(stores: Stores, embedder: MiniLMEmbedder, name: object,
                                                what: str) -> None:
    user = await stores.users.create_user("spaces-bad@example.com", None)
    service = MemoryService(stores, embedder)
    lines = [{**GOOD, "space_name": "work"}, {"type": "document", "title": "t", "content": "c", "space_name": "new"},
             {**VERSION, "space_name": name}]
    with pytest.raises(InvalidInput) as raised:
        await service.import_records(user.id, lines)
    assert raised.value.message == ("line 3: space_name must be the name of a space: a string of at most 60 "
                                    "printable characters; nothing was imported"), what
    assert await _everything(stores, user.id) == []
    assert [s.name for s in await stores.spaces.spaces_of(user.id)] == ["personal"]
