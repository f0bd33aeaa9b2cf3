"""Surgery rules: slot generation, fair booking, no double booking, waiting list, attendance, retention.

Concurrency: every booking-changing service first takes a per-user lock (a row lock on PostgreSQL, the
write lock on SQLite), so one person's requests run one after another; a partial unique index on
confirmed bookings guarantees one booking per slot whatever happens between people.
"""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays
from sqlalchemy import String, and_, bindparam, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.core.jobs import each_row_alone
from ep_events.core.models import UTCDateTime
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import UK, uk_datetime, uk_time, utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import build_download
from ep_events.programmes.models import Programme, ProgrammeKind, ProgrammeStatus
from ep_events.surgeries import emails
from ep_events.surgeries.models import (DATE_LONGEST, THEME_LABELS, Attendance, BookingStatus, OfferStatus,
                                        SessionKind, SlotOffer, SlotStatus, SurgeryBooking, SurgeryDate,
                                        SurgeryDateStatus, SurgerySettings, SurgerySlot, WaitlistEntry, WaitlistStatus,
                                        date_label)

MAX_COLLEAGUES = 2
OUTLINE_MAX = 500
COLLEAGUE_NAME_MAX = 70  # GOV.UK's guidance for a full name field
COLLEAGUE_NAME_RULE = "letters, spaces, hyphens, apostrophes and full stops"
DATES_AHEAD_YEARS = 2  # how far ahead a surgery date can be set (issue 10: a year-9999 date broke retention)


class SlotTaken(DomainError):
    def __init__(self):
        super().__init__("Sorry, that slot has just been taken. Choose another slot.", field="slot")


class BookingWindowClosed(DomainError):
    pass


class BookingLimitReached(DomainError):
    pass


# --- Settings ----------------------------------------------------------------------------------

def get_settings(programme) -> SurgerySettings:
    """The programme's surgery rules (loaded with the programme), created with the defaults if new."""
    settings = programme.surgery_settings
    if settings is None:
        settings = SurgerySettings(programme=programme)
        db.session.add(settings)
        db.session.flush()
    return settings


SETTING_FIELDS = ("slot_minutes", "buffer_minutes", "booking_close_hours", "max_upcoming_bookings",
                  "offer_hours", "outline_retention_days", "am_starts", "am_ends", "pm_starts", "pm_ends",
                  "reminder_hours")


def update_settings(actor, programme, **values) -> SurgerySettings:
    """Change a programme's surgery rules, audited."""
    settings = get_settings(programme)
    if values["slot_minutes"] < 10:
        raise DomainError("Slot length must be at least 10 minutes", field="slot_minutes")
    if values["max_upcoming_bookings"] < 1:
        raise DomainError("People must be able to hold at least 1 booking", field="max_upcoming_bookings")
    for start, end in (("am_starts", "am_ends"), ("pm_starts", "pm_ends")):
        if values[end] <= values[start]:
            raise DomainError(f"{end[:2].upper()} session must end after it starts", field=end)
    before = {k: str(v) for k, v in snapshot(settings, SETTING_FIELDS).items()}
    for key in SETTING_FIELDS:
        if key in values:
            setattr(settings, key, values[key])
    db.session.flush()
    after = {k: str(v) for k, v in snapshot(settings, SETTING_FIELDS).items()}
    record_audit(actor, "surgery.settings", programme, f"Surgery settings of {programme.name}",
                 before=before, after=after)
    return settings


# --- Dates and slots ---------------------------------------------------------------------------

def uk_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in the UK on a day, as UTC (right either side of the clocks changing)."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


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


@cache
def _england_bank_holidays(year: int) -> dict:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def non_working_day(day: date) -> str | None:
    """Why a day is not a working day in England ('a Saturday', 'a bank holiday (Christmas Day)'), or None."""
    holiday = _england_bank_holidays(day.year).get(day)
    if holiday:
        return f"a bank holiday ({holiday})"
    if day.weekday() >= 5:
        return f"a {day:%A}"
    return None


def next_working_day(day: date) -> date:
    while non_working_day(day):
        day += timedelta(days=1)
    return day


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
                        allow_non_working_day: bool = False) -> SurgeryDate:
    """A draft surgery date with its slots generated from the window; published separately.

    Refused when the programme already has that session (or an overlapping window) that day; on a weekend
    or an England bank holiday only when the facilitator has confirmed it (`allow_non_working_day`).
    """
    now = now or utcnow()
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
                               starts_at=uk_to_utc(day, starts), ends_at=uk_to_utc(day, ends))
    surgery_date.slots = [SurgerySlot(starts_at=s, ends_at=e) for s, e in times]
    db.session.add(surgery_date)
    db.session.flush()
    record_audit(actor, "surgery.date.create", surgery_date,
                 f"{programme.name}: {surgery_date.label}, {len(times)} slots")
    return surgery_date


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
    _withdraw_offers(slot)
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
    from flask import current_app

    from ep_events.notifications.teams import TeamsLinkError, provider_from_config

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
    from ep_events.notifications.teams import validate_teams_url

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


# --- Reading -----------------------------------------------------------------------------------

def booking_for_slot(slot: SurgerySlot) -> SurgeryBooking | None:
    return db.session.execute(
        select(SurgeryBooking).where(SurgeryBooking.slot_id == slot.id,
                                     SurgeryBooking.status == BookingStatus.CONFIRMED)
    ).scalar_one_or_none()


