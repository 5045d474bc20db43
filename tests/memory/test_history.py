"""The service keeps current truth: replacement at write time, history, undo, expiry, export/import links."""

from __future__ import annotations

import time

import pytest

from jean_memory.errors import InvalidInput, NotFound
from jean_memory.memory.purge import purge_once
from jean_memory.runtime import Runtime
from tests.conftest import Account, make_account

pytestmark = pytest.mark.anyio


async def test_a_changed_fact_replaces_the_old_one_and_history_keeps_it(runtime: Runtime, alice: Account) -> None:
    memory = runtime.memory
    [berlin] = await memory.add(alice.user_id, "My sister Anna lives in Berlin, Germany")
    await memory.add(alice.user_id, ["My friend Tom also lives in Berlin", "I like green tea"])
    [munich] = await memory.add(alice.user_id, "My sister Anna lives in Munich now")
    assert [m.id for m in munich.replaced] == [berlin.memory.id]
    old = await memory.get(alice.user_id, berlin.memory.id)  # by id: still there, marked
    assert old.superseded_by == munich.memory.id and old.valid_until is not None and old.replaced_value == "Berlin"
    hits = await memory.search(alice.user_id, "where does my sister live")
    assert hits[0].memory.id == munich.memory.id and berlin.memory.id not in [h.memory.id for h in hits]
    assert "My friend Tom also lives in Berlin" in [h.memory.text for h in hits]  # an unrelated fact stays current
    past = await memory.search(alice.user_id, "where does my sister live", include_history=True)
    assert berlin.memory.id in [h.memory.id for h in past]
    assert berlin.memory.id not in [m.id for m in (await memory.list(alice.user_id)).items]
    assert berlin.memory.id in [m.id for m in (await memory.list(alice.user_id, include_history=True)).items]
    assert await memory.count(alice.user_id) == 3
    assert [m.id for m in await memory.history(alice.user_id, berlin.memory.id)] == [munich.memory.id,
                                                                                      berlin.memory.id]
    notes = await memory.change_notes(alice.user_id, [munich.memory])
    assert notes[munich.memory.id].startswith("changed from Berlin on ")
    [change] = await memory.changes(alice.user_id)
    assert change.old.id == berlin.memory.id and change.new is not None and change.new.id == munich.memory.id


async def test_undo_makes_both_current_and_is_not_redone(runtime: Runtime, alice: Account) -> None:
    memory = runtime.memory
    [lyon] = await memory.add(alice.user_id, "I live in Lyon")
    [nice] = await memory.add(alice.user_id, "I moved to Marseille")
    assert nice.replaced
    back = await memory.undo_change(alice.user_id, lyon.memory.id)
    assert back.superseded_by is None
    assert {m.id for m in (await memory.list(alice.user_id)).items} == {lyon.memory.id, nice.memory.id}
    assert await memory.changes(alice.user_id) == []
    with pytest.raises(NotFound):
        await memory.undo_change(alice.user_id, lyon.memory.id)  # current now: nothing to undo
    bob = await make_account(runtime, "bob-history@example.com")
    with pytest.raises(NotFound):
        await memory.undo_change(bob.user_id, nice.memory.id)
    [again] = await memory.add(alice.user_id, "I moved to Marseille!")  # the same fact again: known, nothing replaced
    assert not again.created and (await memory.get(alice.user_id, lyon.memory.id)).superseded_by is None


async def test_update_keeps_the_previous_text_under_the_same_id(runtime: Runtime, alice: Account) -> None:
    memory = runtime.memory
    [phone] = await memory.add(alice.user_id, "My phone number is 555-0100")
    updated = await memory.update(alice.user_id, phone.memory.id, "My phone number is 555-0199")
    assert updated.id == phone.memory.id
    versions = await memory.history(alice.user_id, phone.memory.id)
    assert [v.text for v in versions] == ["My phone number is 555-0199", "My phone number is 555-0100"]
    assert versions[1].id != phone.memory.id and versions[1].superseded_by == phone.memory.id
    assert [h.memory.text for h in await memory.search(alice.user_id, "phone number")] == [
        "My phone number is 555-0199"]


async def test_expiry_hides_then_purges(runtime: Runtime, alice: Account) -> None:
    memory = runtime.memory
    [trip] = await memory.add(alice.user_id, "I am in Paris this week", expires="7d")
    [kept] = await memory.add(alice.user_id, "I love Paris in spring")
    assert trip.memory.expires_at is not None and trip.memory.expires_at > time.time() + 6 * 86400
    assert {h.memory.id for h in await memory.search(alice.user_id, "Paris")} == {trip.memory.id, kept.memory.id}
    [gone] = await memory.add(alice.user_id, "I am at the dentist at 3pm", expires=time.time() - 1)
    assert gone.memory.id not in [h.memory.id for h in await memory.search(alice.user_id, "dentist")]
    assert gone.memory.id in [h.memory.id for h in await memory.search(alice.user_id, "dentist",
                                                                       include_history=True)]
    later = time.time() + runtime.settings.deleted_retention + 1
    assert await purge_once(runtime, now=later) == 1
    with pytest.raises(NotFound):
        await memory.get(alice.user_id, gone.memory.id)
    [fresh] = await memory.add(alice.user_id, "I am in Paris this week")  # still current: a duplicate
    assert not fresh.created


