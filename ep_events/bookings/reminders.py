"""The one reminder job: every programme's confirmed places, each reminded at its programme's hours."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import Event, EventStatus, Place, PlaceStatus
from ep_events.core.jobs import each_row_alone
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications import reminders
from ep_events.programmes.models import Programme

REMINDER_KIND = "place"  # SentReminder.kind: the ids are place ids, whatever the programme
HORIZON = timedelta(days=15)  # further ahead than any reminder setting allows


def send_due_reminders(now: datetime | None = None) -> int:
    """Email the reminders now due for confirmed places; running it twice sends each once."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Place.id, Place.starts_at, Place.created_at, Event.programme_id, Programme.kind)
        .join(Event, Place.event_id == Event.id).join(Programme, Event.programme_id == Programme.id)
        .where(Place.status == PlaceStatus.CONFIRMED, Place.user_id.is_not(None),
               Place.starts_at > now, Place.starts_at <= now + HORIZON,
               Event.status == EventStatus.PUBLISHED)
        .order_by(Place.starts_at, Place.id)
    ).all()
    done = reminders.sent_offsets(REMINDER_KIND, [row.id for row in rows])
    offsets: dict[int, list[int]] = {}
    sent = 0
    for row in rows:
        kind = kind_for(row.kind)
        if kind is None:
            continue
        with each_row_alone("send-reminders", f"the reminders of place {row.id}"):
            if row.programme_id not in offsets:
                offsets[row.programme_id] = kind.reminder_hours(db.session.get(Programme, row.programme_id))
            hours, mark = reminders.due_reminder(row.starts_at, row.created_at, offsets[row.programme_id],
                                                 done.get(row.id, set()), now)
            if not mark:
                continue
            reminders.record(REMINDER_KIND, row.id, mark, hours, now)
            if hours is not None:
                kind.send_reminder(row.id, hours)
                sent += 1
    return sent