def confirmed_bookings_for_date(surgery_date: SurgeryDate) -> list[SurgeryBooking]:
    return list(db.session.execute(
        select(SurgeryBooking).join(SurgerySlot).where(SurgerySlot.surgery_date_id == surgery_date.id,
                                                       SurgeryBooking.status == BookingStatus.CONFIRMED)
        .options(selectinload(SurgeryBooking.user)).order_by(SurgerySlot.starts_at)
    ).scalars())


@dataclass
class DateAvailability:
    surgery_date: "DateSummary"
    free_slots: list["SlotTimes"]
    taking_bookings: bool = True  # False once every open slot is past booking close: nothing can free up

    @property
    def is_full(self) -> bool:
        return not self.free_slots


def _slot_taken():
    """SQL: the slot has a confirmed booking or is held for a waiting-list offer."""
    booked = (select(SurgeryBooking.id).where(SurgeryBooking.slot_id == SurgerySlot.id,
                                              SurgeryBooking.status == BookingStatus.CONFIRMED).exists())
    offered = (select(SlotOffer.id).where(SlotOffer.slot_id == SurgerySlot.id,
                                          SlotOffer.status == OfferStatus.OPEN).exists())
    return or_(booked, offered)


def _slot_free(bookable_after):
    """SQL: the slot can be booked now: open, nobody holds it, and it starts after `bookable_after`
    (now + the programme's booking close). The slot picker and the public API both count by this."""
    return and_(SurgerySlot.status == SlotStatus.OPEN, SurgerySlot.starts_at > bookable_after, ~_slot_taken())


@dataclass(frozen=True)
class SlotTimes:
    id: int
    starts_at: datetime
    ends_at: datetime
    times: str = ""  # "9:30am to 10:10am" in UK time, worked out once for the slot picker

    def __post_init__(self):
        object.__setattr__(self, "times", f"{uk_time(self.starts_at)} to {uk_time(self.ends_at)}")


@dataclass(frozen=True)
class DateSummary:
    id: int
    session: SessionKind
    starts_at: datetime
    label: str = ""  # worked out once: the slot picker shows it beside every slot

    def __post_init__(self):
        object.__setattr__(self, "label", date_label(self.starts_at, self.session))


@cache
def _availability_statement(paged: bool):
    """Built once, on first use (an alias needs every model mapped): the slot picker is the busiest page,
    and building a statement costs more than running it.

    One row per free slot, and one row with no slot for a date that has none free: the database
    applies the rules (open, not taken, still bookable), so nothing is read only to be thrown away.
    Each date also says whether any open slot (free or taken) can still be booked in time: if none can,
    a cancellation frees nothing bookable, so the date has no waiting list.
    """
    bookable_after = bindparam("bookable_after", type_=UTCDateTime)
    later = aliased(SurgerySlot)
    taking_bookings = (select(later.id).where(later.surgery_date_id == SurgeryDate.id,
                                              later.status == SlotStatus.OPEN, later.starts_at > bookable_after)
                       .exists().label("taking_bookings"))
    # A date's window lies within one day, so "starts after `since`" (a day or two before now) lets the
    # (programme, status, starts_at) index find the next dates in order without reading the past ones.
    page = (select(SurgeryDate.id, taking_bookings)
            .where(SurgeryDate.programme_id == bindparam("programme_id"),
                   SurgeryDate.status == SurgeryDateStatus.PUBLISHED,
                   SurgeryDate.starts_at > bindparam("since", type_=UTCDateTime),
                   SurgeryDate.ends_at > bindparam("now", type_=UTCDateTime))
            .order_by(SurgeryDate.starts_at, SurgeryDate.id))
    if paged:
        page = page.limit(bindparam("limit")).offset(bindparam("offset"))
    page = page.subquery()
    free = and_(SurgerySlot.surgery_date_id == SurgeryDate.id, _slot_free(bookable_after))
    return (select(SurgeryDate.id, SurgeryDate.session, SurgeryDate.starts_at, page.c.taking_bookings,
                   SurgerySlot.id, SurgerySlot.starts_at, SurgerySlot.ends_at)
            .select_from(SurgeryDate).join(page, page.c.id == SurgeryDate.id)
            .outerjoin(SurgerySlot, free)
            .order_by(SurgeryDate.starts_at, SurgeryDate.id, SurgerySlot.starts_at))


def upcoming_availability(programme, now: datetime | None = None, limit: int | None = None,
                          offset: int = 0, close_hours: int | None = None) -> list[DateAvailability]:
    """Published future dates with their free slots: one query of plain rows whatever the data size.

    A slot is free when it is open, nobody holds it (booking or waiting-list offer) and booking has
    not closed: it starts more than the programme's close time after now.
    """
    now = now or utcnow()
    if close_hours is None:
        close_hours = get_settings(programme).booking_close_hours
    params = {"programme_id": programme.id, "now": now, "since": now - DATE_LONGEST,
              "bookable_after": now + timedelta(hours=close_hours)}
    if limit is not None:
        params |= {"limit": limit, "offset": offset}
    # Core, not the ORM: plain rows need none of its bookkeeping (same connection and transaction).
    out: list[DateAvailability] = []
    for date_id, session, d_starts, taking_bookings, slot_id, s_starts, s_ends in (
            db.session.connection().execute(_availability_statement(limit is not None), params)):
        if not out or out[-1].surgery_date.id != date_id:
            out.append(DateAvailability(DateSummary(date_id, session, d_starts), [], bool(taking_bookings)))
        if slot_id is not None:
            out[-1].free_slots.append(SlotTimes(slot_id, s_starts, s_ends))
    return out


