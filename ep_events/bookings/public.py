"""Upcoming published events of every programme, in one shape for the API, the programme feeds and the
event finder. No personal data: only what the public listing shows."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, or_, select, union_all
from sqlalchemy.orm import contains_eager, with_polymorphic

from ep_events.bookings.kinds import all_kinds, kind_for
from ep_events.bookings.models import Event, EventStatus
from ep_events.core.inputs import parse_id
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import CalendarEvent
from ep_events.programmes.models import Programme, ProgrammeStatus


def public_id(event) -> str:
    """The event's id in the API and the public feeds' UIDs: its kind and number, e.g. "surgery-date-12"."""
    return f"{event.kind.replace('_', '-')}-{event.id}"


def parse_public_id(text: str) -> int | None:
    """The event number in a public id, or None; the kind part is checked against the event found."""
    prefix, _, number = text.rpartition("-")
    return parse_id(number) if prefix and number.isdigit() else None


@dataclass(frozen=True)
class PublicEvent:
    id: str
    kind: str
    programme_slug: str
    programme_name: str
    programme_email: str
    title: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    venue: str
    places_left: int
    url: str
    details: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "programme": {"slug": self.programme_slug, "name": self.programme_name},
            "title": self.title,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "online": self.online,
            "venue": self.venue or None,
            "places_left": self.places_left,
            "url": self.url,
            "details": self.details,
        }

    def as_calendar_event(self) -> CalendarEvent:
        return CalendarEvent(
            uid=f"{self.id}@ep-events", sequence=0, starts_at=self.starts_at, ends_at=self.ends_at,
            summary=self.title, description=f"{self.places_left} places left. Book at {self.url}",
            location="Microsoft Teams" if self.online else self.venue, url=self.url,
            organizer_email=self.programme_email, organizer_name=self.programme_name)


@dataclass(frozen=True)
class EventFilters:
    """What the event finder (and the API) narrow the upcoming events to; empty values do not narrow."""

    programme: str = ""  # a programme's slug
    kinds: tuple[str, ...] = ()  # programme kinds to keep (a surgery theme keeps the kinds that offer it)
    standard: str = ""  # a practice standard ("S4", with its sub-standards 4.1, 4.2 …) or a sub-standard ("4.2")
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    online: bool | None = None  # True: online only; False: in person only
    with_places: bool = False  # only events with a place left


@dataclass(frozen=True)
class EventPage:
    events: list[PublicEvent]
    has_more: bool


def standard_tagged(tags, code: str):
    """Events whose practice-standard tags (a JSON list of codes) hold `code`, or, for a standard, any of its
    sub-standards: matched on the list's text, which every database stores as written (["S4", "4.2"])."""
    text = cast(tags, String)
    if code.startswith("S"):
        return or_(text.like(f'%"{code}"%'), text.like(f'%"{code[1:]}.%'))
    return text.like(f'%"{code}"%')


def _kinds_tagged(code: str) -> list:
    """The conditions of kinds whose own things carry practice standards (a surgery programme's themes), through
    their optional `programmes_tagged` (see `ProgrammeKindSpec`)."""
    return [tagged(code) for kind in all_kinds() if (tagged := getattr(kind, "programmes_tagged", None))]


_any_event: dict[int, object] = {}


def _every_kind_of_event():
    """Event with every kind's own columns, made once for the kinds mapped so far (the kinds' mappers exist only
    once the app has loaded them; making it again on every request was a third of the finder's time)."""
    kinds = len(Event.__mapper__.self_and_descendants)
    if kinds not in _any_event:
        _any_event[kinds] = with_polymorphic(Event, "*")
    return _any_event[kinds]


def _upcoming_query(filters: EventFilters, now: datetime, event_id: int | None = None):
    any_event = _every_kind_of_event()
    query = (select(any_event).join(Programme, any_event.programme_id == Programme.id)
             .where(any_event.status == EventStatus.PUBLISHED, any_event.ends_at > now,
                    Programme.status == ProgrammeStatus.PUBLISHED)
             .order_by(any_event.starts_at, any_event.id)
             .options(contains_eager(any_event.programme)))  # read in the same statement, from the join
    if filters.programme:
        query = query.where(Programme.slug == filters.programme)
    if filters.kinds:
        query = query.where(Programme.kind.in_(filters.kinds))
    if filters.standard:
        query = query.where(or_(standard_tagged(any_event.practice_standards, filters.standard),
                                *_kinds_tagged(filters.standard)))
    if filters.starts_from:
        query = query.where(any_event.starts_at >= filters.starts_from)
    if filters.starts_before:
        query = query.where(any_event.starts_at < filters.starts_before)
    if filters.online is not None:
        query = query.where(any_event.venue == "" if filters.online else any_event.venue != "")
    if event_id is not None:
        query = query.where(any_event.id == event_id)
    return query


