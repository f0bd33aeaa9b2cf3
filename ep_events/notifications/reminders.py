"""Which reminder a booking is due now. Shared by every programme's `send-reminders` step."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ep_events.extensions import db
from ep_events.notifications.models import SentReminder


def due_reminder(starts_at: datetime, booked_at: datetime, offsets: list[int], done: set[int],
                 now: datetime) -> tuple[int | None, list[int]]:
    """(offset to send now or None, offsets to record as done).

    An offset is due once `now` is within that many hours of the start. Only the nearest due offset
    is sent, so a late run does not send "tomorrow" and "in an hour" together; offsets whose moment
    had already passed when the booking was made are recorded without sending (the confirmation
    has just told them).
    """
    if now >= starts_at:
        return None, []
    due = sorted(h for h in offsets if h not in done and now >= starts_at - timedelta(hours=h))
    if not due:
        return None, []
    sendable = [h for h in due if booked_at < starts_at - timedelta(hours=h)]
    return (sendable[0] if sendable else None), due


def sent_offsets(kind: str, booking_ids: list[int]) -> dict[int, set[int]]:
    """Offsets already done per booking, in one query."""
    out: dict[int, set[int]] = {}
    if not booking_ids:
        return out
    rows = db.session.execute(select(SentReminder.booking_id, SentReminder.hours_before)
                              .where(SentReminder.kind == kind, SentReminder.booking_id.in_(booking_ids)))
    for booking_id, hours in rows:
        out.setdefault(booking_id, set()).add(hours)
    return out


def record(kind: str, booking_id: int, offsets: list[int], sent: int | None, now: datetime) -> None:
    for hours in offsets:
        db.session.add(SentReminder(kind=kind, booking_id=booking_id, hours_before=hours, sent_at=now,
                                    skipped=hours != sent))
    db.session.flush()
