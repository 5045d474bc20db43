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


@pytest.mark.parametrize(("new", "old"), [
    ("My sister's mobile is 07987 654321", "My mobile is 07123 456789"),  # another owner
    ("My son's friend is 6", "My son is 5"),
    ("Meera's friend Ava is allergic to eggs.", "Good news, Meera has outgrown her egg allergy, eggs are fine now."),
    ("Helen's manager is now Greg", "My manager is Helen"),  # the new one is about the old one's value
    ("Priya got promoted to director", "My manager is Priya"),
    ("Acme moved its headquarters to Dallas", "I work at Acme"),
])
def test_no_flag_when_the_two_are_about_different_people_or_things(new: str, old: str) -> None:
    assert decide(new, old, 0.8).outcome == "none"


@pytest.mark.parametrize(("new", "old"), [
    ("Maya has moved schools, she is at Oakridge Primary now", "User's daughter Maya attends Greenfield Primary"),
    ("Marco left the company last week, so it's just Dev, Aisha and me now.",
     "User's teammates are Dev, Aisha and Marco."),  # the value left: the old list may no longer hold
    ("Brightside Labs rebranded as Lumen AI in April.", "User's company is called Brightside Labs."),
    ("Ava's games moved to Sunday afternoons this season, so I coach Sundays now.",
     "I coach Ava's soccer team on Saturday mornings."),
    ("mum's care home visiting is now saturdays at 3", "Mum's care home visits are Sundays at 2"),
    ("doc took me off omeprazole, on famotidine now", "I'm on 20mg omeprazole"),
])
def test_a_flag_between_memories_about_the_same_one_stays(new: str, old: str) -> None:
    assert decide(new, old, 0.8).outcome == "flag"


@pytest.mark.parametrize(("new", "old"), [
    ("Lena's office number is 030 1234567", "Lena's number is 0171 2345678"),
    ("Tom's return flight lands at 9pm on Sunday", "Tom's flight lands at 6pm"),
    ("The after-party is on Saturday", "The party is on Friday"),
])
def test_no_value_flag_between_two_kinds_of_a_thing(new: str, old: str) -> None:
    assert decide(new, old, 0.85).outcome == "none"
    assert decide(new.replace("office ", "").replace("return ", "").replace("after-", ""), old, 0.85).outcome == "flag"
