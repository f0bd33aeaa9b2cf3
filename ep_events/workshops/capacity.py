"""How many places a workshop has left (capacity, less the confirmed registrations, less the places held for
people offered them from the waiting list), the workshop's lock under which places are counted and taken,
and taking a place."""

from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from ep_events.bookings.models import Event, Place, PlaceStatus, WaitlistEntry, WaitlistStatus
from ep_events.extensions import db
from ep_events.workshops import emails
from ep_events.workshops.models import Workshop, WorkshopRegistration, WorkshopWaitlistEntry


def lock_workshop(workshop: Workshop) -> None:
    """Serialise every change to one workshop's places (the last place cannot go twice): a PostgreSQL row
    lock on the event, SQLite's write lock. Taken before anything we decide on is read."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == workshop.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now (a plain read would not).
        db.session.execute(update(Event).where(Event.id == workshop.id).values(capacity=Event.capacity))


def places_taken(workshops: list[Workshop]) -> dict[int, int]:
    """Confirmed registrations per workshop id, in one query."""
    if not workshops:
        return {}
    return dict(db.session.execute(
        select(WorkshopRegistration.event_id, func.count(WorkshopRegistration.id))
        .where(WorkshopRegistration.event_id.in_([w.id for w in workshops]),
               WorkshopRegistration.status == PlaceStatus.CONFIRMED)
        .group_by(WorkshopRegistration.event_id)).all())


def offers_held(workshops: list[Workshop]) -> dict[int, int]:
    """Places offered to (and held for) people on the waiting list, per workshop id."""
    if not workshops:
        return {}
    return dict(db.session.execute(
        select(WorkshopWaitlistEntry.event_id, func.count(WorkshopWaitlistEntry.id))
        .where(WorkshopWaitlistEntry.event_id.in_([w.id for w in workshops]),
               WorkshopWaitlistEntry.status == WaitlistStatus.OFFERED)
        .group_by(WorkshopWaitlistEntry.event_id)).all())


# Capacity, less the confirmed registrations, less the places offered to (and held for) people on the waiting list;
# below 0 means none left. Built once: the public list reads it on every request.
_PLACES_LEFT = select(
    Event.id,
    func.coalesce(Event.capacity, 0)
    - select(func.count(Place.id)).where(
        Place.event_id == Event.id, Place.kind == "workshop_registration",
        Place.status == PlaceStatus.CONFIRMED).scalar_subquery()
    - select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.event_id == Event.id, WaitlistEntry.kind == "workshop_waitlist_entry",
        WaitlistEntry.status == WaitlistStatus.OFFERED).scalar_subquery(),
).where(Event.id.in_(bindparam("workshop_ids", expanding=True)))


def places_left_query(workshops: list[Workshop]):
    """SQL, one SELECT of (workshop id, places left): the one rule for free places, used by the public pages, the
    API, registering and the waiting list (through `places_left_for`), and read with the other kinds' counts in
    one statement by the event finder."""
    return _PLACES_LEFT.params(workshop_ids=[w.id for w in workshops])


def places_left_for(workshops: list[Workshop]) -> dict[int, int]:
    """Per workshop id, the places anyone may still take (never below 0), in one statement for any number."""
    if not workshops:
        return {}
    left = dict(db.session.execute(_PLACES_LEFT, {"workshop_ids": [w.id for w in workshops]}).all())
    return {w.id: max(left.get(w.id, 0), 0) for w in workshops}


def places_left(workshop: Workshop) -> int:
    return places_left_for([workshop])[workshop.id]


def registration_for(workshop: Workshop, user) -> WorkshopRegistration | None:
    """The person's confirmed place on the workshop, if any."""
    return db.session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.event_id == workshop.id, WorkshopRegistration.user_id == user.id,
        WorkshopRegistration.status == PlaceStatus.CONFIRMED)).scalars().first()


def add_registration(workshop: Workshop, user, now: datetime) -> WorkshopRegistration:
    """Give the person a place (the caller holds the workshop's lock and has checked there is room) and send
    the confirmation with the Teams link and the invite."""
    registration = WorkshopRegistration(event=workshop, user=user, starts_at=workshop.starts_at,
                                        ends_at=workshop.ends_at)
    db.session.add(registration)
    db.session.flush()
    emails.send_registered(registration)
    return registration
