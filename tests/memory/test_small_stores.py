"""Small everyday stores (5 to 50 memories): the memory that answers a question comes first, and search returns
no padding. The stores are in ``small_stores.json``; ``first_hit_rate`` is the suite's evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService, SearchResult
from jean_memory.store import Stores, open_sqlite

DATA = Path(__file__).with_name("small_stores.json")
FRESH = Path(__file__).with_name("small_stores_fresh.json")  # written after the first 44, before tuning
DAY = 86_400.0
BASE = 1_780_000_000.0
FIRST_HIT_FLOOR = 0.80  # 76.3% before weak lexical matches counted less, 81.4% after
FRESH_FLOOR = 0.93  # 92.3% before, 94.0% after

pytestmark = pytest.mark.anyio


async def _stores(tmp_path: Path) -> Stores:
    stores = open_sqlite(str(tmp_path / "small.sqlite3"))
    await stores.database.migrate()
    return stores


async def _fill(service: MemoryService, user_id: str, store: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Saves a store as its mode says; returns the memory ids in the store's order."""
    texts = [facts[slot]["variants"][v] for slot, v in store["memories"]]
    ids: list[str] = []
    if store["mode"] == "batch":
        return [r.memory.id for r in await service.add(user_id, texts, client_id="c1", created_at=BASE)]
    groups = store.get("groups") or [1] * len(texts)
    at = 0
    for n, size in enumerate(groups):
        when = BASE + (n * 20.0 if store["mode"] == "session" else n * DAY + (n * 7919) % 30_000)
        ids += [r.memory.id for r in await service.add(user_id, texts[at:at + size], client_id="c1", created_at=when)]
        at += size
    return ids


async def first_hit_rate(service: MemoryService, stores: Stores, path: Path = DATA) -> tuple[float, list[str]]:
    """Share of questions whose fact comes first, and the questions that missed."""
    data = json.loads(path.read_text())
    facts = data["facts"]
    hits, misses = 0, []
    for store in data["stores"]:
        user = await stores.users.create_user(f"{store['name']}@small.test", None)
        ids = await _fill(service, user.id, store, facts)
        for (slot, _), mid in zip(store["memories"], ids, strict=True):
            for question in facts[slot]["questions"]:
                found = await service.search(user.id, question, 5)
                if found and found[0].memory.id == mid:
                    hits += 1
                else:
                    misses.append(f"{store['name']}: {question!r}")
    return hits / (hits + len(misses)), misses


@pytest.mark.parametrize(("path", "least"), [(DATA, 40), (FRESH, 16)])
def test_small_stores_data_has_stores_of_five_to_fifty(path: Path, least: int) -> None:
    stores = json.loads(path.read_text())["stores"]
    assert len(stores) >= least
    assert all(5 <= len(s["memories"]) <= 50 for s in stores)
    assert {s["mode"] for s in stores} == {"days", "session", "batch", "mixed"}


@pytest.mark.parametrize(("path", "floor"), [(DATA, FIRST_HIT_FLOOR), (FRESH, FRESH_FLOOR)])
async def test_the_direct_match_comes_first_in_small_stores(
    tmp_path: Path, embedder: MiniLMEmbedder, path: Path, floor: float
) -> None:
    stores = await _stores(tmp_path)
    try:
        rate, misses = await first_hit_rate(MemoryService(stores, embedder), stores, path)
    finally:
        await stores.database.close()
    assert rate >= floor, f"first-hit rate {rate:.1%}; missed: {misses[:20]}"


# -- the cases issue 13 reported ----------------------------------------------------------------------

DOZEN = ["I work as a nurse at St. Mary's hospital", "My sister lives in Berlin", "I take my coffee black",
         "I always book a window seat", "I just moved to Lyon", "My dog is called Rex", "I am learning the piano",
         "My manager is called Paul", "I prefer tea in the evening", "I drive a red Fiat",
         "My daughter plays football", "I read science fiction"]
