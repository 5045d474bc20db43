"""Spaces and roles, property-based: no sequence of operations lets a connection see a memory outside the spaces it
may read, or write where its role forbids.

Three accounts; random sequences of create space, share (invite and accept) as reader or writer, change role,
remove a member, a member leaving, delete a space, new API keys given some spaces (or all own ones), narrowing a
key, and add, search, list, get, update, delete, delete all and export through those keys. A model of who owns
what, who is a member with which role and what each key was given says what each connection may read and write at
that moment (built independently of ``spaces.reach``). After every operation: every memory returned is in a space
the connection may read; every memory that changed is in a space it may write; an operation that failed changed
nothing; a failed write is a clear error (``Forbidden``/``NotFound``/``InvalidInput``), never a write elsewhere.
Removal and narrowing act on the next operation. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jean_memory.accounts.api_keys import KEY_SCOPES, Principal
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.errors import JeanMemoryError
from jean_memory.memory.service import MemoryService
from jean_memory.spaces.manage import SpaceService
from jean_memory.spaces.resolve import reach_for, reach_of_person
from jean_memory.store import Stores, open_sqlite
from jean_memory.store.postgres import open_postgres
from jean_memory.store.records import Memory
from jean_memory.store.space_records import Invitation, Reachable
from tests.pg_fixtures import PostgresServer, drop_database, fresh_database

WORDS = ["apple", "river", "Berlin", "piano", "sister", "coffee", "Tuesday", "garden"]
NAMES = ["work", "home", "family", "garden"]
VERBS = ["create", "share", "share", "role", "remove", "leave", "drop_space", "key", "key", "narrow",
         "add", "add", "add_in", "add_in", "search", "search_in", "list", "get", "update", "delete", "delete_all",
         "export"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
ops = st.lists(
    st.tuples(st.sampled_from(VERBS), st.integers(0, 2), st.integers(0, 40), st.integers(0, 40), texts),
    min_size=3, max_size=30,
)


@dataclass
class Model:
    """Who owns which space, who is a member with which role, and what each key was given: the oracle."""

    owner: dict[str, str] = field(default_factory=dict)  # space id -> owner account
    members: dict[tuple[str, str], str] = field(default_factory=dict)  # (space, account) -> role
    keys: list[tuple[str, str, tuple[str, ...] | None, str | None]] = field(default_factory=list)  # acct, id, ...

    def readable(self, key: int) -> set[str]:
        account, _, given, _ = self.keys[key]
        mine = {s for s, o in self.owner.items() if o == account}
        shared = {s for (s, a) in self.members if a == account and s in self.owner}
        return mine if given is None else set(given) & (mine | shared)

    def writable(self, key: int) -> set[str]:
        account = self.keys[key][0]
        return {s for s in self.readable(key)
                if self.owner[s] == account or self.members.get((s, account)) == "writer"}


async def _everything(service: MemoryService, users: list[str]) -> dict[str, tuple[Any, ...]]:
    """Every live memory of every account (history included), with what any operation could change."""
    rows: dict[str, tuple[Any, ...]] = {}
    for u in users:
        page = await service.list(await reach_of_person(service.stores, u), 200, include_history=True)
        for m in page.items:
            if m.user_id == u:
                rows[m.id] = (m.text, m.space_id, m.superseded_by, m.possibly_outdated_by, m.correction)
    return rows


async def _run(stores: Stores, embedder: MiniLMEmbedder, sequence: list[tuple[str, int, int, int, str]]) -> None:
    service, spaces = MemoryService(stores, embedder), SpaceService(stores)
    users = [(await stores.users.create_user(f"s{i}-{id(sequence)}@example.com", None)).id for i in range(3)]
    emails = [f"s{i}-{id(sequence)}@example.com" for i in range(3)]
    model = Model(owner={u: u for u in users})
    for u in users:  # every account starts with one key reaching all its own spaces
        key = await stores.api_keys.create_key(u, "all", f"hash-{u}", "jm_x")
        model.keys.append((u, key.id, None, None))
    ids: list[str] = []
    before = await _everything(service, users)
    for verb, who, a, b, text in sequence:
        account = users[who]
        space_ids = list(model.owner)
        space = space_ids[a % len(space_ids)]
        key = a % len(model.keys)
        k_account, k_id, _, _ = model.keys[key]
        principal = Principal(k_account, KEY_SCOPES, f"api-key:{k_id}", "api_key")
        may_read, may_write = model.readable(key), model.writable(key)
        returned: list[Memory] = []
        failed = False
        try:
            if verb == "create":
                made = await spaces.create(await reach_of_person(stores, account), f"{NAMES[a % 4]}{b % 3}")
                model.owner[made.id] = account
            elif verb in ("share", "role"):
                owner = model.owner[space]
                target = users[b % 3]
                role = "writer" if verb == "role" or b % 2 else "reader"
                invited = await spaces.invite(await reach_of_person(stores, owner), space, emails[b % 3], role)
                if isinstance(invited, Invitation):
                    await spaces.answer(target, invited.id, accept=True)
                model.members[(space, target)] = role
            elif verb in ("remove", "leave"):
                target = users[b % 3]
                actor = target if verb == "leave" else model.owner[space]
                await spaces.remove(await reach_of_person(stores, actor), space, emails[b % 3])
                model.members.pop((space, target), None)
            elif verb == "drop_space":
                owner = model.owner[space]
                into = next((s for s in space_ids if model.owner[s] == owner and s != space), None) if b % 2 else None
                await spaces.delete(await reach_of_person(stores, owner), space, into)
                del model.owner[space]
                model.members = {k: r for k, r in model.members.items() if k[0] != space}
            elif verb in ("key", "narrow"):
                mine = [s for s in space_ids if model.owner[s] == account or (s, account) in model.members]
                given = tuple(s for i, s in enumerate(mine) if (b >> i) & 1) if b % 5 else None
                write = given[0] if given else None
                if verb == "key":
                    made_key = await stores.api_keys.create_key(account, "some", f"hash-{len(model.keys)}-{account}",
                                                                "jm_y", spaces=given, write_space=write)
                    model.keys.append((account, made_key.id, given, write))
                else:
                    n = b % len(model.keys)
                    owner_of_key, key_id, _, _ = model.keys[n]
                    await stores.spaces.set_key_reach(owner_of_key, key_id, Reachable(given, write))
                    model.keys[n] = (owner_of_key, key_id, given, write)
            elif verb in ("add", "add_in"):
                reach = await reach_for(stores, principal)
                chosen = space if verb == "add_in" else None
                for r in await service.add(reach, f"{text} {b}", space=chosen):
                    returned += [r.memory, *r.replaced, *r.flagged]
                    ids.append(r.memory.id)
                    assert r.memory.space_id in may_write, "an add landed in a space the key may not write"
                    if chosen is not None:
                        assert r.memory.space_id == chosen, "an add landed somewhere other than the space named"
            elif verb in ("search", "search_in"):
                reach = await reach_for(stores, principal)
                hits = await service.search(reach, text, 50, include_documents=True,
                                            space=space if verb == "search_in" else None)
                returned += [h.memory for h in hits]
            elif verb == "list":
                reach = await reach_for(stores, principal)
                returned += (await service.list(reach, 200, include_history=True)).items
            elif verb in ("get", "update", "delete"):
                reach = await reach_for(stores, principal)
                target_id = ids[b % len(ids)] if ids else "missing"
                if verb == "get":
                    returned.append(await service.get(reach, target_id))
                elif verb == "update":
                    returned.append(await service.update(reach, target_id, f"{text} changed {b}"))
                else:
                    await service.delete(reach, [target_id])
            elif verb == "delete_all":
                await service.delete_all(await reach_for(stores, principal))
            elif verb == "export":
                rows = [r async for r in service.export(await reach_for(stores, principal)) if r["type"] == "memory"]
                returned += await stores.memories.get_in_spaces(list(model.owner), [r["id"] for r in rows])
        except JeanMemoryError:
            failed = True
        for m in returned:
            assert m.space_id in may_read, f"{verb} returned a memory of a space the key may not read"
        after = await _everything(service, users)
        changed = {i for i in set(before) | set(after) if before.get(i) != after.get(i)}
        if failed:
            assert not changed, f"a failed {verb} wrote"
        elif verb in ("add", "add_in", "update", "delete", "delete_all"):
            touched = {(after.get(i) or before[i])[1] for i in changed}
            assert touched <= may_write, f"{verb} changed a memory in a space the key may not write"
        elif verb not in ("drop_space",):
            assert not changed, f"{verb} changed memories"
        before = after


Opener = Callable[[], Awaitable[tuple[Stores, Callable[[], None]]]]


async def _with(open_stores: Opener, embedder: MiniLMEmbedder, sequence: list[tuple[str, int, int, int, str]]) -> None:
    stores, cleanup = await open_stores()
    try:
        await _run(stores, embedder, sequence)
    finally:
        await stores.database.close()
        cleanup()


SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# B shares a space with A as reader; A's all-spaces key is given it, writes there (refused), reads it; B makes A a
# writer, A writes; B removes A, A's next read no longer sees it.
SHARED = [("create", 1, 0, 0, "x"), ("share", 1, 3, 0, "x"), ("narrow", 0, 0, 7, "x"), ("add_in", 0, 3, 1, "apple"),
          ("add", 1, 1, 0, "apple"), ("add_in", 1, 3, 2, "river"), ("search", 0, 0, 0, "river"),
          ("role", 1, 3, 0, "x"), ("add_in", 0, 3, 3, "piano"), ("remove", 1, 3, 0, "x"), ("search", 0, 0, 0, "piano"),
          ("list", 0, 0, 0, "x"), ("get", 0, 0, 1, "x"), ("update", 0, 0, 1, "garden")]


@SETTINGS
@given(sequence=ops)
@example(sequence=SHARED)
def test_no_sequence_reaches_beyond_a_connections_spaces(
    sequence: list[tuple[str, int, int, int, str]], tmp_path_factory: Any, embedder: MiniLMEmbedder
) -> None:
    async def sqlite() -> tuple[Stores, Callable[[], None]]:
        stores = open_sqlite(str(tmp_path_factory.mktemp("spaces") / "db.sqlite3"))
        await stores.database.migrate()
        return stores, lambda: None

    asyncio.run(_with(sqlite, embedder, sequence))


@pytest.mark.postgres
@settings(SETTINGS, max_examples=25)
@given(sequence=ops)
@example(sequence=SHARED)
def test_no_sequence_reaches_beyond_a_connections_spaces_on_postgres(
    sequence: list[tuple[str, int, int, int, str]], postgres_server: PostgresServer, embedder: MiniLMEmbedder
) -> None:
    async def postgres() -> tuple[Stores, Callable[[], None]]:
        name = fresh_database(postgres_server)
        stores = open_postgres(postgres_server.url(name), max_connections=2)
        return stores, lambda: drop_database(postgres_server, name)

    asyncio.run(_with(postgres, embedder, sequence))
