"""Reminder emails before a booked surgery, at the hours each programme sets."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.core.jobs import each_row_alone
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications import reminders
from ep_events.surgeries import emails
from ep_events.surgeries.models import (
    BookingStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySettings,
    SurgerySlot,
)

REMINDER_KIND = "surgery"


def send_due_reminders(now: datetime | None = None) -> int:
    """Email the reminders now due for confirmed bookings; running it twice sends each once."""
    now = now or utcnow()
    horizon = now + timedelta(hours=24 * 15)
    rows = db.session.execute(
        select(SurgeryBooking, SurgerySettings.reminder_hours)
        .join(SurgerySlot, SurgeryBooking.slot_id == SurgerySlot.id)
        .join(SurgeryDate, SurgerySlot.surgery_date_id == SurgeryDate.id)
        .outerjoin(SurgerySettings, SurgerySettings.programme_id == SurgeryDate.programme_id)
        .where(SurgeryBooking.status == BookingStatus.CONFIRMED, SurgerySlot.starts_at > now,
               SurgerySlot.starts_at <= horizon, SurgeryDate.status == SurgeryDateStatus.PUBLISHED)
        .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date),
                 selectinload(SurgeryBooking.user))
    ).all()
    done = reminders.sent_offsets(REMINDER_KIND, [b.id for b, _ in rows])
    sent = 0
    for booking, offsets in rows:
        with each_row_alone("send-reminders", f"the reminders of booking {booking.id}"):
            hours, mark = reminders.due_reminder(booking.slot.starts_at, booking.created_at, offsets or [24, 1],
                                                 done.get(booking.id, set()), now)
            if not mark:
                continue
            reminders.record(REMINDER_KIND, booking.id, mark, hours, now)
            if hours is not None:
                emails.send_reminder(booking, hours)
                sent += 1
    return sent