def user_bookings(user, programme=None) -> list[SurgeryBooking]:
    query = (select(SurgeryBooking).join(SurgerySlot).where(SurgeryBooking.user_id == user.id)
             .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                      .selectinload(SurgeryDate.programme))
             .order_by(SurgerySlot.starts_at))
    if programme is not None:
        query = query.join(SurgeryDate).where(SurgeryDate.programme_id == programme.id)
    return list(db.session.execute(query).scalars())


def upcoming_count(user, programme, now: datetime) -> int:
    return db.session.execute(
        select(func.count(SurgeryBooking.id)).join(SurgerySlot).join(SurgeryDate)
        .where(SurgeryBooking.user_id == user.id, SurgeryBooking.status == BookingStatus.CONFIRMED,
               SurgeryDate.programme_id == programme.id, SurgerySlot.starts_at > now)
    ).scalar_one()


def user_waitlist(user) -> list[WaitlistEntry]:
    return list(db.session.execute(
        select(WaitlistEntry).where(WaitlistEntry.user_id == user.id,
                                    WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
        .options(selectinload(WaitlistEntry.surgery_date))
    ).scalars())


def open_offers_for(user) -> list[SlotOffer]:
    return list(db.session.execute(
        select(SlotOffer).join(WaitlistEntry).where(WaitlistEntry.user_id == user.id,
                                                    SlotOffer.status == OfferStatus.OPEN)
    ).scalars())


# --- Booking -----------------------------------------------------------------------------------

def lock_person(user) -> None:
    """Serialise one person's booking changes: PostgreSQL row lock, SQLite write lock."""
    from ep_events.accounts.models import User

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now, before we read anything we decide on.
        db.session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version))


def _refresh(slot: SurgerySlot) -> SurgerySlot:
    return db.session.execute(
        select(SurgerySlot).where(SurgerySlot.id == slot.id).execution_options(populate_existing=True)
    ).scalar_one()


def check_slot_bookable(slot: SurgerySlot, now: datetime, for_offer: SlotOffer | None = None) -> None:
    """The rules a slot must pass to be booked now, each with the message a person sees."""
    surgery_date = slot.surgery_date
    settings = get_settings(surgery_date.programme)
    if (slot.status is not SlotStatus.OPEN or surgery_date.status is not SurgeryDateStatus.PUBLISHED
            or not surgery_date.programme.is_published):
        raise DomainError("This slot is not available", field="slot")
    if slot.starts_at <= now:
        raise BookingWindowClosed("This slot is in the past", field="slot")
    if now >= slot.starts_at - timedelta(hours=settings.booking_close_hours):
        raise BookingWindowClosed(
            f"Booking for this slot closed {settings.booking_close_hours} hours before it starts", field="slot")
    if booking_for_slot(slot) is not None:
        raise SlotTaken()
    offer = open_offer_for_slot(slot)
    if offer is not None and offer is not for_offer:
        raise SlotTaken()


def limit_message(most: int) -> str:
    """What a person at the programme's booking limit is told, before and after filling in the form."""
    return (f"You have {most} upcoming booking{'s' if most != 1 else ''}, the most you can hold. "
            "Cancel one to book another.")


def check_limit(user, programme, now: datetime, ignoring: SurgeryBooking | None = None) -> None:
    settings = get_settings(programme)
    count = upcoming_count(user, programme, now)
    if ignoring is not None and ignoring.is_confirmed and ignoring.slot.starts_at > now:
        count -= 1
    if count >= settings.max_upcoming_bookings:
        raise BookingLimitReached(limit_message(settings.max_upcoming_bookings), field="slot")


def at_booking_limit(user, programme, now: datetime | None = None) -> str | None:
    """The limit message if the person already holds as many upcoming bookings as the programme allows."""
    try:
        check_limit(user, programme, now or utcnow())
    except BookingLimitReached as error:
        return str(error)
    return None


def booked_slot_by(user, slot: SurgerySlot) -> SurgeryBooking | None:
    """The person's own confirmed booking of this slot, if they hold it (Back after booking lands here)."""
    booking = booking_for_slot(slot)
    return booking if booking is not None and booking.user_id == user.id else None


_NAME_PUNCTUATION = frozenset(" -'’.")


