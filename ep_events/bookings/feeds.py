"""Calendar feeds over every programme: a person's own places, and a programme's public events."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import Event, Place, PlaceStatus
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import build_feed
from ep_events.programmes.models import Programme

FEED_HISTORY = timedelta(days=90)


def feed_place_ids(user, now: datetime | None = None) -> dict[str, list[int]]:
    """The person's confirmed places from 90 days ago on, grouped by programme kind."""
    since = (now or utcnow()) - FEED_HISTORY
    rows = db.session.execute(
        select(Programme.kind, Place.id).join(Event, Place.event_id == Event.id)
        .join(Programme, Event.programme_id == Programme.id)
        .where(Place.user_id == user.id, Place.status == PlaceStatus.CONFIRMED, Place.starts_at >= since)
    ).all()
    grouped: dict[str, list[int]] = {}
    for kind_key, place_id in rows:
        grouped.setdefault(kind_key, []).append(place_id)
    return grouped


def personal_feed(user) -> str:
    """The person's places in every programme, with the same UIDs as their invites, so calendars merge them."""
    events = []
    for kind_key, place_ids in feed_place_ids(user).items():
        kind = kind_for(kind_key)
        if kind is not None:
            events.extend(kind.calendar_events(place_ids))
    events.sort(key=lambda e: (e.starts_at, e.uid))
    return build_feed(events, f"EP Events – {user.name}")

