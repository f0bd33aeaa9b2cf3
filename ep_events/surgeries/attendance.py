"""Attendance at a surgery date, and its booking list for facilitators."""

from datetime import datetime

from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.surgeries.bookings import confirmed_bookings_for_date
from ep_events.surgeries.models import Attendance, SurgeryBooking, SurgeryDate


def attendance_due(surgery_date: SurgeryDate, now: datetime | None = None) -> list[SurgeryBooking]:
    """The date's confirmed bookings whose slot has started: the people whose attendance can be marked
    (not a deleted account's: its attendance stays as it was)."""
    now = now or utcnow()
    return [b for b in confirmed_bookings_for_date(surgery_date) if b.slot.starts_at <= now and b.user is not None]


def attendance_opens_at(surgery_date: SurgeryDate) -> datetime | None:
    """When the first booked slot starts (attendance can be marked from then), or None with no bookings."""
    return min((b.slot.starts_at for b in confirmed_bookings_for_date(surgery_date)), default=None)


def record_attendance(actor, surgery_date: SurgeryDate, marks: dict[int, Attendance],
                      now: datetime | None = None) -> int:
    """Save attendance for several bookings of one date at once; returns how many were saved."""
    now = now or utcnow()
    if not marks:
        raise DomainError("Choose attended or did not attend for at least one person")
    due = {b.id: b for b in attendance_due(surgery_date, now)}
    for booking_id, attendance in marks.items():
        booking = due.get(booking_id)
        if booking is None:
            raise DomainError("You can mark attendance once the slot has started")
        if booking.attendance is not attendance:
            mark_attendance(actor, booking, attendance, now)
    return len(marks)


def mark_attendance(actor, booking: SurgeryBooking, attendance: Attendance, now: datetime | None = None) -> None:
    now = now or utcnow()
    if booking.slot.starts_at > now:
        raise DomainError("You can mark attendance once the slot has started")
    if not booking.is_confirmed:
        raise DomainError("This booking was cancelled")
    before = booking.attendance.value
    # The shared attendance record (CPD and reports read it): a surgery that happened lasted its slot.
    minutes = int((booking.slot.ends_at - booking.slot.starts_at).total_seconds() // 60)
    booking.mark_attendance(attendance, actor, now, minutes=minutes)
    db.session.flush()
    record_audit(actor, "surgery.attendance", booking, f"{booking.user.email}: {attendance.label}",
                 before={"attendance": before}, after={"attendance": attendance.value})


DELETED_ACCOUNT = "(account deleted)"
BOOKINGS_CSV_HEADER = ("Start (UK time)", "End (UK time)", "Name", "Email", "Organisation", "Job title", "Theme",
                       "Colleagues joining", "Attendance")


def bookings_csv(surgery_date: SurgeryDate) -> bytes:
    """The date's booking list for facilitators, as a spreadsheet-safe CSV file: no outlines."""
    rows = []
    for booking in confirmed_bookings_for_date(surgery_date):
        if booking.user is None:
            rows.append([f"{booking.slot.starts_at.astimezone(UK):%Y-%m-%d %H:%M}",
                         f"{booking.slot.ends_at.astimezone(UK):%H:%M}", DELETED_ACCOUNT, "", "", "",
                         booking.theme_label, "", booking.attendance.label])
            continue
        colleagues = "; ".join(f"{c['name']} <{c['email']}>" for c in booking.colleagues)
        rows.append([f"{booking.slot.starts_at.astimezone(UK):%Y-%m-%d %H:%M}",
                     f"{booking.slot.ends_at.astimezone(UK):%H:%M}", booking.user.name, booking.user.email,
                     booking.user.organisation_name, booking.user.job_title, booking.theme_label, colleagues,
                     booking.attendance.label])
    return csv_bytes(BOOKINGS_CSV_HEADER, rows)
