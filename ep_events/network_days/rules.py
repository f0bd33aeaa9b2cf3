"""Network Day rules shared by the services: bounds on what an organiser sets, working days, the errors."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays

from ep_events.core.errors import DomainError
from ep_events.core.time import UK

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
DAYS_AHEAD_YEARS = 2  # how far ahead a day can be set (issue 10: a year-9999 date broke retention)
MIN_CAPACITY, MAX_CAPACITY = 1, 1000
RENAME_WORKING_DAYS = 2  # default: renaming closes two working days before the day
TITLE_MAX = 200
TOPICS_MAX = 2000


class NoPlacesLeft(DomainError):
    def __init__(self):
        super().__init__("Sorry, there are no places left on this Network Day.", field="place_type")


class RenameDeadlinePassed(DomainError):
    pass


def uk_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in the UK on a day, as UTC (right either side of the clocks changing)."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


@cache
def _england_bank_holidays(year: int) -> dict:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England bank holiday.

    The same rule as surgeries' non_working_day; programme packages may not import one another, so it
    is repeated here until it moves down to core."""
    return day.weekday() < 5 and day not in _england_bank_holidays(day.year)


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (Monday for a Wednesday, Thursday for a Monday)."""
    while count:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def default_rename_deadline(starts_at: datetime) -> datetime:
    """Two working days before the day, at the day's own UK start time: a Wednesday 10am day closes
    renaming at 10am on the Monday."""
    local = starts_at.astimezone(UK)
    return uk_to_utc(working_days_before(local.date(), RENAME_WORKING_DAYS), local.time())


def latest_day(now: datetime) -> date:
    """The last day a Network Day can be set on: two years from today (UK), 28 February for 29 February."""
    today = now.astimezone(UK).date()
    try:
        return today.replace(year=today.year + DAYS_AHEAD_YEARS)
    except ValueError:
        return today.replace(year=today.year + DAYS_AHEAD_YEARS, day=28)
