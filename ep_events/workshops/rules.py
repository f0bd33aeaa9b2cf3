"""Workshop rules shared by the services: bounds on what an organiser sets, how long a freed place is held, errors."""

from datetime import date, datetime

from ep_events.core.errors import DomainError
from ep_events.core.time import UK

AHEAD_YEARS = 2  # how far ahead a workshop can be set
MIN_CAPACITY, MAX_CAPACITY = 1, 1000
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
TOPIC_MAX = 200
AUDIENCE_MAX = 300
CANCEL_MESSAGE_MAX = 1000
LONGEST_HOURS = 12  # a workshop is a session on one day, not a course
OFFER_HOURS = 12  # how long a freed place is held for the person offered it (never past registration close)
REMINDER_HOURS = [24, 1]


class NoPlacesLeft(DomainError):
    def __init__(self):
        super().__init__("Sorry, there are no places left on this workshop. You can join the waiting list.")


class RegistrationClosed(DomainError):
    def __init__(self):
        super().__init__("Registration for this workshop has closed.")


def latest_day(now: datetime) -> date:
    """The last day a workshop can be set on: two years from today (UK), 28 February for 29 February."""
    today = now.astimezone(UK).date()
    try:
        return today.replace(year=today.year + AHEAD_YEARS)
    except ValueError:
        return today.replace(year=today.year + AHEAD_YEARS, day=28)
