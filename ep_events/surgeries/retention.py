"""Retention: what a surgery booking keeps, and for how long."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ep_events.core.jobs import each_row_alone
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.surgeries.models import SurgeryBooking, SurgeryDate, SurgerySettings, SurgerySlot

# A programme without its own setting (SurgerySettings.outline_retention_days has the same default).
DEFAULT_OUTLINE_RETENTION_DAYS = 30


def purge_expired_outlines(now: datetime | None = None) -> int:
    """Erase booking outlines a programme's retention time after the slot; running twice erases nothing more."""
    now = now or utcnow()
    rows = db.session.execute(
        select(SurgeryBooking, SurgerySettings.outline_retention_days)
        .join(SurgerySlot, SurgeryBooking.slot_id == SurgerySlot.id)
        .join(SurgeryDate, SurgerySlot.surgery_date_id == SurgeryDate.id)
        .outerjoin(SurgerySettings, SurgerySettings.programme_id == SurgeryDate.programme_id)
        .where(SurgeryBooking.outline != "", SurgeryBooking.outline_erased_at.is_(None))
    ).all()
    erased = 0
    for booking, days in rows:
        with each_row_alone("purge-expired", f"the outline of booking {booking.id}"):
            days = days if days is not None else DEFAULT_OUTLINE_RETENTION_DAYS
            if booking.slot.ends_at + timedelta(days=days) <= now:
                booking.outline = ""
                booking.outline_erased_at = now
                db.session.flush()
                erased += 1
    return erased
