"""``judge.decide``: the flags it gives beside the rules that hide (issue 19: flags may be generous, hides never)."""

from __future__ import annotations

import pytest

from jean_memory.judge import decide


@pytest.mark.parametrize(("new", "old", "similarity"), [
    ("Anna is back in Berlin, the Munich job didn't work out.", "Anna moved to Munich last month for a job.", 0.73),
    ("From next month I'm on day shifts, no more weekend nights.", "I usually work night shifts on the weekends.", 0.79),
    ("The payments migration is finished, we shipped it on 12 October.",
     "The payments migration deadline slipped to mid-October.", 0.67),
])
def test_a_value_back_or_ended_is_flagged_never_hidden(new: str, old: str, similarity: float) -> None:
    v = decide(new, old, similarity)
    assert (v.outcome, v.rule) == ("flag", "cue")
    assert decide(new, old, 0.5).outcome == "none"  # the cue flag needs the two close in meaning


@pytest.mark.parametrize(("new", "old"), [
    ("Standup is still at 9:45, but they cut it to 10 minutes.", "Could you note that standup is at 9:45 from now on?"),
    ("Swimming was cancelled this Saturday because the instructor is ill.",
     "The pool reopened, so swimming is back to Saturdays at 10."),
    ("Standup moved to 10 today only.", "Standup is at 9:45."),
])
def test_a_one_off_or_unchanged_value_is_not_flagged_by_its_cue(new: str, old: str) -> None:
    assert decide(new, old, 0.7).outcome == "none"
