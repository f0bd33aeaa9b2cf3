"""A personal calendar feed of 200 bookings: load them, turn each into an event, write the .ics."""

import time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.extensions import db
from ep_events.notifications.calendar import build_feed
from ep_events.surgeries.emails import calendar_event
from ep_events.surgeries.models import SurgeryBooking, SurgeryDate, SurgerySlot


def feed_build_times(app, bookings: int = 200, builds: int = 50) -> list[float]:
    """Seconds per build, each from a cold session: query, CalendarEvent per booking, build_feed."""
    query = (select(SurgeryBooking).order_by(SurgeryBooking.id).limit(bookings)
             .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                      .selectinload(SurgeryDate.programme), selectinload(SurgeryBooking.user)))
    times = []
    with app.test_request_context():
        for _ in range(builds):
            started = time.perf_counter()
            rows = list(db.session.execute(query).scalars())
            ics = build_feed([calendar_event(b) for b in rows], "EP Events – your bookings")
            times.append(time.perf_counter() - started)
            db.session.close()
            if len(rows) != bookings or ics.count("BEGIN:VEVENT") != bookings:
                raise RuntimeError(f"feed has {ics.count('BEGIN:VEVENT')} events, expected {bookings}")
    return times
