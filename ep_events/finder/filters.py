"""The event finder's filters as they arrive in a web address: each checked and bounded, with a message for
the visitor when it cannot be used (an unknown programme, a date that does not exist, a range the wrong way
round). Nothing here touches the database except to list the programmes to choose from."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from ep_events.bookings.kinds import all_kinds
from ep_events.bookings.public import EventFilters
from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR
from ep_events.core.short_cache import ShortLivedCache
from ep_events.core.time import UK
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.standards import current_edition, standard_choices, validate_codes

WHERE = {"online": "Online", "in-person": "In person"}
NAMES = ("programme", "theme", "standard", "where", "places", "from-day", "from-month", "from-year",
         "to-day", "to-month", "to-year")
VALUE_MAX = 100  # longer than any slug, theme key, code or number we accept


@dataclass
class Chosen:
    """The filters as the form shows them again (what was typed) and as the search uses them."""

    values: dict[str, str]
    filters: EventFilters = field(default_factory=EventFilters)
    theme_label: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    programmes: list[tuple[str, str]] = field(default_factory=list)  # the form's choices, read once per request

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, by name, for the "remove this filter" links of an empty result."""
        return {name: value for name, value in self.values.items() if value}


_programmes = ShortLivedCache()


def programme_choices() -> list[tuple[str, str]]:
    """(slug, name) of every published programme, by name; kept as long as the finder keeps its lists."""
    seconds = current_app.config.get("FINDER_CACHE_SECONDS", 0)
    choices = _programmes.get("all") if seconds > 0 else None
    if choices is None:
        choices = [tuple(row) for row in db.session.execute(
            select(Programme.slug, Programme.name).where(Programme.status == ProgrammeStatus.PUBLISHED)
            .order_by(Programme.name))]
        if seconds > 0:
            _programmes.keep("all", choices, seconds)
    return choices


def theme_choices() -> list[tuple[str, str]]:
    """Every theme any programme kind offers, once."""
    seen: dict[str, str] = {}
    for kind in all_kinds():
        for key, words in kind.themes:
            seen.setdefault(key, words)
    return list(seen.items())


def _date(values: dict[str, str], prefix: str, label: str, errors: dict[str, str]) -> date | None:
    parts = [values[f"{prefix}-{part}"] for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        errors[f"{prefix}-day"] = f"{label} must include a day, month and year"
        return None
    if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
        errors[f"{prefix}-day"] = f"{label} must be a real date, in numbers"
        return None
    day, month, year = (int(part) for part in parts)
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        errors[f"{prefix}-day"] = f"{label} must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}"
        return None
    try:
        return date(year, month, day)
    except ValueError:
        errors[f"{prefix}-day"] = f"{label} must be a real date"
        return None


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UK)


def read_filters(args) -> Chosen:
    """The finder's filters from the query string (only the first of a repeated name counts)."""
    values = {name: (args.get(name) or "").strip()[:VALUE_MAX] for name in NAMES}
    chosen = Chosen(values, programmes=programme_choices())
    errors = chosen.errors
    programme = values["programme"]
    if programme and programme not in dict(chosen.programmes):
        errors["programme"] = "Choose a programme from the list"
    kinds: tuple[str, ...] = ()
    theme = values["theme"]
    if theme:
        offering = [kind for kind in all_kinds() if theme in dict(kind.themes)]
        if not offering:
            errors["theme"] = "Choose a theme from the list"
        else:
            kinds = tuple(kind.key for kind in offering)
            chosen.theme_label = dict(offering[0].themes)[theme]
    standard = values["standard"]
    if standard:
        try:
            [standard] = validate_codes([standard], current_edition())
        except (DomainError, ValueError):
            errors["standard"] = "Choose a practice standard from the list"
            standard = ""
    where = values["where"]
    if where and where not in WHERE:
        errors["where"] = "Choose online, in person or either"
    if values["places"] not in ("", "yes"):
        errors["places"] = "Tick the box to see only events with places left, or leave it empty"
    starts_from = _date(values, "from", "The date from", errors)
    ends_on = _date(values, "to", "The date to", errors)
    if starts_from and ends_on and ends_on < starts_from:
        errors["to-day"] = "The date to must be the same as or after the date from"
    if not errors:
        chosen.filters = EventFilters(
            programme=programme, kinds=kinds, standard=standard,
            starts_from=_uk_midnight(starts_from) if starts_from else None,
            starts_before=_uk_midnight(ends_on + timedelta(days=1)) if ends_on else None,
            online={"online": True, "in-person": False}.get(where), with_places=values["places"] == "yes")
    return chosen


def standard_options() -> list[tuple[str, str]]:
    return standard_choices(current_edition())
