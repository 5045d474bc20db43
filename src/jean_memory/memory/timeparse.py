"""Time words in English text: relative dates in a memory and time ranges in a question (pure functions; the
expiry of temporary facts, built on them, is ``expiry``).

One rule table (the alternation ``_PATTERN`` below), not a library. ``dateparser.search.search_dates`` (the one
registry library that searches free text) takes milliseconds per sentence and reads plain words as dates ("I may
go", "a second pet", "march" the verb); ``parsedatetime`` parses whole strings, not spans in a sentence, and has no
idea of ranges ("last week" is seven days, "in May" a month). The phrases people write to a memory are few, and a
rule table keeps each one testable: a call costs tens of microseconds, and a text with no time word (nearly every
memory) costs one pass of a word regex, because the table is only tried a few words before a time word.

Conservative by design, English only:
- Weekdays need a modifier ("on Friday", "next Tuesday", "last Monday"; bare "Friday" and "Fridays" are left
  alone); a day of the month needs one too and no noun after it ("on the 14th", not "on the 2nd floor"); ordinal
  words ("second", "third") are never dates; "now" is never a date.
- "may" and "march" are months only when written "May"/"March", or with a day, a year or "of" beside them;
  a bare month needs a word before it ("in May", "last March", "since June").
- "in two weeks" / "in a month" (a future date) are not read in a past-tense text ("I read it in a week") and
  "in a day" / "in one day" never (a duration).
Conventions: weeks start on Monday. "this Friday" is the Friday of this week, "next Friday" the Friday of next
week, "last Friday" the latest Friday before today; "on Friday" is the coming Friday, or the latest past one when
the text is in the past tense ("I went to the dentist on Friday") and does not arrange the day's event ("Bought
tickets for the concert on Saturday" is the coming Saturday; so are "tickets for Friday", "booked for the 14th"
and "moved the meeting to Friday": "for" and "to" a day are dates only after such words). A question defaults to
the past ("in May" is the latest May) unless it speaks of plans or is in the present tense ("what do I have in
December", "what's on Friday": the coming one). "since May" is always the May that has been. Dates are calendar
dates in the time zone of the reference time (UTC for the service, which does not know the user's zone).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .text import head


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    phrase: str  # as written: "next Tuesday"
    start: date  # resolved against the save time
    end: date  # inclusive; == start for a single day ("this week" spans 7)


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    phrase: str  # "last week"


_FULL_NAMES = tuple(m.lower() for m in calendar.month_name if m)  # "january" ... "december", in order
_MONTHS = {m: i for i, m in enumerate(_FULL_NAMES, 1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12}
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
FULL_MONTHS = frozenset(_FULL_NAMES)
# Words naming days, for the judge's helpers: the weekdays, and "weekday"/"weekend" (plurals are stripped of "s").
DAY_WORDS = frozenset(_WEEKDAYS) | {"weekday", "weekend"}
MONTH_WORDS = tuple(_MONTHS)  # the full names, then "jan" ... "dec" (with "sept")
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2}

_MON = rf"(?:{'|'.join(MONTH_WORDS)})\b\.?"
_FULL_MON = rf"(?:{'|'.join(_FULL_NAMES)})"
_WD = rf"(?:{'|'.join(_WEEKDAYS)})"
_NUM = r"(?:\d{1,3}|a\s+couple\s+of|couple\s+of|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?:day|week|month|year)s?"
_YEAR = r"(?:19|20)\d\d"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"

_PATTERN = re.compile(
    r"\b(?:(?P<prep>on|in|within|since|until|till|til|by|before|after|from|during|through|for|over|to)\s+)?(?:"
    rf"(?P<iso>{_YEAR}-\d\d-\d\d)\b"
    rf"|(?P<mdy_mon>{_MON})\s+(?P<mdy_day>{_DAY})(?P<mdy_ord>st|nd|rd|th)?\b(?:,?\s+(?P<mdy_year>{_YEAR})\b)?"
    rf"|(?:the\s+)?(?P<dmy_day>{_DAY})(?P<dmy_ord>st|nd|rd|th)?\s+(?P<dmy_of>of\s+)?(?P<dmy_mon>{_MON})"
    rf"(?:,?\s+(?P<dmy_year>{_YEAR})\b)?"
    rf"|(?P<my_mon>{_MON})\s+(?:of\s+)?(?P<my_year>{_YEAR})\b"
    rf"|(?P<ago_n>{_NUM})\s+(?P<ago_unit>{_UNIT})\s+ago\b"
    rf"|(?P<in_n>{_NUM})\s+(?P<in_unit>{_UNIT})\b"
    rf"|(?:the\s+)?(?:next|coming)\s+(?P<next_n>{_NUM})\s+(?P<next_unit>{_UNIT})\b"
    rf"|(?:the\s+)?(?:past|last)\s+(?P<win_n>{_NUM})\s+(?P<win_unit>{_UNIT})\b"
    r"|the\s+past\s+(?P<win_period>week|month|year)\b"
    r"|the\s+rest\s+of\s+the\s+(?P<rest_period>day|week|month)\b"
    r"|(?P<p_mod>this|next|last|coming)\s+(?P<p_unit>weekend|week|month|year)\b"
    rf"|(?:(?P<mm_mod>last|next|this|early|late|mid)[\s-]+)?(?P<mm_mon>{_FULL_MON})\b"
    rf"|(?P<year>{_YEAR})\b"
    rf"|(?:(?P<wd_mod>this\s+coming|this|next|last|coming)\s+)?(?P<wd>{_WD})\b"
    rf"|(?:the\s+)?(?P<dom>{_DAY})(?:st|nd|rd|th)\b"
    r"|(?P<named>the\s+day\s+after\s+tomorrow|the\s+day\s+before\s+yesterday|day\s+after\s+tomorrow"
    r"|day\s+before\s+yesterday|tomorrow|tonight|today|yesterday|last\s+night"
    r"|this\s+(?:morning|afternoon|evening))\b"
    r")",
    re.IGNORECASE,
)
# Every phrase above holds one of these words or a word starting with a digit. Only a few words before each are
# tried as the start of a phrase, so a text with no time word costs one pass of ``_TOKEN``.
_TRIGGERS = frozenset(_MONTHS) | frozenset(_WEEKDAYS) | frozenset(
    "ago tomorrow tonight today yesterday day days week weeks weekend month months year years morning afternoon"
    " evening night".split())
# The words a phrase can start with (or a digit): other words are never tried.
_STARTS = _TRIGGERS | frozenset(_NUMBERS) | frozenset(
    "on in within since until till til by before after from during through for over to the this next last coming"
    " past early late mid couple".split())
MAX_DATES = 32  # dates kept for one memory (``resolve_dates``) ...
DATES_CHARS = 8192  # ... read from its first 8 KB
_LOOKBACK = 5  # words before a trigger a phrase may start at: "in the past two weeks", "for the next 3 days"
_TOKEN = re.compile(r"\w+")
_AFTER = frozenset("at and or for to in of so but then when with because from i we my you he she they it the a an our"
                   " their his her its".split())
_WORD_AFTER = re.compile(r"\s*([a-z]+)", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?)]|\Z)")
_PAST = frozenset(
    "did was were went had happened got saw met made came took bought ate visited told said gave left spent started"
    " finished tried played watched called moved ran won lost found felt heard read wrote drove flew celebrated"
    " attended returned".split())
_FUTURE = frozenset(
    "will shall ll gonna plan plans planned planning upcoming scheduled booked appointment due reservation reserved"
    .split())
_JOINS = frozenset("and but then while so because".split())
_BREAK = re.compile(r"[.;:!?,()]")
_FUTURE_PAIRS = frozenset({("going", "to"), ("need", "to"), ("have", "to"), ("want", "to")})
# A question in the present tense asks what is on, not what was: "what do I have in December", "what's on Friday".
_PRESENT = frozenset("do does is are am s whats".split())
# Arranging a coming day is often told in the past ("Bought tickets for the concert on Saturday"): the buying is
# done, the concert ahead. A day of the week or of the month is looked for ahead of the save time when it is
# - "on" the day of an event (_EVENTS, up to three words before "on") that the text arranges (_ARRANGE before it),
#   and nothing in the text says the event was had (_HAD: "went to the concert on Saturday", "... it was amazing");
# - "for" the day, after a word of arranging (up to three words before: "tickets for Friday", "booked for the
#   14th", "what is planned for Saturday") or right after "on" ("what's on for Saturday");
# - "to" the day, after a word of moving it (up to four words before: "moved the meeting to Friday").
# Without those, "for" and "to" a weekday are no date ("for Sunday lunch", "from Monday to Friday").
_ARRANGE = frozenset(
    "bought booked book booking bookings scheduled schedule arranged arrange planned plan plans confirmed confirm"
    " rescheduled reschedule moved reserved reserve reservation ordered postponed organised organized registered"
    " tickets ticket table".split())
_EVENTS = frozenset(
    "concert party appointment flight meeting dinner lunch breakfast brunch show game match gig wedding trip visit"
    " reservation class lesson session interview call tour event exam checkup surgery haircut massage movie film"
    " play recital festival conference presentation train ferry dentist doctor ceremony viewing date".split())
_MOVES = frozenset("moved move rescheduled reschedule postponed postpone pushed push shifted brought".split())
_HAD = frozenset("went attended watched enjoyed loved amazing awesome wonderful fantastic terrible boring".split())


@dataclass(frozen=True, slots=True)
class Found:
    """A time phrase ``scan`` found: the words, its preposition ("since", "on", ...), the days it spans."""

    phrase: str
    prep: str | None
    start: date
    end: date
    absolute: bool  # carries its own year: the reference time does not matter


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _span(unit: str, day: date) -> tuple[date, date]:
    """The week, month or year containing ``day`` (a day for "day")."""
    if unit == "week":
        return _week(day)
    if unit == "month":
        return day.replace(day=1), _month_end(day.year, day.month)
    if unit == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def _shift(day: date, unit: str, n: int) -> date:
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    return _add_months(day, n * (12 if unit == "year" else 1))


def _number(text: str) -> int:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS[text]


def _month_ok(word: str, strong: bool) -> bool:
    """"may"/"mar"/"march" are also verbs: a month only capitalised or with a day-ordinal, year or "of" beside it."""
    if word.lower().rstrip(".") in ("may", "march", "mar"):
        return strong or word[0].isupper()
    return True


def _day_in(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, ref: date, past: bool) -> date | None:
    for year in ((ref.year, ref.year - 1) if past else (ref.year, ref.year + 1)):
        found = _day_in(year, month, day)
        if found is not None and (found <= ref if past else found >= ref):
            return found
    return None


def _resolve(m: re.Match[str], ref: date, past: bool, ahead: bool = False  # noqa: C901
             ) -> tuple[date, date, bool] | None:
    """``ahead``: the day of something the text arranges (``_Context.ahead``): looked for ahead, "for"/"to" allowed."""
    g = m.group
    prep = (g("prep") or "").lower()
    if prep in ("for", "to") and not ahead and (prep == "to" or g("wd") or g("dom")):
        return None
    past = (past or prep == "since") and not ahead  # "vegetarian since May": the May that has been, whatever the tense
    if g("iso"):
        try:
            day = date.fromisoformat(g("iso"))
        except ValueError:
            return None
        return day, day, True
    if g("mdy_mon") or g("dmy_mon"):
        k = "mdy" if g("mdy_mon") else "dmy"
        word, year = g(f"{k}_mon"), g(f"{k}_year")
        if not _month_ok(word, bool(year or g(f"{k}_ord") or (k == "dmy" and g("dmy_of")))):
            return None
        month, day_n = _MONTHS[word.lower().rstrip(".")], int(g(f"{k}_day"))
        found = _day_in(int(year), month, day_n) if year else _month_day(month, day_n, ref, past)
        return (found, found, bool(year)) if found else None
    if g("my_mon"):
        month, year_n = _MONTHS[g("my_mon").lower().rstrip(".")], int(g("my_year"))
        return date(year_n, month, 1), _month_end(year_n, month), True
    if g("ago_unit"):
        day = _shift(ref, g("ago_unit").lower().rstrip("s"), -_number(g("ago_n")))
        return day, day, False
    if g("in_unit"):
        unit, n = g("in_unit").lower().rstrip("s"), _number(g("in_n"))
        if prep not in ("in", "within") or past or (unit == "day" and n == 1):
            return None
        day = _shift(ref, unit, n)
        return day, day, False
    if g("next_unit"):
        return ref, _shift(ref, g("next_unit").lower().rstrip("s"), _number(g("next_n"))), False
    if g("win_unit") or g("win_period"):
        unit = (g("win_unit") or g("win_period")).lower().rstrip("s")
        return _shift(ref, unit, -_number(g("win_n") or "1")), ref, False
    if g("rest_period"):
        return ref, _span(g("rest_period").lower(), ref)[1], False
    if g("p_unit"):
        return _period(g("p_mod").lower(), g("p_unit").lower(), ref)
    if g("mm_mon"):
        word, mod = g("mm_mon"), (g("mm_mod") or "").lower()
        if not (prep or mod) or not _month_ok(word, False) and not _month_end_of_clause(m):
            return None
        return _month(_MONTHS[word.lower()], mod, ref, past)
    if g("year"):
        if not prep or prep in ("for", "over", "on") or _noun_after(m):
            return None
        year_n = int(g("year"))
        return date(year_n, 1, 1), date(year_n, 12, 31), True
    if g("wd"):
        mod = " ".join((g("wd_mod") or "").lower().split())
        if not (prep or mod) or prep in ("over", "in"):
            return None
        day = _weekday(_WEEKDAYS[g("wd").lower()], mod, ref, past)
        return day, day, False
    if g("dom"):
        if prep not in ("on", "by", "until", "till", "til", "since", "before", "after", "from", "for", "to") \
                or _noun_after(m):
            return None
        dom = int(g("dom"))
        for months in ((0, -1, -2) if past else (0, 1, 2)):
            first = _add_months(ref.replace(day=1), months)
            found = _day_in(first.year, first.month, dom)
            if found is not None and (found <= ref if past else found >= ref):
                return found, found, False
        return None
    named = " ".join(g("named").lower().split()).removeprefix("the ")
    offset = {"day after tomorrow": 2, "day before yesterday": -2, "tomorrow": 1, "yesterday": -1,
              "last night": -1}.get(named, 0)
    day = ref + timedelta(days=offset)
    return day, day, False


def _noun_after(m: re.Match[str]) -> bool:
    """A word after a number that makes it a count or an ordinal, not a date ("on the 2nd floor", "after 2000
    steps"); pronouns, articles and connectives ("in 2019 we moved", "on the 14th at noon") are fine."""
    following = _WORD_AFTER.match(m.string, m.end())
    return following is not None and following.group(1).lower() not in _AFTER


def _month_end_of_clause(m: re.Match[str]) -> bool:
    """A lower-case "may"/"march" right before the end of a clause ("what did I do in may?")."""
    return _CLAUSE_END.match(m.string, m.end()) is not None


def _period(mod: str, unit: str, ref: date) -> tuple[date, date, bool]:
    step = {"this": 0, "next": 1, "coming": 1, "last": -1}[mod]
    if unit == "weekend":
        monday = _week(ref)[0] + timedelta(weeks=step)
        return monday + timedelta(days=5), monday + timedelta(days=6), False
    base = _shift(ref.replace(day=1) if unit != "week" else ref, unit, step)
    start, end = _span(unit, base)
    return start, end, False


def _month(month: int, mod: str, ref: date, past: bool) -> tuple[date, date, bool]:
    if mod == "last":
        year = ref.year if month < ref.month else ref.year - 1
    elif mod == "next":
        year = ref.year if month > ref.month else ref.year + 1
    elif mod == "this":
        year = ref.year
    elif past:
        year = ref.year if month <= ref.month else ref.year - 1
    else:
        year = ref.year if month >= ref.month else ref.year + 1
    return date(year, month, 1), _month_end(year, month), False


def _weekday(wd: int, mod: str, ref: date, past: bool) -> date:
    if mod == "this":
        return _week(ref)[0] + timedelta(days=wd)
    if mod == "next":
        return _week(ref)[0] + timedelta(days=7 + wd)
    if mod == "last" or (past and mod == ""):
        return ref - timedelta(days=(ref.weekday() - wd - 1) % 7 + 1)
    return ref + timedelta(days=(wd - ref.weekday() - 1) % 7 + 1)


class _Context:
    """What ``_ahead`` reads of the whole text, computed once per scan (each check reads a few words, never the
    text again: a call per time word that read the whole text made a long text's scan quadratic)."""

    __slots__ = ("arranged", "had", "words")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.had = not _HAD.isdisjoint(words)
        self.arranged: list[bool] = []  # arranged[j]: a word of ``_ARRANGE`` before word j
        seen = False
        for word in words:
            self.arranged.append(seen)
            seen = seen or word in _ARRANGE

    def ahead(self, j: int) -> bool:
        """Whether the day after word ``j`` ("on", "for" or "to") is the day of something the text arranges (the
        rules above ``_ARRANGE``)."""
        words, prep = self.words, self.words[j]
        if prep == "to":
            return not _MOVES.isdisjoint(words[max(0, j - 4):j])
        if prep == "for":
            return (j > 0 and words[j - 1] == "on") or not _ARRANGE.isdisjoint(words[max(0, j - 3):j])
        return not _EVENTS.isdisjoint(words[max(0, j - 3):j]) and self.arranged[j] and not self.had


def scan(text: str, ref: date, past_default: bool, limit: int | None = None) -> list[Found]:
    """The time phrases of ``text`` as days, relative ones resolved against ``ref``; a text whose words tell no
    tense is read as past when ``past_default`` (a question), else as present or future (a memory). ``limit``: stop
    after that many phrases. Linear in the length of the text: every time word tries a few starts, reads its
    clause's tense (found once per clause) and a few words around it."""
    tokens = [(t.start(), t.group().lower()) for t in _TOKEN.finditer(text)]
    triggers = [i for i, (_, w) in enumerate(tokens) if w in _TRIGGERS or w[0].isdigit()]
    if not triggers:
        return []
    words = [w for _, w in tokens]
    whole = bool(_tense(words, past_default))  # never None: the default is a bool
    clauses, owner = _clauses(text, tokens)
    tenses: dict[int, bool | None] = {}
    context = _Context(words)
    matches: dict[int, re.Match[str] | None] = {}  # by start: each start is tried by up to _LOOKBACK + 1 triggers
    found: list[Found] = []
    cursor = 0
    for i in triggers:
        if limit is not None and len(found) >= limit:
            break
        if tokens[i][0] < cursor:  # inside the phrase found last
            continue
        for j in range(max(0, i - _LOOKBACK), i + 1):
            if tokens[j][0] < cursor or not (words[j] in _STARTS or words[j][0].isdigit()):
                continue
            if j not in matches:
                matches[j] = _PATTERN.match(text, tokens[j][0])
            m = matches[j]
            if m is None or m.end() <= tokens[i][0]:
                continue
            ahead = words[j] in ("on", "for", "to") and bool(m.group("wd") or m.group("dom")) and context.ahead(j)
            if words[j] == "to" and not ahead:  # "to" a day only after moving it ("to May": "May" alone, no date)
                continue
            cursor = m.end()
            clause = owner[i]
            if clause not in tenses:
                tenses[clause] = _tense(clauses[clause], None)
            past = tenses[clause]
            try:
                resolved = _resolve(m, ref, whole if past is None else past, ahead)
            except (ValueError, OverflowError):  # a date out of the calendar's range
                resolved = None
            if resolved is not None:
                start, end, absolute = resolved
                found.append(Found(" ".join(m.group().split()), (m.group("prep") or "").lower() or None,
                                    start, end, absolute))
            break
    return found


def _tense(words: list[str], past_default: bool | None) -> bool | None:
    """Whether ``words`` tell of the past (True), the future (False), or neither (``past_default``)."""
    if not _FUTURE.isdisjoint(words) or any(pair in _FUTURE_PAIRS for pair in zip(words, words[1:], strict=False)):
        return False
    if not _PAST.isdisjoint(words):
        return True
    if past_default and not _PRESENT.isdisjoint(words):
        return False
    return past_default


def _clauses(text: str, tokens: list[tuple[int, str]]) -> tuple[list[list[str]], list[int]]:
    """The words of each clause, and for each token the index of its clause: split at punctuation and at the words
    in ``_JOINS``. A day's tense is its clause's when the clause has one ("went to the dentist on Friday and booked a
    cleaning": last Friday), else the whole text's ("On Friday, I went ...")."""
    groups: list[list[str]] = [[]]
    owner: list[int] = []
    for k, (start, word) in enumerate(tokens):
        gap = text[tokens[k - 1][0] + len(tokens[k - 1][1]):start] if k else ""
        if word in _JOINS or _BREAK.search(gap):
            groups.append([])
        groups[-1].append(word)
        owner.append(len(groups) - 1)
    return groups, owner


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def resolve_dates(text: str, saved_at: datetime) -> list[ResolvedDate]:
    """The dates a memory's time words mean, resolved against when it was saved, in the order written: the first
    ``MAX_DATES`` in its first ``DATES_CHARS`` characters (a memory is about a few days; a pasted calendar would
    otherwise store thousands, and a 64 KB text of time words took a tenth of a second to read)."""
    found = scan(head(text, DATES_CHARS), aware(saved_at).date(), False, MAX_DATES)
    return [ResolvedDate(f.phrase, f.start, f.end) for f in found]


def day_start(day: date, zone: datetime) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone.tzinfo).astimezone(UTC)


def question_range(question: str, now: datetime) -> TimeRange | None:
    """The stretch of time a question asks about ("last week", "in May", "since Monday"), or None.

    A date with its own year wins over a relative one ("last Friday on 23 January, 2022"). "since X" runs from X to
    the end of today; "before X"/"until X"/"by X" is the 30 days up to X's end, "after X" the 30 days from its start
    (both near X, where what is asked about was most likely said)."""
    now = aware(now)
    found = scan(question, now.date(), True)
    if not found:
        return None
    pick = next((f for f in found if f.absolute), found[0])
    start, end = pick.start, pick.end + timedelta(days=1)
    if pick.prep == "since":
        end = max(end, now.date() + timedelta(days=1))
    elif pick.prep in ("before", "until", "till", "til", "by"):
        start = min(start, pick.end - timedelta(days=30))
    elif pick.prep == "after":
        end = max(end, pick.start + timedelta(days=31))
    return TimeRange(day_start(start, now), day_start(end, now), pick.phrase)
