"""Surgery dates and their slots as facilitators run them: create, publish (with a Teams link), remove or
cancel slots, cancel a date, and the programme's facilitators."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ep_events.accounts.models import Grant, Role
from ep_events.accounts.services import grant_role
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import UK, uk_datetime, uk_time, uk_to_utc, utcnow
from ep_events.core.working_days import non_working_day
from ep_events.extensions import db
from ep_events.notifications.teams import TeamsLinkError, provider_from_config, validate_teams_url
from ep_events.standards import validate_codes
from ep_events.surgeries import emails
from ep_events.surgeries.availability import booking_for_slot
from ep_events.surgeries.bookings import confirmed_bookings_for_date
from ep_events.surgeries.models import (
    BookingStatus,
    SessionKind,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySettings,
    SurgerySlot,
    SurgeryWaitlistEntry,
    WaitlistStatus,
)
from ep_events.surgeries.settings import get_settings
from ep_events.surgeries.waitlist import offer_freed_slot, withdraw_offers

DATES_AHEAD_YEARS = 2  # how far ahead a surgery date can be set (issue 10: a year-9999 date broke retention)


def slot_times(day: date, starts: time, ends: time, settings: SurgerySettings) -> list[tuple[datetime, datetime]]:
    """The slots that fit in a window: slot length, then a buffer, until the window ends."""
    out = []
    length = timedelta(minutes=settings.slot_minutes)
    step = length + timedelta(minutes=settings.buffer_minutes)
    cursor = datetime.combine(day, starts)
    end = datetime.combine(day, ends)
    while cursor + length <= end:
        out.append((uk_to_utc(day, cursor.time()), uk_to_utc(day, (cursor + length).time())))
        cursor += step
    return out


class DuplicateSurgeryDate(DomainError):
    pass


class NonWorkingDay(DomainError):
    """Weekends and bank holidays need the facilitator's confirmation (the form asks for it)."""


def _clashing_date(programme, day: date, session: SessionKind, starts_at: datetime, ends_at: datetime):
    """A date of the programme, not cancelled, on the same day with the same session or an overlapping window."""
    same = or_(SurgeryDate.session == session, and_(SurgeryDate.starts_at < ends_at, SurgeryDate.ends_at > starts_at))
    if session is SessionKind.CUSTOM:
        same = and_(SurgeryDate.starts_at < ends_at, SurgeryDate.ends_at > starts_at)
    return db.session.execute(
        select(SurgeryDate).where(SurgeryDate.programme_id == programme.id, SurgeryDate.day == day,
                                  SurgeryDate.status != SurgeryDateStatus.CANCELLED, same)
        .order_by(SurgeryDate.starts_at).limit(1)
    ).scalar_one_or_none()


def session_window(settings: SurgerySettings, session: SessionKind, custom_starts: time | None,
                   custom_ends: time | None) -> tuple[time, time]:
    if session is SessionKind.AM:
        return settings.am_starts, settings.am_ends
    if session is SessionKind.PM:
        return settings.pm_starts, settings.pm_ends
    if custom_starts is None or custom_ends is None:
        raise DomainError("Enter the start and end times of the custom window", field="custom_starts")
    return custom_starts, custom_ends


def latest_surgery_day(now: datetime) -> date:
    """The last day a surgery date can be set on: two years from today (UK), 28 February for 29 February."""
    today = now.astimezone(UK).date()
    try:
        return today.replace(year=today.year + DATES_AHEAD_YEARS)
    except ValueError:
        return today.replace(year=today.year + DATES_AHEAD_YEARS, day=28)


def create_surgery_date(actor, programme, day: date, session: SessionKind, custom_starts: time | None = None,
                        custom_ends: time | None = None, now: datetime | None = None,
                        allow_non_working_day: bool = False, practice_standards: tuple[str, ...] = ()) -> SurgeryDate:
    """A draft surgery date with its slots generated from the window; published separately.

    Refused when the programme already has that session (or an overlapping window) that day; on a weekend
    or an England bank holiday only when the facilitator has confirmed it (`allow_non_working_day`).
    """
    now = now or utcnow()
    standards = validate_codes(practice_standards)
    latest = latest_surgery_day(now)
    if day > latest:
        raise DomainError(f"The surgery date must be within {DATES_AHEAD_YEARS} years of today, so on or before "
                          f"{latest.day} {latest:%B %Y}", field="day")
    settings = get_settings(programme)
    starts, ends = session_window(settings, session, custom_starts, custom_ends)
    if ends <= starts:
        raise DomainError("The end time must be after the start time", field="custom_ends")
    if uk_to_utc(day, starts) <= now:
        raise DomainError("The surgery date must be in the future", field="day")
    times = slot_times(day, starts, ends, settings)
    if not times:
        raise DomainError(f"The window is too short for a {settings.slot_minutes}-minute slot", field="custom_ends")
    clash = _clashing_date(programme, day, session, uk_to_utc(day, starts), uk_to_utc(day, ends))
    if clash is not None:
        raise DuplicateSurgeryDate(
            f"There is already a surgery date for {clash.label} ({uk_time(clash.starts_at)} to "
            f"{uk_time(clash.ends_at)}). Choose another date or session", field="day")
    reason = non_working_day(day)
    if reason and not allow_non_working_day:
        raise NonWorkingDay(f"{day:%A} {day.day} {day:%B %Y} is {reason}. Confirm that the surgery is on "
                            "that day, or choose another date", field="confirm_day")
    surgery_date = SurgeryDate(programme_id=programme.id, day=day, session=session,
                               starts_at=uk_to_utc(day, starts), ends_at=uk_to_utc(day, ends),
                               practice_standards=list(standards))
    surgery_date.slots = [SurgerySlot(starts_at=s, ends_at=e) for s, e in times]
    db.session.add(surgery_date)
    db.session.flush()
    record_audit(actor, "surgery.date.create", surgery_date,
                 f"{programme.name}: {surgery_date.label}, {len(times)} slots")
    return surgery_date


