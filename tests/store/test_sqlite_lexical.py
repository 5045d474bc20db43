"""SQLite BM25: a user alone in the database is searched without the FTS user_id clause (same hits and scores,
less work); once another user has rows, the clause is back and nobody sees another's memories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from jean_memory.store import open_sqlite
from jean_memory.store.records import Filters, NewMemory

pytestmark = pytest.mark.anyio


def _item(text: str) -> NewMemory:
    return NewMemory(text, text, (np.ones(8, dtype=np.float32) / np.float32(np.sqrt(8))).tobytes())


async def test_a_user_alone_is_searched_without_the_user_clause_and_with_it_once_others_exist(
    tmp_path: Path,
) -> None:
    stores = open_sqlite(str(tmp_path / "db.sqlite3"))
    await stores.database.migrate()
    store = stores.memories
    try:
        alice = await stores.users.create_user("a@example.com", None)
        bob = await stores.users.create_user("b@example.com", None)
        await store.insert(alice.id, [_item(t) for t in ("green tea in the morning", "tea with milk",
                                                         "coffee after lunch", "a walk in the park")])
        statements: list[str] = []

        def lexical(user_id: str, terms: list[str]) -> list[tuple[int, float]]:
            def run(c: sqlite3.Connection) -> list[tuple[int, float]]:
                c.set_trace_callback(statements.append)
                try:
                    return [(h.seq, h.score) for h in store._lexical_sync(c, user_id, terms, 10, Filters())]
                finally:
                    c.set_trace_callback(None)
            return stores.database.read_sync(run)

        alone = lexical(alice.id, ["tea", "coffee"])
        assert len(alone) == 3
        assert not any("user_id:" in s for s in statements)  # the clause was left out
        with_clause = stores.database.read_sync(lambda c: [(r[0], -float(r[1])) for r in c.execute(
            "SELECT rowid, bm25(memories_fts, 1.0, 0.0) FROM memories_fts WHERE memories_fts MATCH ? ORDER BY 2",
            (f'user_id:"{alice.id}" AND ("tea" OR "coffee")',))])
        assert alone == with_clause
        await store.insert(bob.id, [_item("bob drinks tea"), _item("bob hates coffee")])
        statements.clear()
        mine = lexical(alice.id, ["tea", "coffee"])
        assert any("user_id:" in s for s in statements)
        assert sorted(s for s, _ in mine) == sorted(s for s, _ in alone)
        assert len(lexical(bob.id, ["tea", "coffee"])) == 2
    finally:
        await stores.database.close()


async def test_an_overlapped_hybrid_query_embeds_beside_bm25_with_the_same_answer(tmp_path: Path) -> None:
    import threading
    from collections.abc import Sequence

    from jean_memory.store.records import HybridQuery, Scored

    stores = open_sqlite(str(tmp_path / "db.sqlite3"))
    await stores.database.migrate()
    try:
        alice = await stores.users.create_user("a@example.com", None)
        await stores.memories.insert(alice.id, [_item(t) for t in ("green tea", "tea with milk", "a walk")])
        threads: dict[str, int] = {}

        def vector() -> np.ndarray:
            threads["vector"] = threading.get_ident()
            return np.ones(8, dtype=np.float32) / np.float32(np.sqrt(8))

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            threads["sql"] = threading.get_ident()
            return [*lexical, *dense]

        answers = []
        for overlap in (False, True):
            query = HybridQuery(("tea",), vector, 5, 10, Filters(), rank, overlap=overlap)
            answers.append([(m.id, score) for m, score in await stores.memories.hybrid(alice.id, query)])
            assert (threads["vector"] != threads["sql"]) is overlap
        assert answers[0] == answers[1] and len(answers[0]) == 5
    finally:
        await stores.database.close()

async def test_an_adds_candidates_leave_out_words_common_in_the_store(tmp_path: Path) -> None:
    """``bm25.rare_terms``: a word in 5% of the rows (and at least 200) is left out of an add's candidate query,
    unless every word is that common; a small store keeps every word."""
    from jean_memory.store.sqlite.bm25 import COMMON_LEAST, rare_terms

    stores = open_sqlite(str(tmp_path / "db.sqlite3"))
    await stores.database.migrate()
    store = stores.memories
    try:
        alice = await stores.users.create_user("a@example.com", None)
        await store.insert(alice.id, [_item(f"User noted item {i}") for i in range(COMMON_LEAST - 2)])
        await store.insert(alice.id, [_item("User's sister Anna lives in Berlin")])
        rare = stores.database.read_sync(lambda c: rare_terms(c, ["user", "sister", "anna", "munich"]))
        assert rare == ["user", "sister", "anna", "munich"]  # "user" is in all 199 rows, too few to be common
        await store.insert(alice.id, [_item(f"User noted thing {i}") for i in range(COMMON_LEAST * 3)])
        rare = stores.database.read_sync(lambda c: rare_terms(c, ["user", "noted", "sister", "anna", "munich"]))
        assert rare == ["sister", "anna", "munich"]
        assert stores.database.read_sync(lambda c: rare_terms(c, ["user", "noted"])) == ["user", "noted"]
    finally:
        await stores.database.close()
