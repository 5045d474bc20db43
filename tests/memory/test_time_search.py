"""Time words in a search question, on a small everyday store saved over a year and a half."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jean_memory.memory.service import MemoryService
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday; last week is 16-22 November

STORE = [  # (saved at, text)
    ("2025-06-01T10:00", "Adopted a dog named Biscuit from the shelter"),
    ("2026-03-02T09:00", "I live in Lyon, near the Croix-Rousse"),
    ("2026-03-02T09:05", "Every week I call my grandmother on Sunday evening"),
    ("2026-04-11T18:00", "I am allergic to penicillin"),
    ("2026-05-12T08:00", "Visited Lisbon for a data conference"),
    ("2026-10-20T20:00", "Had dinner at the new Thai place with Sam"),
    ("2026-11-10T20:00", "Had dinner with Mum at her flat"),
    ("2026-11-18T12:00", "Went hiking in the Alps with Priya"),
    ("2026-11-21T21:00", "Finished reading Dune, loved the ending"),
    ("2026-11-24T08:00", "Dentist appointment next Tuesday with Dr Roux"),
    ("2026-11-25T19:00", "Started a pottery class on Wednesdays"),
    ("2026-11-26T17:00", "Bought a new bike helmet"),
    ("2026-11-27T09:00", "Working from home, fixing the garden fence"),
]


async def _store(runtime: Runtime, user_id: str) -> MemoryService:
    service = MemoryService(runtime.memory.stores, runtime.memory.embedder, clock=NOW.timestamp)
    for saved, text in STORE:
        when = datetime.fromisoformat(saved).replace(tzinfo=UTC).timestamp()
        await service.add(user_id, text, created_at=when)
    return service


async def _texts(service: MemoryService, user_id: str, question: str, **kw: object) -> list[str]:
    return [r.memory.text for r in await service.search(user_id, question, 5, **kw)]  # type: ignore[arg-type]


async def test_a_question_about_a_stretch_of_time_gets_what_was_saved_in_it(runtime: Runtime, alice: Account) -> None:
    service = await _store(runtime, alice.user_id)
    last_week = await _texts(service, alice.user_id, "what did I do last week")
    # Only last week's two memories; "Every week I call my grandmother" no longer matches the word "week".
    assert sorted(last_week) == ["Finished reading Dune, loved the ending", "Went hiking in the Alps with Priya"]
    assert await _texts(service, alice.user_id, "What happened yesterday?") == ["Bought a new bike helmet"]
    assert await _texts(service, alice.user_id, "yesterday") == ["Bought a new bike helmet"]  # a dashboard search
    assert await _texts(service, alice.user_id, "what did I do in 2025") == [
        "Adopted a dog named Biscuit from the shelter"]
    assert sorted(await _texts(service, alice.user_id, "anything new since Wednesday?")) == [
        "Bought a new bike helmet", "Started a pottery class on Wednesdays",
        "Working from home, fixing the garden fence"]


async def test_a_time_phrase_beside_a_topic_lifts_the_memory_of_that_time(runtime: Runtime, alice: Account) -> None:
    service = await _store(runtime, alice.user_id)
    # Both dinners match; the one in October comes first, the November one is still there.
    october = await _texts(service, alice.user_id, "who did I have dinner with in October")
    assert october[0] == "Had dinner at the new Thai place with Sam"
    assert "Had dinner with Mum at her flat" in october
    november = await _texts(service, alice.user_id, "who did I have dinner with this month")
    assert november[0] == "Had dinner with Mum at her flat"
    # "last week" is not searched as the word "week": the book comes first, not the weekly call.
    book = await _texts(service, alice.user_id, "which book did I finish last week")
    assert book[0] == "Finished reading Dune, loved the ending"


async def test_questions_without_time_words_and_given_bounds_are_left_alone(runtime: Runtime, alice: Account) -> None:
    service = await _store(runtime, alice.user_id)
    lyon = "I live in Lyon, near the Croix-Rousse"
    assert (await _texts(service, alice.user_id, "which city do I live in"))[0] == lyon
    # "may" the verb is not May: the penicillin memory (saved in April) is found, nothing is filtered.
    assert (await _texts(service, alice.user_id, "what medicine may I not take, penicillin?"))[0] == \
        "I am allergic to penicillin"
    # The caller's own since/until still hold: the question narrows them, never widens them.
    since_saturday = datetime(2026, 11, 21, tzinfo=UTC).timestamp()
    assert await _texts(service, alice.user_id, "what did I do last week", since=since_saturday) == [
        "Finished reading Dune, loved the ending"]
    assert await _texts(service, alice.user_id, "what did I do last week", until=0.0) == []
    # A stretch still ahead has nothing saved in it: the question is searched as usual, not filtered to nothing.
    assert (await _texts(service, alice.user_id, "when is the dentist next week"))[0] == \
        "Dentist appointment next Tuesday with Dr Roux"


# -- memories about a time: their resolved dates ---------------------------------------------------------

async def test_a_question_about_a_stretch_ahead_finds_what_is_dated_in_it(runtime: Runtime, alice: Account) -> None:
    """"Dentist appointment next Tuesday", saved on Tuesday 24 November, is about 1 December: next week."""
    service = await _store(runtime, alice.user_id)
    dentist = "Dentist appointment next Tuesday with Dr Roux"
    assert await _texts(service, alice.user_id, "what do I have next week") == [dentist]
    assert await _texts(service, alice.user_id, "what's happening next week?") == [dentist]
    assert await _texts(service, alice.user_id, "anything planned for next month") == [dentist]
    # Nothing is saved in or dated in tomorrow: nothing comes back, rather than padding.
    assert await _texts(service, alice.user_id, "what is happening tomorrow") == []


async def test_a_past_stretch_also_finds_what_was_dated_in_it(runtime: Runtime, alice: Account) -> None:
    """Saved on 10 November, "the jazz concert next Friday" is about 20 November: last week, with what was saved
    then."""
    service = await _store(runtime, alice.user_id)
    concert = "Bought tickets for the jazz concert next Friday"
    await service.add(alice.user_id, concert, created_at=datetime(2026, 11, 10, 12, tzinfo=UTC).timestamp())
    assert sorted(await _texts(service, alice.user_id, "what did I do last week")) == [
        concert, "Finished reading Dune, loved the ending", "Went hiking in the Alps with Priya"]
    # The caller's own bounds on the save time still hold: saved before the 16th, it is left out.
    since = datetime(2026, 11, 16, tzinfo=UTC).timestamp()
    assert concert not in await _texts(service, alice.user_id, "what did I do last week", since=since)


async def test_a_topic_with_a_time_phrase_lifts_the_memory_dated_in_it(runtime: Runtime, alice: Account) -> None:
    service = await _store(runtime, alice.user_id)
    haircut = "Haircut appointment booked at the barber"
    await service.add(alice.user_id, haircut, created_at=datetime(2026, 11, 26, 9, tzinfo=UTC).timestamp())
    # Both are appointments; the one dated next week comes first although the haircut was saved later.
    found = await _texts(service, alice.user_id, "which appointment do I have next week")
    assert found[:2] == ["Dentist appointment next Tuesday with Dr Roux", haircut]


async def test_what_is_arranged_for_a_day_finds_the_plans_for_that_day(runtime: Runtime, alice: Account) -> None:
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the coming Saturday is the 28th, the last the 21st
    service = MemoryService(runtime.memory.stores, runtime.memory.embedder, clock=wednesday.timestamp)
    for saved, text in [
        ("2026-11-22T10:00", "Went to the concert on Saturday with Sam"),      # the 21st
        ("2026-11-23T09:00", "Dentist appointment on Friday"),                 # the 27th
        ("2026-11-24T09:00", "I live in Lyon"),
        ("2026-11-25T10:00", "Bought tickets for the concert on Saturday"),    # the 28th, though "bought" is past
        ("2026-11-25T11:00", "Booked a table for Saturday at Luigi's"),        # the 28th ("for" a day once booked)
    ]:
        await service.add(alice.user_id, text, created_at=datetime.fromisoformat(saved).replace(tzinfo=UTC).timestamp())
    saturday = ["Booked a table for Saturday at Luigi's", "Bought tickets for the concert on Saturday"]
    assert sorted(await _texts(service, alice.user_id, "what is planned for Saturday")) == saturday
    assert sorted(await _texts(service, alice.user_id, "what's on for Saturday")) == saturday
    assert sorted(await _texts(service, alice.user_id, "what have I booked for Saturday?")) == saturday
    assert await _texts(service, alice.user_id, "what is scheduled for Friday") == ["Dentist appointment on Friday"]
