"""How many places a Network Day has left: the one rule (capacity, less the confirmed places, less one held for
each member agency that has not named its membership place, less the places the waiting list holds for an
agency), and the day's lock under which places are counted and taken."""

from sqlalchemy import and_, case, func, select, update

from ep_events.bookings.models import Event, PlaceStatus, WaitlistStatus
from ep_events.extensions import db
from ep_events.network_days.memberships import membership_year_of
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, NetworkWaitlistEntry, PlaceType


def lock_day(network_day: NetworkDay) -> None:
    """Serialise every change to one day's places (the last place cannot go twice): a PostgreSQL row lock
    on the event, SQLite's write lock. Taken before anything we decide on is read."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == network_day.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now (a plain read would not).
        db.session.execute(update(Event).where(Event.id == network_day.id).values(capacity=Event.capacity))


def places_taken(days: list[NetworkDay]) -> dict[int, int]:
    """Confirmed places per day id, in one query."""
    if not days:
        return {}
    return dict(db.session.execute(
        select(NetworkPlace.event_id, func.count(NetworkPlace.id))
        .where(NetworkPlace.event_id.in_([d.id for d in days]), NetworkPlace.status == PlaceStatus.CONFIRMED)
        .group_by(NetworkPlace.event_id)).all())


def reserved_for_members(days: list[NetworkDay]) -> dict[int, int]:
    """Per day id, the member agencies (for the day's membership year) whose membership place on it is not
    named yet: each still holds one place. Two counting statements, whatever the number of days or agencies."""
    if not days:
        return {}
    year_of = {d.id: membership_year_of(d) for d in days}
    programme_of = {d.id: d.programme_id for d in days}
    members = {(programme_id, year): count for programme_id, year, count in db.session.execute(
        select(Membership.programme_id, Membership.membership_year, func.count(Membership.id))
        .where(Membership.programme_id.in_(set(programme_of.values())),
               Membership.membership_year.in_(set(year_of.values())))
        .group_by(Membership.programme_id, Membership.membership_year))}
    # Agencies that have named their place and are members for that day's year (a place named under an earlier
    # membership, on a day since moved into another year, does not use up a membership it does not hold).
    named = dict(db.session.execute(
        select(NetworkPlace.event_id, func.count(func.distinct(NetworkPlace.agency_id)))
        .join(Membership, and_(Membership.agency_id == NetworkPlace.agency_id,
                               Membership.programme_id == case(programme_of, value=NetworkPlace.event_id),
                               Membership.membership_year == case(year_of, value=NetworkPlace.event_id)))
        .where(NetworkPlace.event_id.in_(list(year_of)), NetworkPlace.status == PlaceStatus.CONFIRMED,
               NetworkPlace.place_type == PlaceType.MEMBERSHIP)
        .group_by(NetworkPlace.event_id)).all())
    return {d.id: members.get((d.programme_id, year_of[d.id]), 0) - named.get(d.id, 0) for d in days}


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


def free_places_for(days: list[NetworkDay]) -> dict[int, int]:
    """Per day id, the places anyone may still take: capacity, less the confirmed places (named or bought
    but not named yet), less one for each member agency that has not named its membership place (never
    below 0), less the places held for agencies offered them from the waiting list. The one rule for free
    places: the organiser's, the public and the purchase pages use it."""
    taken = places_taken(days)
    reserved = reserved_for_members(days)
    held = offers_held(days)
    return {d.id: max((d.capacity or 0) - taken.get(d.id, 0) - reserved.get(d.id, 0)
                      - sum(held.get(d.id, {}).values()), 0) for d in days}


def free_places(network_day: NetworkDay) -> int:
    """The free places on one day (see `free_places_for`)."""
    return free_places_for([network_day])[network_day.id]
