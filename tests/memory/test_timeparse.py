"""Time words: relative dates in memories, ranges in questions, expiry of temporary facts, the expires field."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from jean_memory.memory.expiry import expiry_for, parse_expires
from jean_memory.memory.timeparse import question_range, resolve_dates

# Friday 27 November 2026, 15:00 UTC
SAVED = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def _dates(text: str, saved: datetime = SAVED) -> list[tuple[str, str, str]]:
    return [(d.phrase, d.start.isoformat(), d.end.isoformat()) for d in resolve_dates(text, saved)]


@pytest.mark.parametrize(("text", "phrase", "start", "end"), [
    ("Dentist next Tuesday at 3", "next Tuesday", "2026-12-01", "2026-12-01"),
    ("Team lunch this Tuesday", "this Tuesday", "2026-11-24", "2026-11-24"),
    ("Party on the 14th at Anna's", "on the 14th", "2026-12-14", "2026-12-14"),
    ("I'm flying to Rome tomorrow", "tomorrow", "2026-11-28", "2026-11-28"),
    ("Pizza with Sam tonight", "tonight", "2026-11-27", "2026-11-27"),
    ("Hiking this weekend", "this weekend", "2026-11-28", "2026-11-29"),
    ("My exam is in two weeks", "in two weeks", "2026-12-11", "2026-12-11"),
    ("We move next month", "next month", "2026-12-01", "2026-12-31"),
    ("Meeting with Priya on Friday", "on Friday", "2026-12-04", "2026-12-04"),
    ("I went to the dentist on Friday", "on Friday", "2026-11-20", "2026-11-20"),
    ("Mom visits May 3rd", "May 3rd", "2027-05-03", "2027-05-03"),
    ("I ran a half marathon 3 days ago", "3 days ago", "2026-11-24", "2026-11-24"),
    ("Yesterday I adopted a cat", "Yesterday", "2026-11-26", "2026-11-26"),
    ("Last year I changed jobs", "Last year", "2025-01-01", "2025-12-31"),
    ("Started a new course this week", "this week", "2026-11-23", "2026-11-29"),
    ("We met on 3 June, 2023", "on 3 June, 2023", "2023-06-03", "2023-06-03"),
    ("The lease ends on 2027-01-31", "on 2027-01-31", "2027-01-31", "2027-01-31"),
    ("Back from Japan since last Monday", "since last Monday", "2026-11-23", "2026-11-23"),
    ("The wedding is in March", "in March", "2027-03-01", "2027-03-31"),
    ("Birthday party the day after tomorrow", "the day after tomorrow", "2026-11-29", "2026-11-29"),
    ("I've been vegetarian since May", "since May", "2026-05-01", "2026-05-31"),  # since: the May that has been
])
def test_relative_dates_in_a_memory_resolve_against_its_save_time(text: str, phrase: str, start: str, end: str) -> None:
    assert _dates(text) == [(phrase, start, end)]


@pytest.mark.parametrize("text", [
    "I may go to the gym",                 # may, the verb
    "We march on Saturdays",               # march, the verb; a habit, not a date
    "in may we will travel",               # lower-case "may" before more words: read as the verb
    "We adopted a second pet",             # ordinal words are never dates
    "I live on the 2nd floor",             # an ordinal before a noun
    "I'd rather go now",
    "I work from home on Fridays",         # a habit
    "Friday is my day off",                # a weekday without a modifier
    "Take the Sun Valley exit",
    "I read the whole book in a week",     # a duration in a past-tense text
    "I could finish it in one day",
    "I walk after 2000 steps of warm-up",  # a number, not a year
    "My flat has 3 rooms and 12 windows",
    "The March for Science was fun",
])
def test_words_that_only_look_like_dates_are_left_alone(text: str) -> None:
    assert resolve_dates(text, SAVED) == []


def test_todays_is_a_date_too() -> None:
    # "today's special" does mean the day it was written; it gets a date, but no expiry (no first-person state).
    assert _dates("Today's special at Luigi's is lasagna") == [("Today", "2026-11-27", "2026-11-27")]
    assert expiry_for("Today's special at Luigi's is lasagna", SAVED) is None


def test_a_naive_save_time_is_utc_and_a_zone_is_respected() -> None:
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert _dates("tomorrow", late.replace(tzinfo=None)) == [("tomorrow", "2026-11-28", "2026-11-28")]
    assert resolve_dates("tomorrow", late.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")))[0].start == \
        date(2026, 11, 29)


def _range(question: str, now: datetime = SAVED) -> tuple[str, str, str] | None:
    found = question_range(question, now)
    return None if found is None else (found.start.isoformat()[:10], found.end.isoformat()[:10], found.phrase)


@pytest.mark.parametrize(("question", "start", "end", "phrase"), [
    ("what did I do last week", "2026-11-16", "2026-11-23", "last week"),
    ("where did we eat in May", "2026-05-01", "2026-06-01", "in May"),
    ("what did I do in may?", "2026-05-01", "2026-06-01", "in may"),
    ("what happened two days ago", "2026-11-25", "2026-11-26", "two days ago"),
    ("books I read this year", "2026-01-01", "2027-01-01", "this year"),
    ("what did I eat yesterday", "2026-11-26", "2026-11-27", "yesterday"),
    ("what did I buy last month", "2026-10-01", "2026-11-01", "last month"),
    ("trips in 2025", "2025-01-01", "2026-01-01", "in 2025"),
    ("what changed since Monday", "2026-11-23", "2026-11-28", "since Monday"),
    ("what did I say this morning", "2026-11-27", "2026-11-28", "this morning"),
    ("what did I do in the last 3 days", "2026-11-24", "2026-11-28", "in the last 3 days"),
    ("what are my plans next week", "2026-11-30", "2026-12-07", "next week"),
    ("where did I go last weekend", "2026-11-21", "2026-11-23", "last weekend"),
    ("What setback did Melanie face in October 2023?", "2023-10-01", "2023-11-01", "in October 2023"),
    # a date with its own year wins over a relative one
    ("What did Joanna finish last Friday on 23 January, 2022?", "2022-01-23", "2022-01-24", "on 23 January, 2022"),
    ("What did Maria do the week before August 3, 2023?", "2023-07-04", "2023-08-04", "before August 3, 2023"),
    # the present tense asks what is on: the coming December, the coming Friday
    ("what do I have in December", "2026-12-01", "2027-01-01", "in December"),
    ("what's on Friday", "2026-12-04", "2026-12-05", "on Friday"),
    ("what happened in December", "2025-12-01", "2026-01-01", "in December"),
    ("what did I do on Friday", "2026-11-20", "2026-11-21", "on Friday"),
    ("what is new since May", "2026-05-01", "2026-11-28", "since May"),
])
def test_time_words_in_a_question_give_a_range(question: str, start: str, end: str, phrase: str) -> None:
    assert _range(question) == (start, end, phrase)


@pytest.mark.parametrize("question", [
    "where does my sister live", "what may I eat", "when is the march", "do I have a second car",
    "what's new now", "which Sunday market do I like",
])
def test_questions_without_time_words_give_no_range(question: str) -> None:
    assert question_range(question, SAVED) is None


@pytest.mark.parametrize(("text", "expires"), [
    ("I'm in Paris this week", "2026-11-30"),
    ("I'm at the dentist today", "2026-11-28"),
    ("today I'm working from home", "2026-11-28"),
    ("We're away this weekend", "2026-11-30"),
    ("I'm off until Friday", "2026-12-05"),
    ("The office is closed until the 3rd", "2026-12-04"),
    ("I'm in Rome for the next 3 days", "2026-12-01"),
    ("I'll be in Tokyo next week", "2026-12-07"),
    ("I'm staying with Mum for the rest of the week", "2026-11-30"),
])
def test_plainly_temporary_facts_get_an_expiry(text: str, expires: str) -> None:
    assert expiry_for(text, SAVED) == datetime.fromisoformat(expires).replace(tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "I live in Paris",
    "I'm vegetarian",
    "I'm 30 today",                      # an age, said on a birthday
    "Today's my birthday",
    "I was in Paris this week",          # past
    "I lived in Paris until 2020",       # past
    "I usually work from home on Friday",
    "I live in Lyon but I'm in Paris this week",  # would drop the durable half
    "I'm learning Spanish",
    "Had a great time in Rome yesterday",
    "Let's get planning for next month!",  # "for next month" is not "for the next month"
    "My manager is Priya. I'm in Paris this week.",  # two sentences: expiring would lose the first
    "I'm so pumped for the launch tomorrow and everyone on the team has worked on it for months, with the studio"
    " rebuilt from scratch and the new website",  # long: more than a plainly temporary fact
])
def test_durable_or_past_facts_get_no_expiry(text: str) -> None:
    assert expiry_for(text, SAVED) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-12-31", datetime(2027, 1, 1, tzinfo=UTC)),  # through the end of that day
    ("2026-12-31T18:00:00Z", datetime(2026, 12, 31, 18, tzinfo=UTC)),
    ("2026-12-31T18:00:00+02:00", datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ("2026-12-31T18:00", datetime(2026, 12, 31, 18, tzinfo=UTC)),  # no zone: UTC
    ("30d", SAVED + timedelta(days=30)),
    (" 12h ", SAVED + timedelta(hours=12)),
    ("2w", SAVED + timedelta(weeks=2)),
    ("90m", SAVED + timedelta(minutes=90)),  # m is minutes
    ("1y", SAVED + timedelta(days=365)),
    ("3 days", SAVED + timedelta(days=3)),
])
def test_parse_expires_takes_dates_times_and_durations(value: str, expected: datetime) -> None:
    assert parse_expires(value, SAVED) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("", "ISO date"),
    ("soon", "'soon' is not one"),
    ("1M", "m (minutes)"),
    ("2026-13-01", "is not one"),
    ("2020-01-01", "in the past"),
    ("2026-11-27T14:00:00Z", "in the past"),
    ("0d", "in the future"),
    ("200y", "100 years"),
    ("2200-01-01", "100 years"),
    ("-5d", "ISO date"),
])
def test_parse_expires_refuses_what_it_cannot_honour(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="expires") as caught:
        parse_expires(value, SAVED)
    assert message in str(caught.value)


def test_a_call_costs_tens_of_microseconds() -> None:
    texts = ["I'm in Paris this week and back next Tuesday for the dentist on the 14th",
             "My sister Anna lives in Munich now", "what did I do last week", "I prefer window seats on flights"]
    n = 300
    t0 = time.perf_counter()
    for _ in range(n):
        for text in texts:
            resolve_dates(text, SAVED)
            question_range(text, SAVED)
            expiry_for(text, SAVED)
    per_call = (time.perf_counter() - t0) / (n * len(texts) * 3)
    assert per_call < 200e-6  # measured ~10-25 µs on a loaded 2-core VM; the bound leaves room for a busy machine


# Wednesday 25 November 2026 and Friday 20 November 2026, 15:00 UTC
WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
THE_20TH = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "saved", "phrase", "day"), [
    # arranging it is past, the event is ahead: the coming Saturday, not the one gone
    ("Bought tickets for the concert on Saturday", WEDNESDAY, "on Saturday", "2026-11-28"),
    ("Confirmed the dentist appointment on Friday", WEDNESDAY, "on Friday", "2026-11-27"),
    ("Rescheduled Anna's party on Saturday", WEDNESDAY, "on Saturday", "2026-11-28"),
    ("Arranged the flight on Monday and paid for it", WEDNESDAY, "on Monday", "2026-11-30"),
    ("Got tickets for the show on the 14th", THE_20TH, "on the 14th", "2026-12-14"),
    ("Bought a gift for the dinner on the 14th", THE_20TH, "on the 14th", "2026-12-14"),
    # "for" a day, after a word about arranging it
    ("Got tickets for Friday", WEDNESDAY, "for Friday", "2026-11-27"),
    ("Bought the tickets for Saturday's match", WEDNESDAY, "for Saturday", "2026-11-28"),
    ("The table is booked for the 14th", THE_20TH, "for the 14th", "2026-12-14"),
    ("Booked a table for Saturday at Luigi's", WEDNESDAY, "for Saturday", "2026-11-28"),
    ("Moved the meeting to Friday", WEDNESDAY, "to Friday", "2026-11-27"),
    ("Rescheduled the dentist to the 3rd", THE_20TH, "to the 3rd", "2026-12-03"),
])
def test_a_past_arrangement_of_a_coming_event_looks_forward(text: str, saved: datetime, phrase: str, day: str) -> None:
    assert _dates(text, saved) == [(phrase, day, day)]


@pytest.mark.parametrize(("text", "saved", "phrase", "day"), [
    # the event itself is past: the Saturday gone
    ("Went to the concert on Saturday", WEDNESDAY, "on Saturday", "2026-11-21"),
    ("The concert on Saturday was great", WEDNESDAY, "on Saturday", "2026-11-21"),
    ("Bought a new jacket on Saturday", WEDNESDAY, "on Saturday", "2026-11-21"),  # no event: the buying's day
    ("Bought tickets for the concert on Saturday and it was amazing", WEDNESDAY, "on Saturday", "2026-11-21"),
    ("I moved to Berlin on the 14th", THE_20TH, "on the 14th", "2026-11-14"),
    ("Had dinner on the 14th with Sam", THE_20TH, "on the 14th", "2026-11-14"),
])
def test_a_past_event_or_a_past_errand_stays_past(text: str, saved: datetime, phrase: str, day: str) -> None:
    assert _dates(text, saved) == [(phrase, day, day)]


@pytest.mark.parametrize(("text", "expected"), [
    # The day takes its own clause's tense: a plan told later in the text does not pull it forward ...
    ("I went to the dentist on Friday and booked a cleaning", [("on Friday", "2026-11-20")]),
    ("Saw the doctor on Monday. Next appointment is on Thursday", [("on Monday", "2026-11-23"),
                                                                  ("on Thursday", "2026-11-26")]),
    ("I booked a cleaning for Friday and went home", [("for Friday", "2026-11-27")]),
    ("I will see Anna on Friday and we went to lunch last week", [("on Friday", "2026-11-27"),
                                                                 ("last week", "2026-11-16")]),
    # ... and a clause with no tense of its own takes the whole text's.
    ("On Friday, I went to the dentist", [("On Friday", "2026-11-20")]),
])
def test_a_day_takes_the_tense_of_its_own_clause(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(phrase, start) for phrase, start, _ in _dates(text, WEDNESDAY)] == expected


@pytest.mark.parametrize("text", [
    "We cooked for Sunday lunch",          # "for" a weekday, nothing arranged: a kind of meal, not a date
    "I went back to Friday's notes",       # "to" a weekday, nothing moved
    "From Monday to Friday I work late",   # a habit's span, not a move
    "I listened to Sunday Service",
])
def test_for_and_to_a_weekday_need_an_arrangement(text: str) -> None:
    assert [d.phrase.lower().split()[0] for d in resolve_dates(text, WEDNESDAY)] in ([], ["from"])


@pytest.mark.parametrize(("question", "start", "phrase"), [
    ("what is planned for Saturday", "2026-11-28", "for Saturday"),
    ("what's on for Saturday", "2026-11-28", "for Saturday"),
    ("what have I booked for Friday", "2026-11-27", "for Friday"),
    ("what is scheduled for Monday", "2026-11-30", "for Monday"),
    ("anything booked for the 14th", "2026-12-14", "for the 14th"),
])
def test_a_question_about_what_is_arranged_for_a_day_gets_that_day(question: str, start: str, phrase: str) -> None:
    end = (date.fromisoformat(start) + timedelta(days=1)).isoformat()
    assert _range(question, WEDNESDAY) == (start, end, phrase)


@pytest.mark.parametrize("question", ["what did I cook for Sunday lunch", "who did I talk to on Friday's call"])
def test_a_question_with_for_a_weekday_and_nothing_arranged_gets_no_day_of_its_own(question: str) -> None:
    found = question_range(question, WEDNESDAY)
    assert found is None or found.phrase.lower() == "on friday"
