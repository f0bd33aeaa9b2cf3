"""Bounds on everything a visitor can type or put in a web address.

Ids, page numbers, dates and free text reach the database, Python's date arithmetic and the templates;
each is checked here first, so an out-of-range value is a 404 or a 400 with the usual message, never a 500.
"""

import re
from datetime import date

from flask import abort, request
from werkzeug.routing import IntegerConverter

# PostgreSQL's `integer` (every id column) holds up to 2^31 - 1; SQLite's up to 2^63 - 1. A bigger
# number is an id that cannot exist, not a database error.
DATABASE_ID_MAX = 2**31 - 1

# Dates anyone types: wide enough for any real event, narrow enough that adding days or converting to
# UK time never overflows (Python's dates stop at the year 9999).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

_ID = re.compile(r"[0-9]{1,10}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def parse_id(text: str | None) -> int | None:
    """An id written in ASCII digits (no sign, no '١' or '²') that a database row could have, or None."""
    if text is None or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= DATABASE_ID_MAX else None


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits from 1 to DATABASE_ID_MAX, otherwise the page is not found.

    Werkzeug's own converter matches any Unicode decimal digit (so `/bookings/١` was booking 1) and has
    no upper bound (so 2^63 overflowed SQLite and 2^31 PostgreSQL).
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = DATABASE_ID_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def page_arg(name: str = "page", last: int = 10_000) -> int:
    """?page=N for a paged list, 1 to `last`; anything else (missing, '²', '-1', 2^63) is the first page."""
    value = parse_id(request.args.get(name))
    return value if value is not None and value <= last else 1


def text_arg(name: str, max_length: int = 200) -> str:
    """A free-text query value (a search or a filter), cut to `max_length` characters."""
    return (request.args.get(name) or "")[:max_length]


def parse_iso_date(text: str) -> date | None:
    """YYYY-MM-DD in ASCII digits with a year from EARLIEST_YEAR to LATEST_YEAR, or None."""
    match = _ISO_DATE.fullmatch(text)
    if not match or not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def has_forbidden_character(value: str) -> bool:
    """A NUL (PostgreSQL text cannot store it) or a lone surrogate (not encodable as UTF-8)."""
    return _FORBIDDEN.search(value) is not None


def _json_strings(value, depth: int = 0):
    if isinstance(value, str):
        yield value
    elif depth < 20 and isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item, depth + 1)
    elif depth < 20 and isinstance(value, list):
        for item in value:
            yield from _json_strings(item, depth + 1)


def reject_forbidden_characters() -> None:
    """Before every request: a NUL or lone surrogate anywhere in the path, query, form or JSON is a 400.

    Werkzeug has already decoded the path, query string and form (invalid UTF-8 becomes U+FFFD), so the
    decoded values are what the views would see. A lone surrogate arrives only through JSON's \\uD800.
    """
    values = [request.path]
    values += [item for pair in request.args.items(multi=True) for item in pair]
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        values += [item for pair in request.form.items(multi=True) for item in pair]
        values += [f.filename or "" for f in request.files.values()]
        if request.is_json:
            values += list(_json_strings(request.get_json(silent=True)))
    if any(has_forbidden_character(value) for value in values):
        abort(400)
