"""UK time helpers: everything is stored in UTC and shown in Europe/London."""

from datetime import UTC, datetime
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


def uk_datetime(value: datetime | None) -> str:
    """'Tuesday 16 June 2026, 9:30am' in UK time."""
    if value is None:
        return ""
    local = to_uk(value)
    return f"{local:%A} {local.day} {local:%B %Y}, {uk_time(value)}"


def uk_date(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_uk(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


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