def set_date_standards(actor, surgery_date: SurgeryDate, codes) -> tuple[str, ...]:
    """Change the practice standards a date addresses (none clears them), audited; DomainError naming a code the
    current edition lacks, with nothing changed. CPD drafts made after this carry the new tags."""
    standards = validate_codes(codes)
    before = list(surgery_date.practice_standards or [])
    surgery_date.practice_standards = list(standards)
    db.session.flush()
    record_audit(actor, "surgery.date.standards", surgery_date,
                 f"{surgery_date.programme.name}: practice standards of {surgery_date.label}",
                 before={"practice_standards": before}, after={"practice_standards": list(standards)})
    return standards


def delete_draft_date(actor, surgery_date: SurgeryDate) -> None:
    """Delete a draft date outright: drafts take no bookings, so nobody needs telling."""
    if surgery_date.status is not SurgeryDateStatus.DRAFT:
        raise DomainError("Only a draft can be deleted: cancel a published date instead")
    record_audit(actor, "surgery.date.delete", surgery_date,
                 f"{surgery_date.programme.name}: deleted the draft {surgery_date.label}")
    db.session.delete(surgery_date)
    db.session.flush()


@dataclass
class ManagedDates:
    """A programme's dates as facilitators see them: upcoming soonest first; past and cancelled latest first."""

    upcoming: list[SurgeryDate]
    past: list[SurgeryDate]
    cancelled: list[SurgeryDate]


def managed_dates(programme, now: datetime | None = None) -> ManagedDates:
    now = now or utcnow()
    dates = list(db.session.execute(
        select(SurgeryDate).where(SurgeryDate.programme_id == programme.id)
        .order_by(SurgeryDate.starts_at, SurgeryDate.id).options(selectinload(SurgeryDate.slots))
    ).scalars())
    cancelled = [d for d in dates if d.status is SurgeryDateStatus.CANCELLED]
    live = [d for d in dates if d.status is not SurgeryDateStatus.CANCELLED]
    return ManagedDates(upcoming=[d for d in live if d.ends_at > now],
                        past=[d for d in reversed(live) if d.ends_at <= now], cancelled=cancelled[::-1])


def remove_slot(actor, slot: SurgerySlot) -> None:
    """Take a slot out before anyone has booked it."""
    if booking_for_slot(slot) is not None:
        raise DomainError("This slot has a booking: cancel the booking instead")
    if slot.status is not SlotStatus.OPEN:
        raise DomainError("This slot has already been removed or cancelled")
    slot.status = SlotStatus.REMOVED
    withdraw_offers(slot)
    db.session.flush()
    record_audit(actor, "surgery.slot.remove", slot, f"Removed slot {uk_datetime(slot.starts_at)}")


def publish_surgery_date(actor, surgery_date: SurgeryDate) -> str | None:
    """Open a draft date for booking. With Microsoft Graph, its Teams meeting is created first.

    If Graph fails the date is still published; the organiser is emailed and the message returned,
    so a facilitator can paste the link by hand.
    """
    if surgery_date.status is not SurgeryDateStatus.DRAFT:
        raise DomainError("This date is already published or cancelled")
    if not any(s.status is SlotStatus.OPEN for s in surgery_date.slots):
        raise DomainError("There are no slots to publish")
    problem = None
    if surgery_date.programme.teams_provider == "graph" and not surgery_date.teams_url:
        problem = _create_teams_meeting(surgery_date)
    surgery_date.status = SurgeryDateStatus.PUBLISHED
    db.session.flush()
    record_audit(actor, "surgery.date.publish", surgery_date, f"Published {surgery_date.label}",
                 after={"teams_url": surgery_date.teams_url, "teams_problem": problem})
    return problem


def _create_teams_meeting(surgery_date: SurgeryDate) -> str | None:
    """Ask the programme's Teams provider for a meeting; on failure, tell the organiser."""
    programme = surgery_date.programme
    try:
        provider = provider_from_config(current_app.config, programme.teams_provider)
        url = provider.create_meeting(f"EP practice surgery – {surgery_date.label}", surgery_date.starts_at,
                                      surgery_date.ends_at)
    except TeamsLinkError as error:
        emails.send_teams_problem(surgery_date, str(error))
        return str(error)
    surgery_date.teams_url = url or ""
    return None


