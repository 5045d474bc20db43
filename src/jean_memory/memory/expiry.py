"""Expiry: when a plainly temporary fact stops being true (``expiry_for``, what ``jean_memory`` sets for "I'm in Paris
this week"), and the ``expires`` field a caller gives (``parse_expires``: an ISO date, a date and time, or a
duration such as ``30d``). The time phrases come from ``timeparse``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from .timeparse import aware, day_start, scan

# -- expiry --------------------------------------------------------------------------------------------------

_STATE = re.compile(r"\b(?:i|we)(?:'m|’m|\s+am|'re|’re|\s+are|'ll\s+be|’ll\s+be|\s+will\s+be|\s+won't\s+be)\b",
                    re.IGNORECASE)
_DURABLE = re.compile(r"\b(?:birthday|anniversary|born|years?\s+old|turn(?:ed|ing)?|always|every|usually|lives?)\b"
                      r"|\b(?:i|we)(?:'m|\s+am)\s+\d", re.IGNORECASE)
_TEMPORARY = re.compile(r"^(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week|weekend|month)"
                        r"|next\s+(?:week|weekend)|the\s+day\s+after\s+tomorrow)$", re.IGNORECASE)


_MORE_THAN_ONE = re.compile(r"[.!?;]\s+\S|\n\s*\S")
_MAX_CHARS = 1000  # 25 words of 40 characters
_SPELLED_OUT = re.compile(r"^(?:for|over) the (?:next|coming|rest)\b")


def expiry_for(text: str, saved_at: datetime) -> datetime | None:
    """When a plainly temporary fact stops being true (UTC), or None for anything else.

    Temporary means a first-person state ("I'm", "we are", "I'll be") held for a stretch that ends soon: today,
    tonight, tomorrow, this morning/week/weekend/month, next week/weekend ("I'm in Paris this week" ends with
    Sunday); or a stretch that is spelled out: "until Friday" (the end of Friday), "for the next 3 days", "for
    the rest of the week". Durable facts ("I live in Paris"), past ones, birthdays and ages, and habits ("every",
    "usually") get nothing, and so does a text of more than one sentence, 25 words or ``_MAX_CHARS`` characters:
    expiring it would lose whatever else it says. (The length checks come first: they bound what the rest reads.)
    """
    saved_at = aware(saved_at)
    if len(text) > _MAX_CHARS or len(text.split()) > 25 or _DURABLE.search(text) or _MORE_THAN_ONE.search(
            text.strip()):
        return None
    found = scan(text, saved_at.date(), False)
    if not found:
        return None
    stated = _STATE.search(text) is not None
    ends = []
    for f in found:
        phrase = f.phrase.lower()
        plain = phrase.split(" ", 1)[1] if f.prep else phrase
        if f.prep in ("until", "till", "til") or _SPELLED_OUT.match(phrase):
            ends.append(f.end)
        elif stated and f.prep is None and _TEMPORARY.match(plain):
            ends.append(f.end)
    if not ends:
        return None
    expires = day_start(max(ends) + timedelta(days=1), saved_at)
    return expires if expires > saved_at else None


# -- the "expires" field -------------------------------------------------------------------------------------

_DURATION = re.compile(r"^(\d{1,6})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?|y|years?)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
MAX_EXPIRY = timedelta(days=100 * 365)
_HELP = ("expires must be an ISO date (2026-12-31: through the end of that day, UTC), an ISO date and time "
         "(2026-12-31T18:00:00Z) or a duration: a whole number with m (minutes), h (hours), d (days), w (weeks) or "
         "y (years), such as 30d")


def parse_expires(value: str, now: datetime) -> datetime:
    """When a memory given ``expires=value`` at ``now`` expires (UTC). ValueError, with what to write, otherwise.

    An ISO date lasts through that whole day (UTC): it expires at the next midnight. A time without a zone is
    UTC. Durations count from ``now``; "m" is minutes (write "30d", not "1M", for a month). The result must lie
    in the future and at most 100 years ahead."""
    now = aware(now).astimezone(UTC)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_HELP)
    text = value.strip()
    duration = _DURATION.match(text)
    if duration:
        seconds = int(duration.group(1)) * _UNIT_SECONDS[duration.group(2)[0]]
        if seconds == 0:
            raise ValueError("expires must be in the future; a duration of 0 would expire the memory at once")
        if seconds > MAX_EXPIRY.total_seconds():
            raise ValueError("expires is more than 100 years away; leave it out for a memory that does not expire")
        return now + timedelta(seconds=seconds)
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            moment = datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), tzinfo=UTC)
        elif re.fullmatch(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d.*", text):
            moment = aware(datetime.fromisoformat(text)).astimezone(UTC)
        else:
            raise ValueError(_HELP)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{_HELP}; {text[:40]!r} is not one") from exc
    if moment <= now:
        raise ValueError(f"expires {text} is in the past; give a later date or a duration such as 30d")
    if moment - now > MAX_EXPIRY:
        raise ValueError("expires is more than 100 years away; leave it out for a memory that does not expire")
    return moment