def is_plain_name(name: str) -> bool:
    """A person's name on one line: letters of any script (with their accents), spaces, hyphens,
    apostrophes and full stops, and at least one letter. Nothing else a booker could use to write a
    message or a link into the emails we send to the people they name (issue 10)."""
    return (0 < len(name) <= COLLEAGUE_NAME_MAX and any(unicodedata.category(c).startswith("L") for c in name)
            and all(c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LM" for c in name))


def clean_colleagues(colleagues: list[dict]) -> list[dict]:
    """The colleagues a booker names, each a plain one-line name and an email address."""
    out = []
    for n, colleague in enumerate(colleagues, start=1):
        name = " ".join(part for part in unicodedata.normalize("NFC", colleague.get("name") or "").split(" ") if part)
        email = (colleague.get("email") or "").strip().lower()
        if name or email:
            if not (name and email):
                raise DomainError("Enter both the name and the email address of each colleague", field="colleagues")
            if not is_plain_name(name):
                raise DomainError(f"Enter colleague {n}'s name using only {COLLEAGUE_NAME_RULE}, on one line, in "
                                  f"{COLLEAGUE_NAME_MAX} characters or fewer", field=f"colleague{n}_name")
            if email.count("@") != 1 or any(c.isspace() or not c.isprintable() for c in email):
                raise DomainError(f"Enter colleague {n}'s email address in the correct format, like "
                                  "name@example.org", field=f"colleague{n}_email")
            out.append({"name": name, "email": email})
    if len(out) > MAX_COLLEAGUES:
        raise DomainError(f"You can name up to {MAX_COLLEAGUES} colleagues", field="colleagues")
    return out


def book_slot(slot: SurgerySlot, user, theme: str, outline: str = "", colleagues: list[dict] | None = None,
              now: datetime | None = None, offer: SlotOffer | None = None) -> tuple[SurgeryBooking, bool]:
    """Book a slot for a person: one booking per slot, within the window and their limit.

    Returns (booking, created). Submitting the same booking twice returns the first one, unchanged.
    """
    now = now or utcnow()
    if theme not in THEME_LABELS:
        raise DomainError("Choose what you would like to discuss", field="theme")
    outline = (outline or "").strip()
    if len(outline) > OUTLINE_MAX:
        raise DomainError(f"Outline must be {OUTLINE_MAX} characters or fewer", field="outline")
    colleagues = clean_colleagues(colleagues or [])
    lock_person(user)
    slot = _refresh(slot)
    existing = booking_for_slot(slot)
    if existing is not None and existing.user_id == user.id:
        return existing, False
    check_slot_bookable(slot, now, for_offer=offer)
    check_limit(user, slot.surgery_date.programme, now)
    booking = SurgeryBooking(slot_id=slot.id, user_id=user.id, theme=theme, outline=outline, colleagues=colleagues)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotTaken() from None
    booking.slot = slot
    booking.user = user
    emails.send_booking_confirmation(booking)
    return booking, True


def _lock_changeable(booking: SurgeryBooking, now: datetime, change: str) -> None:
    """Take the booker's lock, re-read the booking, and refuse if it can no longer be changed."""
    lock_person(booking.user)
    db.session.refresh(booking)
    if not booking.is_confirmed:
        raise DomainError("This booking is already cancelled")
    if not booking.can_change(now):
        raise DomainError(f"This surgery has already started, so it cannot be {change}")


@dataclass
class MyBookings:
    upcoming: list[SurgeryBooking]
    past: list[SurgeryBooking]
    has_earlier: bool


def my_bookings(user, page: int = 1, per_page: int = 20, now: datetime | None = None) -> MyBookings:
    """Upcoming confirmed bookings, soonest first, all of them (each programme's limit keeps them few);
    past and cancelled ones, latest first, a page at a time (they only grow)."""
    now = now or utcnow()
    query = (select(SurgeryBooking).join(SurgerySlot).where(SurgeryBooking.user_id == user.id)
             .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                      .selectinload(SurgeryDate.programme)))
    upcoming = and_(SurgeryBooking.status == BookingStatus.CONFIRMED, SurgerySlot.ends_at > now)
    coming = db.session.execute(query.where(upcoming).order_by(SurgerySlot.starts_at)).scalars().all()
    past = db.session.execute(
        query.where(~upcoming).order_by(SurgerySlot.starts_at.desc(), SurgeryBooking.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)  # one more, to know whether there are earlier ones
    ).scalars().all()
    return MyBookings(list(coming), list(past[:per_page]), len(past) > per_page)


def cancel_booking(booking: SurgeryBooking, actor, reason: str = "", now: datetime | None = None) -> None:
    """The booker cancels: their invite is cancelled and the slot goes to the waiting list."""
    now = now or utcnow()
    _lock_changeable(booking, now, "cancelled")
    booking.cancel(now, actor, (reason or "").strip()[:500])
    db.session.flush()
    emails.send_booking_cancelled(booking, by_facilitator=False)
    offer_freed_slot(booking.slot, now)


def movable_slots(booking: SurgeryBooking, now: datetime | None = None) -> list[DateAvailability]:
    programme = booking.slot.surgery_date.programme
    out = []
    for availability in upcoming_availability(programme, now):
        availability.free_slots = [s for s in availability.free_slots if s.id != booking.slot_id]
        if availability.free_slots:
            out.append(availability)
    return out


def move_booking(booking: SurgeryBooking, new_slot: SurgerySlot, actor, now: datetime | None = None) -> None:
    """Move to another free slot of the same programme: same booking, same UID, higher SEQUENCE."""
    now = now or utcnow()
    _lock_changeable(booking, now, "moved")
    new_slot = _refresh(new_slot)
    if new_slot.id == booking.slot_id:
        raise DomainError("Choose a different slot", field="slot")
    if new_slot.surgery_date.programme_id != booking.slot.surgery_date.programme_id:
        raise DomainError("You can only move to a slot of the same programme", field="slot")
    check_slot_bookable(new_slot, now)
    old_slot = booking.slot
    booking.slot_id = new_slot.id
    booking.sequence += 1
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotTaken() from None
    db.session.refresh(booking)
    emails.send_booking_updated(booking, f"Your surgery has moved from {uk_datetime(old_slot.starts_at)}.")
    offer_freed_slot(old_slot, now)


def booking_invite(booking: SurgeryBooking) -> str:
    """The booker's calendar file to download: the emailed invite's event (same UID and SEQUENCE), published
    without the attendee list, so a later emailed update or cancellation changes the same entry."""
    if not booking.is_confirmed:
        raise DomainError("This booking was cancelled")
    return build_download(emails.calendar_event(booking))


def reminder_hours(programme) -> list[int]:
    """How many hours before a surgery reminders go, as `send_due_reminders` reads the setting."""
    return sorted(get_settings(programme).reminder_hours or [24, 1], reverse=True)


# --- Waiting list ------------------------------------------------------------------------------

def open_offer_for_slot(slot: SurgerySlot) -> SlotOffer | None:
    return db.session.execute(
        select(SlotOffer).where(SlotOffer.slot_id == slot.id, SlotOffer.status == OfferStatus.OPEN)
    ).scalar_one_or_none()


class AlreadyOnWaitlist(DomainError):
    pass


def waitlist_entry_for(surgery_date: SurgeryDate, user) -> WaitlistEntry | None:
    """The person's current place on a date's waiting list (waiting or offered a slot), if any."""
    return db.session.execute(
        select(WaitlistEntry).where(WaitlistEntry.surgery_date_id == surgery_date.id, WaitlistEntry.user_id == user.id,
                                    WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
    ).scalar_one_or_none()


def _offer_expiry(slot_starts_at: datetime, settings: SurgerySettings, now: datetime) -> datetime:
    """An offer made now lasts the programme's offer time, but never past the slot's booking close."""
    return min(now + timedelta(hours=settings.offer_hours),
               slot_starts_at - timedelta(hours=settings.booking_close_hours))


@dataclass(frozen=True)
class OfferTerms:
    """How long someone offered a freed slot of a date has to take it, as the waiting list page says."""

    offer_hours: int
    booking_close_hours: int
    earliest_end: datetime | None  # if a slot of the date freed now; None if no slot could still be offered
    latest_end: datetime | None


def offer_terms(surgery_date: SurgeryDate, now: datetime | None = None) -> OfferTerms:
    """The programme's offer time, and when an offer made now would end (the rule `offer_freed_slot` uses)."""
    now = now or utcnow()
    settings = get_settings(surgery_date.programme)
    ends = [end for end in (_offer_expiry(s.starts_at, settings, now) for s in surgery_date.slots
                            if s.status is SlotStatus.OPEN) if end > now]
    return OfferTerms(settings.offer_hours, settings.booking_close_hours, min(ends, default=None),
                      max(ends, default=None))


def join_waitlist(surgery_date: SurgeryDate, user, theme: str = "general", now: datetime | None = None
                  ) -> WaitlistEntry:
    """Join the waiting list of a full date, once (joining again is refused), and email to confirm."""
    now = now or utcnow()
    if theme not in THEME_LABELS:
        raise DomainError("Choose what you would like to discuss", field="theme")
    availability = next((a for a in upcoming_availability(surgery_date.programme, now)
                         if a.surgery_date.id == surgery_date.id), None)
    if availability is None or not surgery_date.programme.is_published:
        raise DomainError("This date is not taking bookings")
    if not availability.is_full:
        raise DomainError("This date still has free slots: book one instead")
    if not availability.taking_bookings:
        raise DomainError("Booking has closed for this date, so it has no waiting list")
    lock_person(user)
    if waitlist_entry_for(surgery_date, user) is not None:
        raise AlreadyOnWaitlist(f"You are already on the waiting list for {surgery_date.label}")
    entry = WaitlistEntry(surgery_date_id=surgery_date.id, user_id=user.id, theme=theme)
    db.session.add(entry)
    db.session.flush()
    record_audit(user, "surgery.waitlist.join", entry, f"{user.email} joined the waiting list for {surgery_date.label}")
    emails.send_waitlist_joined(entry, offer_terms(surgery_date, now))
    return entry


def leave_waitlist(entry: WaitlistEntry, user) -> None:
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise DomainError("You are not on this waiting list")
    if entry.status is WaitlistStatus.OFFERED:
        for offer in db.session.execute(select(SlotOffer).where(SlotOffer.entry_id == entry.id,
                                                                SlotOffer.status == OfferStatus.OPEN)).scalars():
            offer.status = OfferStatus.WITHDRAWN
            offer.closed_at = utcnow()
            offer_freed_slot(offer.slot, utcnow(), exclude_entry=entry)
    entry.status = WaitlistStatus.LEFT
    db.session.flush()


def offer_freed_slot(slot: SurgerySlot, now: datetime, exclude_entry: WaitlistEntry | None = None) -> SlotOffer | None:
    """Offer a slot that has just become free to the first person waiting for its date."""
    slot = _refresh(slot)
    if slot.status is not SlotStatus.OPEN or slot.surgery_date.status is not SurgeryDateStatus.PUBLISHED:
        return None
    if booking_for_slot(slot) is not None or open_offer_for_slot(slot) is not None:
        return None
    expires_at = _offer_expiry(slot.starts_at, get_settings(slot.surgery_date.programme), now)
    if expires_at <= now:
        return None
    query = (select(WaitlistEntry).where(WaitlistEntry.surgery_date_id == slot.surgery_date_id,
                                         WaitlistEntry.status == WaitlistStatus.WAITING)
             .order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(1))
    if exclude_entry is not None:
        query = query.where(WaitlistEntry.id != exclude_entry.id)
    entry = db.session.execute(query).scalar_one_or_none()
    if entry is None:
        return None
    entry.status = WaitlistStatus.OFFERED
    offer = SlotOffer(slot=slot, entry=entry, offered_at=now, expires_at=expires_at)
    db.session.add(offer)
    db.session.flush()
    record_audit(None, "surgery.offer.make", offer,
                 f"Offered {uk_datetime(slot.starts_at)} to {entry.user.email} until {uk_datetime(expires_at)}")
    emails.send_offer(offer)
    return offer


def _close_offer(offer: SlotOffer, status: OfferStatus, now: datetime) -> bool:
    """Close an open offer as accepted, declined or expired; False if someone else closed it first
    (one conditional UPDATE, so two requests or a request and the expiry job cannot both win)."""
    return db.session.execute(
        update(SlotOffer).where(SlotOffer.id == offer.id, SlotOffer.status == OfferStatus.OPEN)
        .values(status=status, closed_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1


def accept_offer(offer: SlotOffer, user, now: datetime | None = None) -> SurgeryBooking:
    """The person offered a freed slot takes it; only once, and only before the offer expires."""
    now = now or utcnow()
    if offer.entry.user_id != user.id:
        raise DomainError("This offer is not for you")
    lock_person(user)
    db.session.refresh(offer)
    if offer.status is not OfferStatus.OPEN:
        raise DomainError("This offer has already been accepted, or has expired")
    if offer.expires_at <= now:
        raise DomainError("This offer has expired")
    if not _close_offer(offer, OfferStatus.ACCEPTED, now):
        raise DomainError("This offer has already been accepted, or has expired")
    db.session.refresh(offer)
    booking, _ = book_slot(offer.slot, user, offer.entry.theme, now=now, offer=offer)
    offer.entry.status = WaitlistStatus.BOOKED
    db.session.flush()
    record_audit(user, "surgery.offer.accept", offer, f"{user.email} accepted {uk_datetime(offer.slot.starts_at)}")
    return booking


def decline_offer(offer: SlotOffer, user, now: datetime | None = None) -> SlotOffer | None:
    """The person offered a freed slot says "No thanks": they leave that date's waiting list and the
    slot is offered to the next person at once. Returns the next offer, if anyone was waiting."""
    now = now or utcnow()
    if offer.entry.user_id != user.id:
        raise DomainError("This offer is not for you")
    lock_person(user)
    db.session.refresh(offer)
    if not _close_offer(offer, OfferStatus.DECLINED, now):
        raise DomainError("This offer has already closed: it was accepted, declined or has expired")
    db.session.refresh(offer)
    offer.entry.status = WaitlistStatus.DECLINED
    db.session.flush()
    record_audit(user, "surgery.offer.decline", offer, f"{user.email} declined {uk_datetime(offer.slot.starts_at)}")
    return offer_freed_slot(offer.slot, now)


def expire_offers(now: datetime | None = None) -> int:
    """Scheduled: close offers past their time and pass each slot to the next person waiting."""
    now = now or utcnow()
    due = list(db.session.execute(
        select(SlotOffer).where(SlotOffer.status == OfferStatus.OPEN, SlotOffer.expires_at <= now)
        .order_by(SlotOffer.id)
    ).scalars())
    for offer in due:
        with each_row_alone("expire-offers", f"offer {offer.id}"):
            if not _close_offer(offer, OfferStatus.EXPIRED, now):
                continue
            db.session.refresh(offer)
            offer.entry.status = WaitlistStatus.EXPIRED
            db.session.flush()
            record_audit(None, "surgery.offer.expire", offer,
                         f"Offer of {uk_datetime(offer.slot.starts_at)} to {offer.entry.user.email} expired")
            offer_freed_slot(offer.slot, now)
    return len(due)


def _withdraw_offers(slot: SurgerySlot) -> None:
    offer = open_offer_for_slot(slot)
    if offer is not None:
        offer.status = OfferStatus.WITHDRAWN
        offer.closed_at = utcnow()
        offer.entry.status = WaitlistStatus.WAITING


# --- Facilitators ------------------------------------------------------------------------------

def facilitator_cancel_slot(actor, slot: SurgerySlot, message: str, now: datetime | None = None) -> None:
    """Cancel a slot: its booker is told and their invite cancelled; the slot is not re-offered."""
    now = now or utcnow()
    if slot.status is not SlotStatus.OPEN:
        raise DomainError("This slot is already cancelled or removed")
    booking = booking_for_slot(slot)
    if booking is not None:
        booking.cancel(now, actor, message.strip())
        db.session.flush()
        emails.send_booking_cancelled(booking, by_facilitator=True, message=message.strip())
    _withdraw_offers(slot)
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
            if booking_for_slot(slot) is not None:
                cancelled += 1
            facilitator_cancel_slot(actor, slot, message, now)
    for entry in db.session.execute(select(WaitlistEntry).where(
            WaitlistEntry.surgery_date_id == surgery_date.id,
            WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))).scalars():
        entry.status = WaitlistStatus.LEFT
    surgery_date.status = SurgeryDateStatus.CANCELLED
    surgery_date.cancel_message = message.strip()
    db.session.flush()
    record_audit(actor, "surgery.date.cancel", surgery_date, f"Cancelled {surgery_date.label}",
                 after={"message": message.strip(), "bookings_cancelled": cancelled})
    return cancelled


def attendance_due(surgery_date: SurgeryDate, now: datetime | None = None) -> list[SurgeryBooking]:
    """The date's confirmed bookings whose slot has started: the people whose attendance can be marked."""
    now = now or utcnow()
    return [b for b in confirmed_bookings_for_date(surgery_date) if b.slot.starts_at <= now]


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
    booking.attendance = attendance
    db.session.flush()
    record_audit(actor, "surgery.attendance", booking, f"{booking.user.email}: {attendance.label}",
                 before={"attendance": before}, after={"attendance": attendance.value})


BOOKINGS_CSV_HEADER = ("Start (UK time)", "End (UK time)", "Name", "Email", "Organisation", "Job title", "Theme",
                       "Colleagues joining", "Attendance")


def bookings_csv(surgery_date: SurgeryDate) -> bytes:
    """The date's booking list for facilitators, as a spreadsheet-safe CSV file: no outlines."""
    rows = []
    for booking in confirmed_bookings_for_date(surgery_date):
        colleagues = "; ".join(f"{c['name']} <{c['email']}>" for c in booking.colleagues)
        rows.append([f"{booking.slot.starts_at.astimezone(UK):%Y-%m-%d %H:%M}",
                     f"{booking.slot.ends_at.astimezone(UK):%H:%M}", booking.user.name, booking.user.email,
                     booking.user.organisation_name, booking.user.job_title, booking.theme_label, colleagues,
                     booking.attendance.label])
    return csv_bytes(BOOKINGS_CSV_HEADER, rows)


# --- Retention ---------------------------------------------------------------------------------

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
            if booking.slot.ends_at + timedelta(days=days if days is not None else 30) <= now:
                booking.outline = ""
                booking.outline_erased_at = now
                db.session.flush()
                erased += 1
    return erased


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


def waitlist_for_date(surgery_date: SurgeryDate) -> list[WaitlistEntry]:
    return list(db.session.execute(
        select(WaitlistEntry).where(WaitlistEntry.surgery_date_id == surgery_date.id,
                                    WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id).options(selectinload(WaitlistEntry.user))
    ).scalars())


def facilitator_grants(programme) -> list:
    from ep_events.accounts.models import Grant, Role

    return list(db.session.execute(
        select(Grant).where(Grant.programme_id == programme.id, Grant.role == Role.FACILITATOR)
        .options(selectinload(Grant.user))
    ).scalars())


# --- Reminders ---------------------------------------------------------------------------------

REMINDER_KIND = "surgery"


def send_due_reminders(now: datetime | None = None) -> int:
    """Email the reminders now due for confirmed bookings; running it twice sends each once."""
    from ep_events.notifications import reminders

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


# --- Public events (programme feed and API) ----------------------------------------------------

@dataclass
class PublicSurgeryDate:
    surgery_date: SurgeryDate
    places_left: int


def public_surgery_dates(programme_slug: str | None = None, starts_from: datetime | None = None,
                         starts_before: datetime | None = None, date_id: int | None = None,
                         now: datetime | None = None) -> list[PublicSurgeryDate]:
    """Upcoming published surgery dates with their free places: no personal data."""

    now = now or utcnow()
    query = (select(SurgeryDate).join(Programme)
             .where(SurgeryDate.status == SurgeryDateStatus.PUBLISHED, SurgeryDate.ends_at > now,
                    Programme.status == ProgrammeStatus.PUBLISHED)
             .order_by(SurgeryDate.starts_at, SurgeryDate.id)
             .options(selectinload(SurgeryDate.programme)))
    if programme_slug:
        query = query.where(Programme.slug == programme_slug)
    if starts_from:
        query = query.where(SurgeryDate.starts_at >= starts_from)
    if starts_before:
        query = query.where(SurgeryDate.starts_at < starts_before)
    if date_id is not None:
        query = query.where(SurgeryDate.id == date_id)
    dates = list(db.session.execute(query).scalars())
    # One count per programme (each has its own booking close), not one per date.
    by_programme: dict[int, list[SurgeryDate]] = {}
    for surgery_date in dates:
        by_programme.setdefault(surgery_date.programme_id, []).append(surgery_date)
    places: dict[int, int] = {}
    for programme_dates in by_programme.values():
        close = timedelta(hours=get_settings(programme_dates[0].programme).booking_close_hours)
        places.update(db.session.execute(
            select(SurgerySlot.surgery_date_id, func.count(SurgerySlot.id))
            .where(SurgerySlot.surgery_date_id.in_([d.id for d in programme_dates]), _slot_free(now + close))
            .group_by(SurgerySlot.surgery_date_id)
        ).all())
    return [PublicSurgeryDate(surgery_date, places.get(surgery_date.id, 0)) for surgery_date in dates]


def feed_bookings(user) -> list[SurgeryBooking]:
    """A person's confirmed bookings from 90 days ago on, for their calendar feed."""
    since = utcnow() - timedelta(days=90)
    return list(db.session.execute(
        select(SurgeryBooking).join(SurgerySlot)
        .where(SurgeryBooking.user_id == user.id, SurgeryBooking.status == BookingStatus.CONFIRMED,
               SurgerySlot.starts_at >= since)
        .order_by(SurgerySlot.starts_at)
        .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                 .selectinload(SurgeryDate.programme), selectinload(SurgeryBooking.user))
    ).scalars())


def add_facilitator(actor, programme, person) -> None:
    """Make someone with an account a facilitator of the programme (audited by grant_role)."""
    from ep_events.accounts.models import Role
    from ep_events.accounts.services import grant_role

    if person is None:
        raise DomainError("There is no EP Events account with that email address. Ask them to create one.",
                          field="email")
    grant_role(actor, person, Role.FACILITATOR, programme=programme)


def release_person(user, now: datetime | None = None) -> int:
    """Before an account goes: cancel its upcoming bookings and leave its waiting lists, so the
    slots pass to the next person. Returns the number of bookings cancelled."""
    now = now or utcnow()
    upcoming = [b for b in user_bookings(user) if b.can_change(now)]
    for booking in upcoming:
        cancel_booking(booking, user, "The booker's account was deleted", now=now)
    for entry in user_waitlist(user):
        leave_waitlist(entry, user)
    # Someone else's booking that names them as a colleague joining keeps the booking, not them.
    naming = select(SurgeryBooking).where(SurgeryBooking.user_id != user.id,
                                          cast(SurgeryBooking.colleagues, String).ilike(f"%{user.email}%"))
    for booking in db.session.execute(naming).scalars():
        booking.colleagues = [c for c in booking.colleagues if c["email"].lower() != user.email.lower()]
    db.session.flush()
    return len(upcoming)


# --- The slot picker ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PickerProgramme:
    """What the slot picker shows of a programme and its rules, read as one plain row."""

    id: int
    slug: str
    name: str
    description: str
    slot_minutes: int
    booking_close_hours: int
    max_upcoming_bookings: int
    status: ProgrammeStatus  # a draft is shown only to site admins and the programme's organisers

    @property
    def is_published(self) -> bool:
        return self.status is ProgrammeStatus.PUBLISHED


_PICKER_PROGRAMME = (
    select(Programme.id, Programme.slug, Programme.name, Programme.description, SurgerySettings.slot_minutes,
           SurgerySettings.booking_close_hours, SurgerySettings.max_upcoming_bookings, Programme.status)
    .outerjoin(SurgerySettings, SurgerySettings.programme_id == Programme.id)
    .where(Programme.slug == bindparam("slug"), Programme.kind == ProgrammeKind.PRACTICE_SURGERIES)
)


@dataclass(frozen=True)
class OwnSlot(SlotTimes):
    """A slot the signed-in person has booked, listed among the free ones as "Booked by you"."""

    booking_id: int = 0


@dataclass
class PickerPerson:
    """The signed-in person on the slot picker: their own bookings by date, and whether they are at the limit."""

    booked: dict[int, list[OwnSlot]]
    upcoming: int
    most: int

    @property
    def at_limit(self) -> bool:
        return self.upcoming >= self.most

    @property
    def limit_message(self) -> str:
        return limit_message(self.most)


_PERSON_ON_PICKER = (
    select(SurgeryBooking.id, SurgerySlot.id, SurgerySlot.surgery_date_id, SurgerySlot.starts_at, SurgerySlot.ends_at)
    .join(SurgerySlot, SurgeryBooking.slot_id == SurgerySlot.id)
    .join(SurgeryDate, SurgerySlot.surgery_date_id == SurgeryDate.id)
    .where(SurgeryBooking.user_id == bindparam("user_id"), SurgeryBooking.status == BookingStatus.CONFIRMED,
           SurgeryDate.programme_id == bindparam("programme_id"),
           SurgerySlot.ends_at > bindparam("now", type_=UTCDateTime))
)


def person_on_picker(user, programme: "PickerProgramme", now: datetime | None = None) -> PickerPerson:
    """One small query (the person's unfinished bookings of the programme, a handful at most by its limit):
    the slots to mark "Booked by you" and the count for the booking limit."""
    now = now or utcnow()
    booked: dict[int, list[OwnSlot]] = {}
    upcoming = 0
    for booking_id, slot_id, date_id, starts_at, ends_at in db.session.connection().execute(
            _PERSON_ON_PICKER, {"user_id": user.id, "programme_id": programme.id, "now": now}):
        booked.setdefault(date_id, []).append(OwnSlot(slot_id, starts_at, ends_at, booking_id=booking_id))
        upcoming += starts_at > now
    return PickerPerson(booked, upcoming, programme.max_upcoming_bookings)


@dataclass
class SlotPickerPage:
    programme: PickerProgramme
    dates: list[DateAvailability]
    has_later: bool


def slot_picker_page(slug: str, page: int, per_page: int, now: datetime | None = None) -> SlotPickerPage | None:
    """One page of a programme's bookable dates, in two plain queries: the busiest page of the service."""
    row = db.session.connection().execute(_PICKER_PROGRAMME, {"slug": slug}).first()
    if row is None:
        return None
    if row.slot_minutes is None:  # no settings saved yet: create the defaults once
        get_settings(db.session.get(Programme, row.id))
        row = db.session.connection().execute(_PICKER_PROGRAMME, {"slug": slug}).first()
    programme = PickerProgramme(*row)
    # One more than a page, to know whether there are later dates without counting them all.
    dates = upcoming_availability(programme, now, limit=per_page + 1, offset=(page - 1) * per_page,
                                  close_hours=programme.booking_close_hours)
    return SlotPickerPage(programme, dates[:per_page], len(dates) > per_page)
