"""Importing an export: everything comes back, and importing the same file again adds nothing."""

from __future__ import annotations

import pytest

from jean_memory.errors import InvalidInput
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_importing_an_export_twice_adds_nothing_the_second_time(runtime: Runtime, alice: Account,
                                                                       bob: Account) -> None:
    service = runtime.memory
    await service.add(alice.user_id, ["I keep my passport in the blue folder", "My dentist is Dr. Okafor"],
                      ["admin"])
    await service.store_document(alice.user_id, "Lease", "The lease ends on 31 March.\n\nRent is due on the 1st.",
                                 source_url="https://example.com/lease")
    await service.store_document(alice.user_id, "Lease", "A different lease with the same title.")
    exported = [r async for r in service.export(alice.user_id)]

    first = await service.import_records(bob.user_id, exported)
    assert first == {"memories": 2, "duplicates": 0, "documents": 2, "duplicate_documents": 0}
    again = await service.import_records(bob.user_id, exported)
    assert again == {"memories": 0, "duplicates": 2, "documents": 0, "duplicate_documents": 2}
    assert len(await service.list_documents(bob.user_id)) == 2
    assert await service.count(bob.user_id) == 2
    # Alice already has all of it too; an edited document is new.
    assert (await service.import_records(alice.user_id, exported))["documents"] == 0
    documents = [r for r in exported if r["type"] == "document"]
    assert (await service.import_records(bob.user_id, [{**documents[0], "content": "edited"}]))["documents"] == 1


async def test_a_bad_document_field_anywhere_imports_nothing(runtime: Runtime, alice: Account) -> None:
    records = [{"type": "memory", "text": "I keep my passport in the blue folder"},
               {"type": "document", "title": "Lease", "content": "The lease ends in March.", "document_type": 7}]
    with pytest.raises(InvalidInput, match="line 2: document_type must be a string"):
        await runtime.memory.import_records(alice.user_id, records)
    assert await runtime.memory.count(alice.user_id) == 0
    assert await runtime.memory.list_documents(alice.user_id) == []
