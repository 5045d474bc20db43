"""Dates and times in memories and questions (pure, no I/O).

Only ``parse_expires`` is implemented here; the other three functions are replaced at merge by the time helper's
module (same interface).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    phrase: str        # as written: "next Tuesday"
    start: date        # resolved against the save time
    end: date          # inclusive; == start for a single day ("this week" spans 7)


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime    # UTC, inclusive
    end: datetime      # UTC, exclusive
    phrase: str        # "last week"


def resolve_dates(text: str, saved_at: datetime) -> list[ResolvedDate]:
    """Relative dates in a memory. Replaced at merge by the time helper's module."""
    return []


def expiry_for(text: str, saved_at: datetime) -> datetime | None:
    """When a plainly temporary fact stops being true. Replaced at merge by the time helper's module."""
    return None


def question_range(question: str, now: datetime) -> TimeRange | None:
    """The time range a question's time words name. Replaced at merge by the time helper's module."""
    return None


_DURATION = re.compile(r"^(\d{1,6})\s*(min|mins|minutes?|h|hours?|d|days?|w|weeks?)$", re.IGNORECASE)
_UNITS = {"min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_HELP = "expires must be an ISO date (2026-12-31), an ISO date and time (2026-12-31T18:00:00Z) or a duration " \
        "such as 30d, 12h, 2w or 45min"


def parse_expires(value: str, now: datetime) -> datetime:
    """``2026-12-31`` (the end of that day, UTC), an ISO date and time (UTC when no offset is given), or a duration
    from ``now``: ``30d``, ``12h``, ``2w``, ``45min``. ValueError, with a message a person can act on, for anything
    else or a time not after ``now``."""
    text = value.strip()
    found = _DURATION.match(text)
    if found:
        amount, unit = int(found[1]), found[2].casefold()
        step = _UNITS["min" if unit.startswith("min") else unit[0]]
        if amount == 0:
            raise ValueError("expires must be a duration longer than zero, such as 30d")
        return now + amount * step
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            when = datetime.combine(date.fromisoformat(text) + timedelta(days=1), datetime.min.time(), UTC)
        else:
            when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{_HELP} (got {value[:40]!r})") from exc
    if when <= now:
        raise ValueError(f"expires must be in the future (got {value[:40]!r})")
    return when
