"""Reading free slots: which slots can be booked now, the slot picker and the public list of dates.

A slot is free when it is open, nobody holds it (a confirmed booking or an open waiting-list offer) and
booking has not closed. The SQL (`_slot_free`) and the per-slot reads below apply the same rule.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ep_events.core.models import UTCDateTime
from ep_events.core.time import uk_time, utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.surgeries.models import (
    DATE_LONGEST,
    PROGRAMME_KIND,
    BookingStatus,
    OfferStatus,
    SessionKind,
    SlotOffer,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySettings,
    SurgerySlot,
    date_label,
)
from ep_events.surgeries.rules import limit_message
from ep_events.surgeries.settings import get_settings

# --- Who holds a slot --------------------------------------------------------------------------

def booking_for_slot(slot: SurgerySlot) -> SurgeryBooking | None:
    return db.session.execute(
        select(SurgeryBooking).where(SurgeryBooking.slot_id == slot.id,
                                     SurgeryBooking.status == BookingStatus.CONFIRMED)
    ).scalar_one_or_none()


def open_offer_for_slot(slot: SurgerySlot) -> SlotOffer | None:
    return db.session.execute(
        select(SlotOffer).where(SlotOffer.slot_id == slot.id, SlotOffer.status == OfferStatus.OPEN)
    ).scalar_one_or_none()


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
    held = SurgeryBooking.__table__.c.held_slot_id  # one table, one unique index: no join to `place`
    booked = select(held).where(held == SurgerySlot.id).exists()
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


# --- Public events (programme feed and API) ----------------------------------------------------

def free_places_query(dates: list[SurgeryDate], now: datetime):
    """SQL, one SELECT of (date id, bookable slots) for the public listings; a date with none has no row. Each
    programme has its own booking close, so each date is compared with its own programme's."""
    closes = {date.id: literal(now + timedelta(hours=get_settings(date.programme).booking_close_hours), UTCDateTime())
              for date in dates}
    return (select(SurgerySlot.surgery_date_id, func.count(SurgerySlot.id))
            .where(SurgerySlot.surgery_date_id.in_(list(closes)),
                   _slot_free(case(closes, value=SurgerySlot.surgery_date_id)))
            .group_by(SurgerySlot.surgery_date_id))


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
    .where(Programme.slug == bindparam("slug"), Programme.kind == PROGRAMME_KIND)
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
