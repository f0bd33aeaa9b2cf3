"""How many places a Network Day has left: the one rule (capacity, less the confirmed places, less one held for
each member agency that has not named its membership place, less the places the waiting list holds for an
agency), and the day's lock under which places are counted and taken."""


from flask import current_app
from sqlalchemy import Integer, and_, case, cast, func, select, update

from ep_events.bookings.models import Event, Place, PlaceStatus, WaitlistStatus
from ep_events.extensions import db
from ep_events.network_days.listed_places import listed_places
from ep_events.network_days.memberships import membership_year_of
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, NetworkWaitlistEntry


def lock_day(network_day: NetworkDay) -> None:
    """Serialise every change to one day's places (the last place cannot go twice): a PostgreSQL row lock
    on the event, SQLite's write lock. Taken before anything we decide on is read."""
    listed_places.forget()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == network_day.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now (a plain read would not).
        db.session.execute(update(Event).where(Event.id == network_day.id).values(capacity=Event.capacity))


def _taken():
    """SQL, per `Event` row: its confirmed places (every place on a Network Day is a Network Day place)."""
    return select(func.count()).select_from(Place).where(
        Place.event_id == Event.id, Place.status == PlaceStatus.CONFIRMED).scalar_subquery()


def _reserved(days: list[NetworkDay]):
    """SQL for a SELECT from `Event` among `days`: (a function adding the joins it needs, the figure): per day, the
    member agencies (for the day's membership year) whose membership place on it is not named yet: each still
    holds one place.

    Members are counted per programme and year, and named places per day, programme and year, once each for all
    the days (grouped subqueries, read from the indexes alone), then joined to each day by its own year. Agencies
    that have named their place count only when they are members for the day's year (a place named under an
    earlier membership, on a day since moved into another year, does not use up a membership it does not hold).
    `membership_day_id` is set only on a confirmed membership place, one per agency and day."""
    years = {d.id: membership_year_of(d) for d in days}  # in UK time, worked out in Python
    year = cast(case(years, value=Event.id), Integer)
    programme_ids = {d.programme_id for d in days}
    members = (select(Membership.programme_id, Membership.membership_year, func.count().label("number"))
               .where(Membership.programme_id.in_(programme_ids), Membership.membership_year.in_(set(years.values())))
               .group_by(Membership.programme_id, Membership.membership_year).subquery("members"))
    # Named places: each day's from the index on (membership_day_id, agency_id), each agency's membership then looked
    # up by the unique (programme, agency, year).
    named_place = NetworkPlace.__table__.c  # the subclass's own table: no join to `place` is needed
    named = select(func.count()).select_from(NetworkPlace.__table__).where(
        named_place.membership_day_id == Event.id,
        select(Membership.id).where(
            Membership.agency_id == named_place.agency_id, Membership.programme_id == Event.programme_id,
            Membership.membership_year == year).correlate_except(Membership).exists()).scalar_subquery()

    def joined(query):
        return (query.select_from(Event)
                .outerjoin(members, and_(members.c.programme_id == Event.programme_id,
                                         members.c.membership_year == year)))

    return joined, func.coalesce(members.c.number, 0) - named


def places_taken(days: list[NetworkDay]) -> dict[int, int]:
    """Confirmed places per day id, in one statement."""
    if not days:
        return {}
    return dict(db.session.execute(select(Event.id, _taken()).where(Event.id.in_([d.id for d in days]))).all())


def reserved_for_members(days: list[NetworkDay]) -> dict[int, int]:
    """Per day id, the places member agencies still hold (see `_reserved`), in one statement."""
    if not days:
        return {}
    joined, reserved = _reserved(days)
    return dict(db.session.execute(
        joined(select(Event.id, reserved)).where(Event.id.in_([d.id for d in days]))).all())


def offers_held(days: list[NetworkDay]) -> dict[int, dict[int, int]]:
    """Per day id, per agency id: the extra places the waiting list has offered to, and holds for, that agency."""
    if not days:
        return {}
    held: dict[int, dict[int, int]] = {}
    for day_id, agency_id, quantity in db.session.execute(
            select(NetworkWaitlistEntry.event_id, NetworkWaitlistEntry.agency_id, NetworkWaitlistEntry.quantity)
            .where(NetworkWaitlistEntry.event_id.in_([d.id for d in days]),
                   NetworkWaitlistEntry.status == WaitlistStatus.OFFERED)):
        held.setdefault(day_id, {})[agency_id] = held.get(day_id, {}).get(agency_id, 0) + quantity
    return held


def free_places_query(days: list[NetworkDay]):
    """SQL, one SELECT of (day id, places left) for these days: the one rule for free places. Capacity, less the
    confirmed places (named, or bought but not named yet), less one for each member agency that has not named its
    membership place, less the places held for agencies offered them from the waiting list. A figure below 0
    means none left. The organiser's, the public and the purchase pages read it through `free_places_for`; the
    event finder reads it with the other kinds' counts in one statement."""
    held = select(func.coalesce(func.sum(NetworkWaitlistEntry.quantity), 0)).where(
        NetworkWaitlistEntry.event_id == Event.id,
        NetworkWaitlistEntry.status == WaitlistStatus.OFFERED).scalar_subquery()
    joined, reserved = _reserved(days)
    return (joined(select(Event.id, func.coalesce(Event.capacity, 0) - _taken() - reserved - held))
            .where(Event.id.in_([d.id for d in days])))


def free_places_for(days: list[NetworkDay]) -> dict[int, int]:
    """Per day id, the places anyone may still take (never below 0; see `free_places_query`), in one statement."""
    if not days:
        return {}
    left = dict(db.session.execute(free_places_query(days)).all())
    return {d.id: max(left.get(d.id, 0), 0) for d in days}


def free_places(network_day: NetworkDay) -> int:
    """The free places on one day (see `free_places_for`)."""
    return free_places_for([network_day])[network_day.id]


def listed_free_places(days: list[NetworkDay]) -> dict[int, int]:
    """`free_places_for` as the public listings show it: kept for NETWORK_PLACES_LEFT_CACHE_SECONDS (a few
    seconds; 0 turns it off), as ticket shops cache quota availability on their event pages. A listing may
    be that many seconds behind; taking, buying and offering a place always count afresh under the day's
    lock (`lock_day`), which also empties this process's copy, as a change of membership does."""
    seconds = current_app.config.get("NETWORK_PLACES_LEFT_CACHE_SECONDS", 0)
    if seconds <= 0 or not days:
        return free_places_for(days)
    key = tuple((d.id, d.capacity) for d in days)  # a change of capacity is seen at once
    places = listed_places.get(key)
    if places is None:
        places = free_places_for(days)
        listed_places.keep(key, places, seconds)
    return places
