"""How many places a Network Day has left: the one rule (capacity, less the confirmed places, less one held for
each member agency that has not named its membership place, less the places the waiting list holds for an
agency), and the day's lock under which places are counted and taken."""


from flask import current_app
from sqlalchemy import func, select, update

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


def places_taken(days: list[NetworkDay]) -> dict[int, int]:
    """Confirmed places per day id, in one query (read from the place table's event-and-status index alone:
    every place on a Network Day is a Network Day place)."""
    if not days:
        return {}
    return dict(db.session.execute(
        select(Place.event_id, func.count())
        .where(Place.event_id.in_([d.id for d in days]), Place.status == PlaceStatus.CONFIRMED)
        .group_by(Place.event_id)).all())


def reserved_for_members(days: list[NetworkDay]) -> dict[int, int]:
    """Per day id, the member agencies (for the day's membership year) whose membership place on it is not
    named yet: each still holds one place. Two counting statements, whatever the number of days or agencies."""
    if not days:
        return {}
    year_of = {d.id: membership_year_of(d) for d in days}
    programme_ids, years = {d.programme_id for d in days}, set(year_of.values())
    members = {(programme_id, year): count for programme_id, year, count in db.session.execute(
        select(Membership.programme_id, Membership.membership_year, func.count(Membership.id))
        .where(Membership.programme_id.in_(programme_ids), Membership.membership_year.in_(years))
        .group_by(Membership.programme_id, Membership.membership_year))}
    # Agencies that have named their place and are members for that day's year (a place named under an earlier
    # membership, on a day since moved into another year, does not use up a membership it does not hold).
    # `membership_day_id` is set only on a confirmed membership place, one per agency and day. Counted per day
    # and per year the agency is a member of, and the day's own year picked here: the statement's text does not
    # change with the days' years, and both tables are read from their indexes alone.
    named: dict[int, int] = {}
    programme_of = {d.id: d.programme_id for d in days}
    named_place = NetworkPlace.__table__.c  # the subclass's own table: no join to `place` is needed
    for day_id, programme_id, year, count in db.session.execute(
            select(named_place.membership_day_id, Membership.programme_id, Membership.membership_year, func.count())
            .join(Membership, Membership.agency_id == named_place.agency_id)
            .where(named_place.membership_day_id.in_(list(year_of)), Membership.programme_id.in_(programme_ids),
                   Membership.membership_year.in_(years))
            .group_by(named_place.membership_day_id, Membership.programme_id, Membership.membership_year)):
        if (programme_id, year) == (programme_of[day_id], year_of[day_id]):
            named[day_id] = count
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
