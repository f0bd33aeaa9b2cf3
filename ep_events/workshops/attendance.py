"""Attendance at a workshop, marked by the programme's organisers and facilitators once it has started, by
hand or from the attendance report Teams exports, in the shared place record (My bookings and CPD read it)."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ep_events.accounts.models import User
from ep_events.accounts.policy import can_facilitate_programme
from ep_events.bookings.models import Attendance, PlaceStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import uk_date, uk_time, utcnow
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopRegistration
from ep_events.workshops.teams_import import NotATeamsReport, ReportParticipant, parse_report


@dataclass(frozen=True)
class AttendanceMark:
    attendance: Attendance  # ATTENDED or DID_NOT_ATTEND
    minutes: int | None = None  # for ATTENDED; None: the whole workshop


def can_mark_attendance(user, workshop: Workshop) -> bool:
    return can_facilitate_programme(user, workshop.programme)


def workshop_minutes(workshop: Workshop) -> int:
    """How long the workshop lasts: the minutes a person who came is marked with unless told otherwise."""
    return max(1, int((workshop.ends_at - workshop.starts_at).total_seconds() // 60))


def attended_threshold_minutes(workshop: Workshop) -> int:
    """From how many minutes in the meeting a person counts as having attended (the WORKSHOP_ATTENDED_PERCENT
    setting, 50 % unless changed, of the workshop's length, rounded up)."""
    percent = int(current_app.config.get("WORKSHOP_ATTENDED_PERCENT", 50))
    return max(1, -(-workshop_minutes(workshop) * percent // 100))


def attendance_open(workshop: Workshop, now: datetime | None = None) -> bool:
    return workshop.starts_at <= (now or utcnow())


def confirmed_registrations(workshop: Workshop) -> list[WorkshopRegistration]:
    """The workshop's confirmed registrations of people who still have an account, by name."""
    return list(db.session.execute(
        select(WorkshopRegistration).join(User, WorkshopRegistration.user_id == User.id)
        .where(WorkshopRegistration.event_id == workshop.id, WorkshopRegistration.status == PlaceStatus.CONFIRMED)
        .options(joinedload(WorkshopRegistration.user)).order_by(User.name, WorkshopRegistration.id)).scalars())


def _check_can_mark(actor, workshop: Workshop, now: datetime) -> None:
    if not can_mark_attendance(actor, workshop):
        raise NotAllowed("Only the programme's organisers and facilitators can mark attendance")
    if not attendance_open(workshop, now):
        raise DomainError(f"You can mark attendance once the workshop has started, at "
                          f"{uk_time(workshop.starts_at)} on {uk_date(workshop.starts_at)}")


def _mark(actor, registration: WorkshopRegistration, attendance: Attendance, minutes: int | None, now: datetime,
          source: str) -> bool:
    minutes = minutes if attendance is Attendance.ATTENDED else None
    if (registration.attendance, registration.attended_minutes) == (attendance, minutes):
        return False
    before = {"attendance": registration.attendance.value, "minutes": registration.attended_minutes}
    registration.mark_attendance(attendance, actor, now, minutes=minutes)
    record_audit(actor, "workshop.attendance", registration,
                 f"{registration.user.email}: {attendance.label} ({source})", before=before,
                 after={"attendance": attendance.value, "minutes": minutes, "source": source})
    return True


def record_attendance(actor, workshop: Workshop, marks: dict[int, AttendanceMark],
                      now: datetime | None = None) -> int:
    """Save attendance for several registrations at once, all or nothing; returns how many were sent.

    Only the programme's organisers and facilitators, once the workshop has started, only its confirmed
    registrations, and minutes between 1 and the workshop's length."""
    now = now or utcnow()
    _check_can_mark(actor, workshop, now)
    if not marks:
        raise DomainError("Choose attended or did not attend for at least one person")
    due = {registration.id: registration for registration in confirmed_registrations(workshop)}
    longest = workshop_minutes(workshop)
    for registration_id, mark in marks.items():  # every mark is checked before any is saved
        if registration_id not in due:
            raise DomainError("One of the people is not registered for this workshop. Nothing was saved.")
        if mark.attendance not in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND):
            raise DomainError("Choose attended or did not attend", field=f"place_{registration_id}")
        if mark.minutes is not None and not 1 <= mark.minutes <= longest:
            raise DomainError(f"Enter the minutes {due[registration_id].user.name} attended, between 1 and {longest}",
                              field=f"minutes_{registration_id}")
    for registration_id, mark in marks.items():
        _mark(actor, due[registration_id], mark.attendance, mark.minutes or longest, now, "by hand")
    db.session.flush()
    return len(marks)


# --- From a Teams attendance report ----------------------------------------------------------------

@dataclass(frozen=True)
class ImportedRow:
    name: str
    email: str
    minutes: int
    attendance: Attendance


@dataclass
class ImportResult:
    threshold_minutes: int
    workshop_minutes: int
    matched: list[ImportedRow] = field(default_factory=list)
    unmatched: list[ReportParticipant] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # registrants not in the report, marked did not attend
    unchanged_absent: list[str] = field(default_factory=list)  # not in the report, already marked: left as they were
    changed: int = 0

    @property
    def attended(self) -> int:
        return sum(1 for row in self.matched if row.attendance is Attendance.ATTENDED)


def report_max_bytes() -> int:
    return int(current_app.config["WORKSHOP_ATTENDANCE_REPORT_MAX_BYTES"])


def import_teams_report(actor, workshop: Workshop, content: bytes, now: datetime | None = None) -> ImportResult:
    """Mark attendance from a Teams attendance report, all or nothing.

    Participants are matched to confirmed registrations by email address (any letter case); their minutes in
    the meeting are recorded (up to the workshop's length) and they attended from the threshold on
    (`attended_threshold_minutes`). Registrants missing from the report are marked did not attend unless
    someone already marked them. Rows matching nobody are returned, not saved."""
    now = now or utcnow()
    _check_can_mark(actor, workshop, now)
    if len(content) > report_max_bytes():
        raise DomainError(f"The selected file must be smaller than {report_max_bytes() // (1024 * 1024)} MB. "
                          "Nothing was changed", field="report")
    try:
        report = parse_report(content)
    except NotATeamsReport as error:
        raise DomainError(f"{error}", field="report") from None
    if not report.participants:
        raise DomainError("The report lists no participants. Nothing was changed", field="report")
    longest = workshop_minutes(workshop)
    result = ImportResult(threshold_minutes=attended_threshold_minutes(workshop), workshop_minutes=longest)
    registrations = {registration.user.email.lower(): registration
                     for registration in confirmed_registrations(workshop)}
    seconds_by_email: dict[str, int] = {}
    names: dict[str, str] = {}
    for participant in report.participants:
        if participant.email and participant.email in registrations:
            # Teams gives one row per person; a copy edited by hand may repeat someone: their times add up.
            seconds_by_email[participant.email] = seconds_by_email.get(participant.email, 0) + participant.seconds
            names.setdefault(participant.email, participant.name)
        else:
            result.unmatched.append(participant)
    for email, seconds in seconds_by_email.items():
        registration = registrations[email]
        minutes = min(seconds // 60, longest)
        attendance = Attendance.ATTENDED if minutes >= result.threshold_minutes else Attendance.DID_NOT_ATTEND
        result.matched.append(ImportedRow(registration.user.name, registration.user.email, minutes, attendance))
        if _mark(actor, registration, attendance, max(minutes, 1), now, "Teams attendance report"):
            result.changed += 1
    for email, registration in registrations.items():
        if email in seconds_by_email:
            continue
        if registration.attendance is Attendance.UNKNOWN:
            _mark(actor, registration, Attendance.DID_NOT_ATTEND, None, now, "not in the Teams attendance report")
            result.absent.append(registration.user.name)
            result.changed += 1
        else:
            result.unchanged_absent.append(registration.user.name)
    result.matched.sort(key=lambda row: row.name.lower())
    db.session.flush()
    return result
