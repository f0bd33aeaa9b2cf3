"""A person's places and waiting lists across every programme: the reading behind My bookings.

Plain rows from the shared tables, in two statements whatever the number of bookings or programme
kinds; each row carries the link its kind gives it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, or_, select

from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import (
    ACTIVE_WAITLIST,
    Attendance,
    Event,
    EventStatus,
    Place,
    PlaceStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from ep_events.core.models import UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__
class PlaceRow:
    id: int
    programme: str
    title: str
    starts_at: datetime
    ends_at: datetime
    upcoming: bool
    status: PlaceStatus
    attendance: Attendance
    event_cancelled: bool
    url: str

    @property
    def status_label(self) -> str:
        if self.status is PlaceStatus.CANCELLED:
            return "Cancelled"
        return "Booked" if self.upcoming else self.attendance.label


@dataclass(slots=True)
class WaitingRow:
    id: int
    programme: str
    title: str
    starts_at: datetime
    offered: bool
    offer_expires_at: datetime | None
    url: str
    leave_url: str


@dataclass
class MyBookings:
    upcoming: list[PlaceRow]
    past: list[PlaceRow]
    waiting: list[WaitingRow]
    page: int
    has_more: bool

    @property
    def offers(self) -> list[WaitingRow]:
        return [row for row in self.waiting if row.offered]


_SENTINEL = 9_876_543_210_123  # an id no row has, to find where a kind's links put the id


def _linker(kind_key: str, method: str):
    """A function from a row id to the kind's link for it, built with one url_for call per page rather
    than one per row (a page lists twenty)."""
    kind = kind_for(kind_key)
    if kind is None:
        return lambda row_id: ""
    before, _, after = getattr(kind, method)(_SENTINEL).partition(str(_SENTINEL))
    return lambda row_id: f"{before}{row_id}{after}"


class _Links(dict):
    def __missing__(self, key):
        self[key] = _linker(*key)
        return self[key]


# Built once: My bookings is read on every visit, and building a statement costs more than running it.
_NOW = bindparam("now", type_=UTCDateTime)
_UPCOMING = and_(Place.status == PlaceStatus.CONFIRMED, Place.ends_at > _NOW)
_PLACES = (
    select(Place.id, Place.starts_at, Place.ends_at, Place.status, Place.attendance, Event.title,
           Event.status.label("event_status"), Programme.name, Programme.kind,
           case((_UPCOMING, True), else_=False).label("upcoming"))
    .join(Event, Place.event_id == Event.id).join(Programme, Event.programme_id == Programme.id)
    .where(Place.user_id == bindparam("user_id"))
    # Upcoming first, soonest first; then the rest, latest first.
    .order_by(case((_UPCOMING, 0), else_=1), case((_UPCOMING, Place.starts_at)), Place.starts_at.desc(),
              Place.id.desc())
    .limit(bindparam("limit")).offset(bindparam("offset"))
)
_WAITING = (
    select(WaitlistEntry.id, WaitlistEntry.status, WaitlistEntry.offer_expires_at, Event.title,
           Event.starts_at, Programme.name, Programme.kind)
    .join(Event, WaitlistEntry.event_id == Event.id).join(Programme, Event.programme_id == Programme.id)
    # or_ rather than IN: an IN list is re-rendered into the SQL on every run, defeating the statement cache.
    .where(WaitlistEntry.user_id == bindparam("user_id"), or_(*(WaitlistEntry.status == s for s in ACTIVE_WAITLIST)),
           Event.ends_at > _NOW)
    .order_by(Event.starts_at, WaitlistEntry.id)
)


def my_bookings(user, page: int = 1, per_page: int = 20, now: datetime | None = None) -> MyBookings:
    """Upcoming places soonest first, then past and cancelled ones latest first, a page at a time;
    and the waiting lists they are on (with any place offered to them). Two statements."""
    params = {"user_id": user.id, "now": now or utcnow()}
    links = _Links()
    connection = db.session.connection()
    # One more than a page, to know whether another page follows.
    rows = connection.execute(_PLACES, params | {"limit": per_page + 1, "offset": (page - 1) * per_page}).all()
    places = [PlaceRow(place_id, programme, title, starts_at, ends_at, bool(upcoming), status, attendance,
                       event_status is EventStatus.CANCELLED, links[kind, "place_url"](place_id))
              for (place_id, starts_at, ends_at, status, attendance, title, event_status, programme, kind, upcoming)
              in rows[:per_page]]
    waiting = connection.execute(_WAITING, params).all()
    return MyBookings(
        upcoming=[p for p in places if p.upcoming], past=[p for p in places if not p.upcoming],
        waiting=[WaitingRow(w.id, w.name, w.title, w.starts_at, w.status is WaitlistStatus.OFFERED,
                            w.offer_expires_at, links[w.kind, "waitlist_url"](w.id),
                            links[w.kind, "leave_waitlist_url"](w.id)) for w in waiting],
        page=page, has_more=len(rows) > per_page)
