"""UK time helpers: everything is stored in UTC and shown in Europe/London."""

import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_uk(value: datetime) -> datetime:
    return as_utc(value).astimezone(UK)


def uk_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in the UK on a day, as UTC (right either side of the clocks changing)."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


# The three below are remembered: a moment always reads the same, and lists (My bookings, the slot picker,
# the facilitators' pages) name dozens of moments on every page they serve.
@lru_cache(maxsize=8192)
def uk_datetime(value: datetime | None) -> str:
    """'Tuesday 16 June 2026, 9:30am' in UK time."""
    if value is None:
        return ""
    local = to_uk(value)
    return f"{local:%A} {local.day} {local:%B %Y}, {uk_time(value)}"


@lru_cache(maxsize=8192)
def uk_date(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_uk(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


def clock(value: time | None) -> str:
    """A wall-clock time as GOV.UK writes it: '9:30am', '2pm', 'midday', 'midnight'."""
    if value is None:
        return ""
    if value.minute == 0 and value.hour in (0, 12):
        return "midday" if value.hour == 12 else "midnight"
    hour, suffix = value.hour % 12 or 12, "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


# ASCII digits only; "9:30am", "9.30 am", "9am", "14:00", "09:30"; am/pm optional with minutes.
_CLOCK = re.compile(r"\s*([0-9]{1,2})(?:\s*[:.]\s*([0-9]{2}))?\s*([ap])?\.?\s*(?:m\.?)?\s*", re.IGNORECASE)


def parse_clock(text: str | None) -> time | None:
    """A time typed as people write it ('9:30am', '2pm', '14:00', 'midday'), or None if it is not one."""
    text = (text or "").strip().lower()
    if text in ("midday", "noon", "12 noon"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _CLOCK.fullmatch(text)
    if not match or (match.group(2) is None and match.group(3) is None):
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@lru_cache(maxsize=8192)
def uk_time(value: datetime | None) -> str:
    """'9:30am' in UK time, the GOV.UK style for times."""
    if value is None:
        return ""
    local = to_uk(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.minute == 0 and local.hour in (0, 12):
        return "midday" if local.hour == 12 else "midnight"
    return f"{hour}:{local.minute:02d}{suffix}"
