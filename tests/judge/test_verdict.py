"""``judge.decide``: the flags it gives beside the rules that hide (issue 19: flags may be generous, hides never)."""

from __future__ import annotations

import pytest

from jean_memory.judge import decide


@pytest.mark.parametrize(("new", "old", "similarity"), [
    ("Anna is back in Berlin, the Munich job didn't work out.", "Anna moved to Munich last month for a job.", 0.73),
    ("From next month I'm on day shifts, no more weekend nights.",
     "I usually work night shifts on the weekends.", 0.79),
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


@pytest.mark.parametrize(("new", "old", "old_value", "another"), [
    ("Raj switched jobs, he's at KPMG now.", "My husband Raj works at Deloitte as an auditor.", "Deloitte",
     "Raj switched gyms, he's at PureGym now."),
    ("Hannah has a new number, 07700 900456.", "Leo's mum Hannah: 07700 900123", "900123",
     "Hannah has a new puppy, Biscuit."),
    ("I'm full-time at Boots now.", "I work part-time as a pharmacist at Boots, three days a week.", "part-time",
     "I'm at the Boots in town now."),
    ("Remote days are Tuesday and Friday now.", "I work from home Mondays and Fridays.", "Mondays",
     "Remote meetings are on Tuesdays now."),
])
def test_an_attribute_in_other_words_is_flagged_by_the_generic_rule(new: str, old: str, old_value: str,
                                                                     another: str) -> None:
    """"switched jobs" names where one works, "a new number" a phone number, "full-time" how much of the week,
    "remote days" working from home: the generic rule reads them (a flag: it never hides); another attribute of
    the same person or thing stays untouched."""
    v = decide(new, old, 0.55)
    assert (v.outcome, v.rule, v.old_value) == ("flag", "generic", old_value)
    assert decide(another, old, 0.55).outcome == "none"


def test_the_users_home_moved_is_flagged_even_far_in_meaning() -> None:
    """ "We've moved! We're in Beeston now" (cosine 0.41) says where the user lives in a sentence the residence rule
    does not read: a flag (never a hide), and only against where the user lives, with a place the old one lacks."""
    old = "We live in West Bridgford, Nottingham."
    v = decide("We've moved! We're in Beeston now.", old, 0.41)
    assert (v.outcome, v.rule, v.old_value) == ("flag", "home", "West Bridgford")
    assert decide("We've moved! Still in West Bridgford, just a bigger flat.", old, 0.41).outcome == "none"
    assert decide("We've moved! We're in Beeston now.", "My sister Anna lives in Berlin.", 0.41).outcome == "none"
    assert decide("Jonas has moved! He's in Leipzig now.", old, 0.41).outcome == "none"
