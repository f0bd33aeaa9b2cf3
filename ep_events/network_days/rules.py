"""Network Day rules shared by the services: bounds on what an organiser sets, working days, the errors."""

from datetime import date, datetime

from ep_events.core.errors import DomainError
from ep_events.core.time import UK, uk_to_utc
from ep_events.core.working_days import working_days_before

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
