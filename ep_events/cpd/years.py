"""Social Work England's registration year: 1 December to 30 November, in UK time.

A year is named by the year it ends in: registration year 2026 runs from 1 December 2025 to 30 November
2026, and its renewal window is 1 September to 30 November 2026.
"""

from dataclasses import dataclass
from datetime import date, datetime

from ep_events.core.inputs import EARLIEST_YEAR
from ep_events.core.time import to_uk, utcnow

FIRST_MONTH = 12  # December
RENEWAL_OPENS = (9, 1)  # 1 September


@dataclass(frozen=True)
class RegistrationYear:
    ends_in: int

    @property
    def first_day(self) -> date:
        return date(self.ends_in - 1, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.ends_in, 11, 30)

    @property
    def renewal_opens(self) -> date:
        return date(self.ends_in, *RENEWAL_OPENS)

    @property
    def label(self) -> str:
        """'1 December 2025 to 30 November 2026'."""
        return f"1 December {self.ends_in - 1} to 30 November {self.ends_in}"

    @property
    def short_label(self) -> str:
        """'2025 to 2026'."""
        return f"{self.ends_in - 1} to {self.ends_in}"

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def year_of_date(day: date) -> RegistrationYear:
    return RegistrationYear(day.year + 1 if day.month == FIRST_MONTH else day.year)


def uk_day(moment: datetime) -> date:
    """The day it was in the UK at that moment (a surgery at 00:30 on 1 December GMT is a December day)."""
    return to_uk(moment).date()


def year_of(moment: datetime) -> RegistrationYear:
    return year_of_date(uk_day(moment))


def current_year(now: datetime | None = None) -> RegistrationYear:
    return year_of(now or utcnow())


def year_from_url(text: str, now: datetime | None = None) -> RegistrationYear | None:
    """A year from a web address ("2026"), or None for anything that is not a year the log can show:
    before the first year any CPD here can be dated in (records start in 2000), after the current one, or not a
    number."""
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return None
    ends_in = int(text)
    if not EARLIEST_YEAR <= ends_in <= current_year(now).ends_in:
        return None
    return RegistrationYear(ends_in)