@pytest.mark.parametrize("value", ["soon", "30M", "0d", "2001-01-01", "1" * 70, True])
async def test_bad_expiry_is_a_clear_error(runtime: Runtime, alice: Account, value: object) -> None:
    with pytest.raises(InvalidInput, match="expires"):
        await runtime.memory.add(alice.user_id, "I am in Oslo", expires=value)
    assert await runtime.memory.count(alice.user_id) == 0


async def test_export_and_import_keep_the_links(runtime: Runtime, alice: Account) -> None:
    memory = runtime.memory
    [berlin] = await memory.add(alice.user_id, "I live in Berlin")
    await memory.add(alice.user_id, "I moved to Hamburg")
    [job] = await memory.add(alice.user_id, "I work at Acme")
    await memory.update(alice.user_id, job.memory.id, "I work at Initech")
    await memory.add(alice.user_id, "I am in Rome for the weekend", expires="3d")
    records = [r async for r in memory.export(alice.user_id)]
    assert len(records) == 5 and sum(r["superseded_by"] is not None for r in records) == 2
    assert next(r for r in records if r["id"] == berlin.memory.id)["replaced_value"] == "Berlin"
    bob = await make_account(runtime, "bob-import@example.com")
    counts = await memory.import_records(bob.user_id, records)
    assert counts["memories"] == 5
    assert sorted(m.text for m in (await memory.list(bob.user_id)).items) == [
        "I am in Rome for the weekend", "I moved to Hamburg", "I work at Initech"]
    [hamburg] = await memory.search(bob.user_id, "Hamburg", limit=1)
    assert [v.text for v in await memory.history(bob.user_id, hamburg.memory.id)] == [
        "I moved to Hamburg", "I live in Berlin"]
    [initech] = await memory.search(bob.user_id, "Initech", limit=1)
    versions = await memory.history(bob.user_id, initech.memory.id)
    assert [v.text for v in versions] == ["I work at Initech", "I work at Acme"]
    assert versions[1].superseded_by == initech.memory.id  # mapped to the new id
    rome = next(m for m in (await memory.list(bob.user_id)).items if "Rome" in m.text)
    assert rome.expires_at is not None
    again = await memory.import_records(bob.user_id, records)  # the same file again adds nothing
    assert again["memories"] == 0 and again["duplicates"] == 5
    assert len((await memory.list(bob.user_id, include_history=True)).items) == 5


async def test_an_old_export_is_judged_like_new_memories(runtime: Runtime, alice: Account) -> None:
    records = [{"type": "memory", "text": "I live in Porto", "created_at": 1000.0},
               {"type": "memory", "text": "I moved to Braga", "created_at": 2000.0}]
    await runtime.memory.import_records(alice.user_id, records)
    assert [m.text for m in (await runtime.memory.list(alice.user_id)).items] == ["I moved to Braga"]


async def test_a_change_in_wording_the_rules_do_not_know_is_flagged_through_embedding_similarity(
        runtime: Runtime, alice: Account) -> None:
    """The service hands the judgment the dense cosine of each candidate, so the generic rule can run; what it
    finds is doubtful, so the older memory is flagged (kept current), not hidden."""
    memory = runtime.memory
    [chrome] = await memory.add(alice.user_id, "Default browser: Chrome")
    [jira] = await memory.add(alice.user_id, "We use Jira")
    [firefox] = await memory.add(alice.user_id, "Firefox is my main browser now")
    assert firefox.replaced == () and [m.id for m in firefox.flagged] == [chrome.memory.id]
    old = await memory.get(alice.user_id, chrome.memory.id)
    assert old.superseded_by is None and old.possibly_outdated_by == firefox.memory.id
    assert old.status(0) == "possibly_outdated"
    [confluence] = await memory.add(alice.user_id, "We also use Confluence for docs")  # an addition
    assert confluence.replaced == () and confluence.flagged == ()
    assert (await memory.get(alice.user_id, jira.memory.id)).superseded_by is None


async def test_a_question_that_matches_only_a_flagged_memory_finds_the_one_that_flagged_it(
        runtime: Runtime, alice: Account) -> None:
    """ "Where does my sister live?" matches the flagged "My sister moved to Munich"; the memory that flagged it
    never says "sister", and comes back just before it."""
    memory = runtime.memory
    [munich] = await memory.add(alice.user_id, "My sister Anna moved to Munich last month for a new job at BMW.")
    await memory.add(alice.user_id, ["I like green tea", "Our cat is called Miso", "I work as a nurse"])
    [berlin] = await memory.add(alice.user_id, "Anna is back in Berlin, the Munich job didn't work out.")
    assert [m.id for m in berlin.flagged] == [munich.memory.id]
    ids = [h.memory.id for h in await memory.search(alice.user_id, "where does my sister live?", 2)]
    assert ids == [berlin.memory.id, munich.memory.id]