def set_teams_url(actor, surgery_date: SurgeryDate, url: str) -> int:
    """Set or change the joining link; everyone booked on the date gets the updated invite."""
    url = validate_teams_url(url)
    if url == surgery_date.teams_url:
        return 0
    before = surgery_date.teams_url
    surgery_date.teams_url = url
    bookings = confirmed_bookings_for_date(surgery_date)
    for booking in bookings:
        booking.sequence += 1
        emails.send_booking_updated(booking, "The Microsoft Teams joining link has changed.")
    db.session.flush()
    record_audit(actor, "surgery.date.teams_link", surgery_date, f"Teams link for {surgery_date.label}",
                 before={"teams_url": before}, after={"teams_url": url})
    return len(bookings)


# --- Cancelling slots and dates ----------------------------------------------------------------

def facilitator_cancel_slot(actor, slot: SurgerySlot, message: str, now: datetime | None = None) -> None:
    """Cancel a slot: its booker is told and their invite cancelled; the slot is not re-offered."""
    now = now or utcnow()
    if slot.status is not SlotStatus.OPEN:
        raise DomainError("This slot is already cancelled or removed")
    booking = booking_for_slot(slot)
    if booking is not None:
        booking.cancel(now, actor, message.strip())
        db.session.flush()
        if booking.user is not None:  # nobody to tell when the booker has deleted their account
            emails.send_booking_cancelled(booking, by_facilitator=True, message=message.strip())
    withdraw_offers(slot)
    slot.status = SlotStatus.CANCELLED
    db.session.flush()
    record_audit(actor, "surgery.slot.cancel", slot, f"Cancelled slot {uk_datetime(slot.starts_at)}",
                 after={"message": message.strip(), "booking": booking.id if booking else None})


def reopen_slot(actor, slot: SurgerySlot, now: datetime | None = None) -> None:
    """Make a cancelled or removed slot bookable again; the first person waiting is offered it."""
    now = now or utcnow()
    if slot.status is SlotStatus.OPEN:
        raise DomainError("This slot is already open")
    if slot.surgery_date.status is SurgeryDateStatus.CANCELLED:
        raise DomainError("This date is cancelled")
    slot.status = SlotStatus.OPEN
    db.session.flush()
    record_audit(actor, "surgery.slot.reopen", slot, f"Reopened slot {uk_datetime(slot.starts_at)}")
    offer_freed_slot(slot, now)


def facilitator_cancel_date(actor, surgery_date: SurgeryDate, message: str, now: datetime | None = None) -> int:
    """Cancel a whole date: every booker is told and their invite cancelled."""
    now = now or utcnow()
    if surgery_date.status is SurgeryDateStatus.CANCELLED:
        raise DomainError("This date is already cancelled")
    cancelled = 0
    for slot in surgery_date.slots:
        if slot.status is SlotStatus.OPEN:
            booking = booking_for_slot(slot)
            if booking is not None and booking.user is not None:
                cancelled += 1  # people told (a deleted account's booking is cancelled without a message)
            facilitator_cancel_slot(actor, slot, message, now)
    for entry in db.session.execute(select(SurgeryWaitlistEntry).where(
            SurgeryWaitlistEntry.surgery_date_id == surgery_date.id,
            SurgeryWaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))).scalars():
        entry.move_to(WaitlistStatus.LEFT)
    surgery_date.status = SurgeryDateStatus.CANCELLED
    surgery_date.cancel_message = message.strip()
    db.session.flush()
    record_audit(actor, "surgery.date.cancel", surgery_date, f"Cancelled {surgery_date.label}",
                 after={"message": message.strip(), "bookings_cancelled": cancelled})
    return cancelled


# --- Facilitators ------------------------------------------------------------------------------

def booking_counts(dates: list[SurgeryDate]) -> dict[int, int]:
    """Confirmed bookings per date, in one query."""
    if not dates:
        return {}
    rows = db.session.execute(
        select(SurgerySlot.surgery_date_id, func.count(SurgeryBooking.id)).join(SurgeryBooking)
        .where(SurgerySlot.surgery_date_id.in_([d.id for d in dates]),
               SurgeryBooking.status == BookingStatus.CONFIRMED)
        .group_by(SurgerySlot.surgery_date_id)
    ).all()
    return dict(rows)


def facilitator_grants(programme) -> list:
    return list(db.session.execute(
        select(Grant).where(Grant.programme_id == programme.id, Grant.role == Role.FACILITATOR)
        .options(selectinload(Grant.user))
    ).scalars())


def add_facilitator(actor, programme, person) -> None:
    """Make someone with an account a facilitator of the programme (audited by grant_role)."""
    if person is None:
        raise DomainError("There is no EP Events account with that email address. Ask them to create one.",
                          field="email")
    grant_role(actor, person, Role.FACILITATOR, programme=programme)
