"""Working days in England: Monday to Friday, not a bank holiday. Every programme's date rules use these."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _england_bank_holidays(year: int) -> dict:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def non_working_day(day: date) -> str | None:
    """Why a day is not a working day in England ('a Saturday', 'a bank holiday (Christmas Day)'), or None."""
    holiday = _england_bank_holidays(day.year).get(day)
    if holiday:
        return f"a bank holiday ({holiday})"
    if day.weekday() >= 5:
        return f"a {day:%A}"
    return None


def is_working_day(day: date) -> bool:
    return non_working_day(day) is None


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while non_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (Monday for a Wednesday, Thursday for a Monday)."""
    while count:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
