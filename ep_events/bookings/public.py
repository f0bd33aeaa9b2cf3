"""Upcoming published events of every programme, in one shape for the API, the programme feeds and the
event finder. No personal data: only what the public listing shows."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload, with_polymorphic

from ep_events.bookings.kinds import kind_for
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


def upcoming_events(programme_slug: str | None = None, starts_from: datetime | None = None,
                    starts_before: datetime | None = None, event_id: int | None = None,
                    now: datetime | None = None) -> list[PublicEvent]:
    """Published events of published programmes that have not ended, soonest first, with places left."""
    now = now or utcnow()
    any_event = with_polymorphic(Event, "*")
    query = (select(any_event).join(Programme, any_event.programme_id == Programme.id)
             .where(any_event.status == EventStatus.PUBLISHED, any_event.ends_at > now,
                    Programme.status == ProgrammeStatus.PUBLISHED)
             .order_by(any_event.starts_at, any_event.id)
             .options(selectinload(any_event.programme)))
    if programme_slug:
        query = query.where(Programme.slug == programme_slug)
    if starts_from:
        query = query.where(any_event.starts_at >= starts_from)
    if starts_before:
        query = query.where(any_event.starts_at < starts_before)
    if event_id is not None:
        query = query.where(any_event.id == event_id)
    events = list(db.session.execute(query).scalars())
    by_kind: dict[str, list] = {}
    for event in events:
        by_kind.setdefault(event.programme.kind, []).append(event)
    out = []
    for kind_key, kind_events in by_kind.items():
        kind = kind_for(kind_key)
        if kind is None:
            continue
        left = kind.places_left(kind_events, now)
        for event in kind_events:
            programme = event.programme
            out.append(PublicEvent(
                id=public_id(event), kind=kind_key, programme_slug=programme.slug, programme_name=programme.name,
                programme_email=programme.contact_email, title=kind.public_title(event),
                starts_at=event.starts_at, ends_at=event.ends_at, online=event.is_online, venue=event.venue,
                places_left=left.get(event.id, 0), url=kind.event_url(event, external=True),
                details=kind.api_values(event)))
    return sorted(out, key=lambda e: (e.starts_at, e.kind, int(e.id.rpartition("-")[2])))


def find_event(text: str) -> PublicEvent | None:
    """The upcoming public event with this public id, or None."""
    event_id = parse_public_id(text)
    found = upcoming_events(event_id=event_id) if event_id is not None else []
    return found[0] if found and found[0].id == text else None
