"""Attendance at a Network Day, marked by its organisers once the day has started, in the shared place
record (My bookings and CPD read it)."""

from dataclasses import dataclass
from datetime import datetime

from ep_events.accounts.policy import can_manage_programme
from ep_events.bookings.models import Attendance
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import uk_date, uk_time, utcnow
from ep_events.extensions import db
from ep_events.network_days.days import confirmed_places
from ep_events.network_days.models import NetworkDay, NetworkPlace


@dataclass(frozen=True)
class AttendanceMark:
    attendance: Attendance  # ATTENDED or DID_NOT_ATTEND
    minutes: int | None = None  # for ATTENDED; None: the whole day


def day_minutes(network_day: NetworkDay) -> int:
    """How long the day lasts: the minutes a person who came is marked with unless told otherwise."""
    return int((network_day.ends_at - network_day.starts_at).total_seconds() // 60)


def attendance_open(network_day: NetworkDay, now: datetime | None = None) -> bool:
    return network_day.starts_at <= (now or utcnow())


def attendance_due(network_day: NetworkDay, now: datetime | None = None) -> list[NetworkPlace]:
    """The day's confirmed places with a person named, once the day has started (none before): the places
    whose attendance can be marked."""
    if not attendance_open(network_day, now):
        return []
    return [place for place in confirmed_places(network_day) if place.user is not None]


def record_attendance(actor, network_day: NetworkDay, marks: dict[int, AttendanceMark],
                      now: datetime | None = None) -> int:
    """Save attendance for several places of one day at once, all or nothing; returns how many were saved.

    Only the programme's organisers, only once the day has started, only the day's named confirmed places,
    and minutes between 1 and the day's length."""
    now = now or utcnow()
    if not can_manage_programme(actor, network_day.programme):
        raise NotAllowed("Only the programme's organisers can mark attendance")
    if not attendance_open(network_day, now):
        raise DomainError(f"You can mark attendance once the Network Day has started, at "
                          f"{uk_time(network_day.starts_at)} on {uk_date(network_day.starts_at)}")
    if not marks:
        raise DomainError("Choose attended or did not attend for at least one person")
    due = {place.id: place for place in attendance_due(network_day, now)}
    longest = day_minutes(network_day)
    for place_id, mark in marks.items():  # every mark is checked before any is saved
        if place_id not in due:
            raise DomainError("One of the places is not a named place on this Network Day. Nothing was saved.")
        if mark.attendance not in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND):
            raise DomainError("Choose attended or did not attend", field=f"place_{place_id}")
        if mark.minutes is not None and not 1 <= mark.minutes <= longest:
            raise DomainError(f"Enter the minutes {due[place_id].user.name} attended, between 1 and {longest}",
                              field=f"minutes_{place_id}")
    for place_id, mark in marks.items():
        place = due[place_id]
        minutes = (mark.minutes or longest) if mark.attendance is Attendance.ATTENDED else None
        if (place.attendance, place.attended_minutes) == (mark.attendance, minutes):
            continue
        before = {"attendance": place.attendance.value, "minutes": place.attended_minutes}
        place.mark_attendance(mark.attendance, actor, now, minutes=minutes)
        record_audit(actor, "network.attendance", place, f"{place.user.email}: {mark.attendance.label}",
                     before=before, after={"attendance": mark.attendance.value, "minutes": minutes})
    db.session.flush()
    return len(marks)
