"""What a programme kind offers the rest of the site: one Protocol, and the registry of kinds.

Cross-programme features (My bookings, the personal feed, reminders, attendance, account deletion,
"download my data", the API) read the shared tables in `bookings.models` and ask the programme's kind
only for what is its own: links to its pages, its invite, its reminder email, how to release a
person, its extra personal data. `ep_events/kinds.py` lists the kinds; `create_app` registers them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import Select

from ep_events.notifications.calendar import CalendarEvent


@dataclass(frozen=True)
class ApiField:
    """A field a kind adds to its events in `/api/v1/events`, described for the OpenAPI document."""

    name: str
    type: str  # a JSON Schema type: "string", "integer", "boolean", "array"
    description: str


@runtime_checkable
class ProgrammeKindSpec(Protocol):
    """One kind of programme (practice surgeries, Network Days, workshops).

    `key` is stored in `Programme.kind`; `event_identity` and `place_identity` are the polymorphic
    identities of its `Event` and `Place` subclasses. Methods receive those subclasses' objects.

    Optional, for a kind whose own things carry practice standards beyond its events' (a surgery programme's
    themes); readers look them up with `getattr`, so a kind without them needs nothing:

    - `place_standards(place_ids) -> dict[int, list[str]]`: the codes each place brings (the theme it booked),
      which a CPD draft adds to the event's;
    - `programmes_tagged(code)`: an SQL condition on the enclosing query's `programme` (one EXISTS), true when
      the programme's own tags hold the code, so the event finder finds its events.
    """

    key: str
    label: str
    # The type of CPD its events are on a Social Work England CPD record (e.g. "Peer learning session").
    cpd_type: str
    event_identity: str
    place_identity: str
    waitlist_identity: str | None
    api_fields: tuple[ApiField, ...]
    # What a booker may bring to its events, as (key, words), for the event finder's theme filter; () if nothing.
    themes: tuple[tuple[str, str], ...]

    def place_url(self, place_id: int) -> str:
        """The booker's own page for a place (relative URL)."""

    def event_url(self, event, external: bool = False) -> str:
        """The public page where the event is booked."""

    def public_title(self, event) -> str:
        """The event's name in public listings, e.g. "Practice surgery: Tuesday 16 June 2026 – AM"."""

    def waitlist_url(self, entry_id: int) -> str:
        """Where a person on the waiting list sees (and answers) the place offered to them."""

    def leave_waitlist_url(self, entry_id: int) -> str:
        """The address a "Leave the waiting list" button posts to."""

    def calendar_events(self, place_ids: list[int]) -> list[CalendarEvent]:
        """The places as calendar entries, with the same UIDs and SEQUENCEs as the emailed invites
        (loaded together: a personal feed may hold hundreds)."""

    def reminder_hours(self, programme) -> list[int]:
        """How many hours before the start reminders go, for this programme."""

    def send_reminder(self, place_id: int, hours: int) -> None:
        """Queue the reminder email for a place, `hours` before it starts."""

    def places_left(self, events: list, now: datetime) -> Select:
        """SQL: one SELECT of (event id, free places) for these events, for the public listings (no personal
        data). Every kind's is read in one statement (a UNION ALL), so the columns are those two; a figure below
        0, or an event without a row, means no place left."""

    def api_values(self, event) -> dict:
        """The values of `api_fields` for one event."""

    def release_person(self, user, now: datetime) -> int:
        """Before an account goes: cancel the person's upcoming places properly (invites cancelled,
        places passed on, colleagues told) and take them off waiting lists. Returns places cancelled."""

    def personal_data(self, user) -> dict[str, list[dict]]:
        """What this kind holds about the person beyond the shared tables, as named lists of records."""


_KINDS: dict[str, ProgrammeKindSpec] = {}


def register(kind: ProgrammeKindSpec) -> None:
    """Add a programme kind (called by create_app for each kind in `ep_events/kinds.py`)."""
    if not isinstance(kind, ProgrammeKindSpec):
        raise TypeError(f"{kind!r} does not implement ProgrammeKindSpec")
    _KINDS[kind.key] = kind


def unregister(key: str) -> None:
    _KINDS.pop(key, None)


def kind_for(key: str) -> ProgrammeKindSpec | None:
    return _KINDS.get(key)


def all_kinds() -> list[ProgrammeKindSpec]:
    return list(_KINDS.values())


def kind_label(key: str) -> str:
    kind = _KINDS.get(key)
    return kind.label if kind else key.replace("_", " ").capitalize()
