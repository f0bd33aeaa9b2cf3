"""Upcoming events of every programme, in one shape for the API and the programme feeds.

Each programme kind contributes its events here; today that is the practice surgeries' dates.
"""

from dataclasses import dataclass
from datetime import datetime

from ep_events.core.inputs import parse_id
from ep_events.core.urls import external_url
from ep_events.notifications.calendar import CalendarEvent
from ep_events.surgeries.availability import public_surgery_dates


@dataclass(frozen=True)
class PublicEvent:
    id: str
    programme_slug: str
    programme_name: str
    programme_email: str
    title: str
    starts_at: datetime
    ends_at: datetime
    places_left: int
    url: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "programme": {"slug": self.programme_slug, "name": self.programme_name},
            "title": self.title,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "places_left": self.places_left,
            "url": self.url,
        }

    def as_calendar_event(self) -> CalendarEvent:
        return CalendarEvent(
            uid=f"{self.id}@ep-events", sequence=0, starts_at=self.starts_at, ends_at=self.ends_at,
            summary=self.title, description=f"{self.places_left} places left. Book at {self.url}",
            location="Microsoft Teams", url=self.url, organizer_email=self.programme_email,
            organizer_name=self.programme_name)


SURGERY_PREFIX = "surgery-date-"


def _from_surgery(item) -> PublicEvent:
    surgery_date = item.surgery_date
    programme = surgery_date.programme
    return PublicEvent(
        id=f"{SURGERY_PREFIX}{surgery_date.id}", programme_slug=programme.slug, programme_name=programme.name,
        programme_email=programme.contact_email, title=f"Practice surgery: {surgery_date.label}",
        starts_at=surgery_date.starts_at, ends_at=surgery_date.ends_at, places_left=item.places_left,
        url=external_url("surgeries.programme_slots", slug=programme.slug) + f"#date-{surgery_date.id}")


def upcoming_events(programme_slug: str | None = None, starts_from: datetime | None = None,
                    starts_before: datetime | None = None) -> list[PublicEvent]:
    events = [_from_surgery(item) for item in public_surgery_dates(programme_slug, starts_from,
                                                                   starts_before)]
    return sorted(events, key=lambda e: (e.starts_at, e.id))


def find_event(event_id: str) -> PublicEvent | None:
    date_id = parse_id(event_id.removeprefix(SURGERY_PREFIX)) if event_id.startswith(SURGERY_PREFIX) else None
    if date_id is None:
        return None
    found = public_surgery_dates(date_id=date_id)
    return _from_surgery(found[0]) if found else None
