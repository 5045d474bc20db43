"""Issue 19, item 4: a new value stated inside a question or request is saved; a fragment that is no fact is not."""

from __future__ import annotations

import pytest

from jean_memory.mcp_server.extract import fact_sentences
from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("message", "facts"), [
    ("can you remind me the meeting moved to 4:30?", ["The meeting moved to 4:30"]),
    ("Can you remind me that my dentist appointment is on Friday the 12th?",
     ["My dentist appointment is on Friday the 12th"]),
    ("Can you remind me of the details for the team meeting? It's been moved to 4:30.", ["It's been moved to 4:30"]),
    ("how should I spend the increased budget of $6,200?", ["The budget was increased to $6,200"]),
    ("Could you help me plan a trip with my new budget of 3000 euros?", ["My budget is now 3000 euros"]),
    ("How do I get to my new office on Baker Street?", ["My office is now on Baker Street"]),
    ("Given that my rent is now $1,500, what can I afford?", ["My rent is now $1,500"]),
    ("Should I tell my boss that I am moving to Denver next month?", ["I am moving to Denver next month"]),
    ("What do you think about the fact that my landlord raised the rent to $1,700?",
     ["My landlord raised the rent to $1,700"]),
    ("The meeting has been moved to 4:30.", ["The meeting has been moved to 4:30"]),
    # a pronoun with what it points at in the same clause still makes a fact
    ("My sister said she likes roses", ["My sister said she likes roses"]),
    ("I'm visiting her parents in Rome", ["I'm visiting her parents in Rome"]),
    ("I want to learn Japanese", ["I want to learn Japanese"]),
])
def test_a_value_stated_inside_a_question_or_request_is_kept(message: str, facts: list[str]) -> None:
    assert fact_sentences(message) == facts


@pytest.mark.parametrize("message", [
    "I want to send her a card", "I need to think about it", "I love it", "Do you think that I should quit?",
    "Can you remind me what time the meeting is?", "What do you think about my new haircut?",
    "Is it true that it rains a lot in Bergen?", "Any dietary restrictions I have", "What is the capital of France?",
])
def test_questions_and_fragments_are_not_saved_as_facts(message: str) -> None:
    assert fact_sentences(message) == []


async def test_jean_memory_saves_the_new_time_stated_in_a_request(
    connect: Connect, runtime: Runtime, alice: Account
) -> None:
    await runtime.memory.add(alice.user_id, "The team meeting is at 3pm on Thursdays")
    async with connect(alice) as s:
        said = data(await s.call_tool("jean_memory", {"user_message": "can you remind me the meeting moved to 4:30?"}))
        fragment = data(await s.call_tool("jean_memory", {"user_message": "I want to send her a card", "depth": 0}))
        later = await s.call_tool("jean_memory", {"user_message": "when is the team meeting?"})
    assert [m["text"] for m in said["saved"]] == ["The meeting moved to 4:30"]
    assert fragment["saved"] == []
    assert "The meeting moved to 4:30" in [m["text"] for m in data(later)["relevant"]]
    assert "The meeting moved to 4:30" in text(later)