THIRTEEN = [*DOZEN, "I'm allergic to penicillin"]


async def _user_with(service: MemoryService, stores: Stores, texts: list[str], seconds_apart: float) -> str:
    user = await stores.users.create_user("case@small.test", None)
    for n, text in enumerate(texts):
        await service.add(user.id, text, client_id="c1", created_at=BASE + n * seconds_apart)
    return user.id


async def _searches(tmp_path: Path, embedder: MiniLMEmbedder, texts: list[str], seconds_apart: float,
                    *queries: tuple[str, int, bool]) -> list[list[SearchResult]]:
    """Save ``texts`` for a new user, ``seconds_apart`` apart, then run each (question, limit, include_history)."""
    stores = await _stores(tmp_path)
    try:
        service = MemoryService(stores, embedder)
        uid = await _user_with(service, stores, texts, seconds_apart)
        return [await service.search(uid, q, limit, include_history=history) for q, limit, history in queries]
    finally:
        await stores.database.close()


@pytest.mark.parametrize("seconds_apart", [5.0, DAY])
async def test_which_city_do_i_live_in_finds_the_move_first(
    tmp_path: Path, embedder: MiniLMEmbedder, seconds_apart: float
) -> None:
    """Issue 13: "I just moved to Lyon" came 4th, behind memories saved right after another match. Saved a few
    seconds apart (so the context boost applies) or a day apart."""
    [found] = await _searches(tmp_path, embedder, DOZEN, seconds_apart, ("which city do I live in", 10, False))
    texts = [r.memory.text for r in found]
    assert texts.index("I just moved to Lyon") <= 1, texts
    assert all(t in ("I just moved to Lyon", "My sister lives in Berlin") for t in texts[:2]), texts


async def test_which_city_do_i_live_in_puts_the_move_above_a_sisters_city(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    """A one-word lexical match (live/lives, less than half the query's best possible BM25) no longer outranks
    the best cosine match."""
    [found] = await _searches(tmp_path, embedder, DOZEN, DAY, ("which city do I live in", 10, False))
    assert found[0].memory.text == "I just moved to Lyon"


async def test_a_word_nothing_matches_returns_no_padding(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    """Issue 13: q=penicillin&limit=20 on 13 memories returned all 13, 11 of them scored 0.0."""
    found, nothing = await _searches(tmp_path, embedder, THIRTEEN, 5.0, ("penicillin", 20, False),
                                     ("quantum chromodynamics", 20, False))
    assert [r.memory.text for r in found] == ["I'm allergic to penicillin"]
    assert all(r.score > 0 for r in found)
    assert nothing == []


async def test_a_question_of_stop_words_alone_returns_no_padding(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    """"the and of" matched every memory holding one of those words, by BM25 alone; it is searched by meaning now,
    where nothing in a store of everyday facts comes near it."""
    [found] = await _searches(tmp_path, embedder, THIRTEEN, 5.0, ("the and of", 20, False))
    assert found == []


async def test_where_does_my_sister_live_puts_both_sister_memories_first(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    """Issue 13's first case: Berlin, two other facts, then Munich. Munich is current and first; with history,
    both sister memories come first, and the facts saved between them (or after) never rank above either."""
    texts = ["My sister Anna lives in Berlin, Germany", "I take my coffee black", "I always book a window seat",
             "My sister Anna lives in Munich now", "I am learning the piano"]
    found, past = await _searches(tmp_path, embedder, texts, 5.0, ("where does my sister live", 10, False),
                                  ("where does my sister live", 10, True))
    assert found[0].memory.text == texts[3]  # Munich replaced Berlin, which is history now
    assert texts[0] not in [r.memory.text for r in found]
    assert {r.memory.text for r in past[:2]} == {texts[0], texts[3]}
    assert all("coffee" not in r.memory.text and "window" not in r.memory.text for r in found + past)