def _places_left(by_kind: dict, now: datetime) -> dict[int, int]:
    """Places left per event id, every kind counting its own events by its own rule, all in one statement."""
    counts = [kind_for(key).places_left(kind_events, now) for key, kind_events in by_kind.items()]
    if not counts:
        return {}
    rows = db.session.execute(counts[0] if len(counts) == 1 else union_all(*counts)).all()
    return {event_id: max(left or 0, 0) for event_id, left in rows}


def _public(events: list, now: datetime, details: bool = True) -> list[PublicEvent]:
    """The events in their public shape, with places left (one statement for every kind on the page)."""
    by_kind: dict[str, list] = {}
    for event in events:
        if kind_for(event.programme.kind) is not None:
            by_kind.setdefault(event.programme.kind, []).append(event)
    left = _places_left(by_kind, now)
    out = []
    for kind_key, kind_events in by_kind.items():
        kind = kind_for(kind_key)
        for event in kind_events:
            programme = event.programme
            out.append(PublicEvent(
                id=public_id(event), kind=kind_key, programme_slug=programme.slug, programme_name=programme.name,
                programme_email=programme.contact_email, title=kind.public_title(event),
                starts_at=event.starts_at, ends_at=event.ends_at, online=event.is_online, venue=event.venue,
                places_left=left.get(event.id, 0), url=kind.event_url(event, external=True),
                details=kind.api_values(event) if details else {}))
    return sorted(out, key=lambda e: (e.starts_at, e.kind, int(e.id.rpartition("-")[2])))


def upcoming_events(programme_slug: str | None = None, starts_from: datetime | None = None,
                    starts_before: datetime | None = None, event_id: int | None = None,
                    now: datetime | None = None) -> list[PublicEvent]:
    """Published events of published programmes that have not ended, soonest first, with places left."""
    now = now or utcnow()
    filters = EventFilters(programme=programme_slug or "", starts_from=starts_from, starts_before=starts_before)
    return _public(list(db.session.execute(_upcoming_query(filters, now, event_id)).scalars()), now)


# With "places left" the page is found by counting places a batch at a time (places are each kind's own count);
# a bound on how far that looks, so a request far down a long list stays cheap.
FULL_SCAN_LIMIT = 2_000


def find_upcoming(filters: EventFilters, limit: int, offset: int = 0, now: datetime | None = None,
                  details: bool = False) -> EventPage:
    """One page of the upcoming events that match: `limit` of them after `offset`, soonest first. Places are
    counted only for the events on the page (and, with `with_places`, for those looked at to fill it); each
    kind's own values (`details`, as the API gives them) only when asked for."""
    now = now or utcnow()
    query = _upcoming_query(filters, now)
    if not filters.with_places:
        events = list(db.session.execute(query.limit(limit + 1).offset(offset)).scalars())
        return EventPage(_public(events[:limit], now, details), has_more=len(events) > limit)
    matching: list[PublicEvent] = []
    batch, looked = 4 * (limit + 1), 0
    while len(matching) < offset + limit + 1 and looked < FULL_SCAN_LIMIT:
        events = list(db.session.execute(query.limit(batch).offset(looked)).scalars())
        matching += [event for event in _public(events, now, details) if event.places_left > 0]
        looked += batch
        if len(events) < batch:
            break
    page = matching[offset:offset + limit + 1]
    return EventPage(page[:limit], has_more=len(page) > limit)


def find_event(text: str) -> PublicEvent | None:
    """The upcoming public event with this public id, or None."""
    event_id = parse_public_id(text)
    found = upcoming_events(event_id=event_id) if event_id is not None else []
    return found[0] if found and found[0].id == text else None
