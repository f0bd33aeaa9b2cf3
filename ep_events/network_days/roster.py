"""Who holds the places on a Network Day, for its organisers: the figures, the places per agency, the
waiting list, and the attendee list as a spreadsheet-safe CSV file."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.accounts.models import User
from ep_events.bookings.models import ACTIVE_WAITLIST, PlaceStatus, WaitlistStatus
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.network_days.capacity import free_places_for, places_taken, reserved_for_members
from ep_events.network_days.memberships import membership_year_label, membership_year_of
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, NetworkWaitlistEntry, PlaceType
from ep_events.organisations.models import Organisation

NOT_NAMED_YET = "Not named yet"  # a place an agency has bought (or holds) but not yet given to anyone
NOT_NAMED_AFTER = "Nobody named (or their account was deleted)"  # the same, once the day has started


def unnamed_label(network_day: NetworkDay, now: datetime | None = None) -> str:
    """What a confirmed place without a person shows. Before the day it can only be a place not named yet
    (deleting an account cancels its upcoming places); after it, it may also be a deleted account's."""
    return NOT_NAMED_YET if network_day.starts_at > (now or utcnow()) else NOT_NAMED_AFTER


@dataclass
class AgencyPlaces:
    """One agency's places on a day."""

    agency: Organisation
    is_member: bool  # a member for the day's membership year
    membership: NetworkPlace | None = None  # its confirmed membership place, named or not
    extras: list[NetworkPlace] = field(default_factory=list)

    @property
    def membership_not_named(self) -> bool:
        """A member that has not named its membership place: the place is held for it."""
        return self.is_member and self.membership is None

    @property
    def places(self) -> list[NetworkPlace]:
        return ([self.membership] if self.membership is not None else []) + self.extras


@dataclass(frozen=True)
class WaitingPerson:
    name: str  # the agency admin who asked
    email: str
    organisation: str  # the agency
    places: int
    status: str
    since: datetime


@dataclass(frozen=True)
class DayRoster:
    network_day: NetworkDay
    membership_year: str
    taken: int  # confirmed places, named or not
    reserved: int  # member agencies whose membership place is not named yet
    free: int
    agencies: list[AgencyPlaces]  # by name
    waiting: list[WaitingPerson]  # oldest first

    @property
    def places(self) -> list[NetworkPlace]:
        """Every confirmed place, agency by agency, membership place first."""
        return [place for agency in self.agencies for place in agency.places]


def _confirmed_places(network_day: NetworkDay) -> list[NetworkPlace]:
    return list(db.session.execute(
        select(NetworkPlace).where(NetworkPlace.event_id == network_day.id,
                                   NetworkPlace.status == PlaceStatus.CONFIRMED)
        .options(selectinload(NetworkPlace.agency), selectinload(NetworkPlace.user))
        .order_by(NetworkPlace.id)).scalars())


def _waiting(network_day: NetworkDay) -> list[WaitingPerson]:
    """Agencies waiting for extra places, in the order they asked: the admin who asked, the agency, how many."""
    rows = db.session.execute(
        select(User.name, User.email, Organisation.name, NetworkWaitlistEntry.quantity,
               NetworkWaitlistEntry.status, NetworkWaitlistEntry.created_at, NetworkWaitlistEntry.offer_expires_at)
        .select_from(NetworkWaitlistEntry)
        .outerjoin(User, User.id == NetworkWaitlistEntry.user_id)
        .join(Organisation, Organisation.id == NetworkWaitlistEntry.agency_id)
        .where(NetworkWaitlistEntry.event_id == network_day.id, NetworkWaitlistEntry.status.in_(ACTIVE_WAITLIST))
        .order_by(NetworkWaitlistEntry.created_at, NetworkWaitlistEntry.id)).all()
    return [WaitingPerson(name or "(account deleted)", email or "", agency, quantity,
                          status.label + (f" until {uk_datetime(until)}" if status is WaitlistStatus.OFFERED else ""),
                          since)
            for name, email, agency, quantity, status, since, until in rows]


def day_roster(network_day: NetworkDay) -> DayRoster:
    """The day as its organisers see it: the figures (free places by `free_places_for`), each agency that
    is a member for the day's year or holds a place on it, and who is waiting."""
    year = membership_year_of(network_day)
    members = {agency.id: agency for agency in db.session.execute(
        select(Organisation).join(Membership, Membership.agency_id == Organisation.id).where(
            Membership.programme_id == network_day.programme_id, Membership.membership_year == year)).scalars()}
    by_agency = {agency_id: AgencyPlaces(agency, is_member=True) for agency_id, agency in members.items()}
    for place in _confirmed_places(network_day):
        entry = by_agency.setdefault(place.agency_id, AgencyPlaces(place.agency, is_member=False))
        if place.place_type is PlaceType.MEMBERSHIP and entry.membership is None:
            entry.membership = place
        else:
            entry.extras.append(place)
    agencies = sorted(by_agency.values(), key=lambda a: (a.agency.name.casefold(), a.agency.id))
    return DayRoster(network_day=network_day, membership_year=membership_year_label(year, network_day.programme),
                     taken=places_taken([network_day]).get(network_day.id, 0),
                     reserved=reserved_for_members([network_day])[network_day.id],
                     free=free_places_for([network_day])[network_day.id], agencies=agencies,
                     waiting=_waiting(network_day))


ATTENDEES_CSV_HEADER = ("Agency", "Name", "Email", "Organisation", "Place type", "EP Champion", "Attendance",
                        "Minutes attended")


def attendees_csv(network_day: NetworkDay, now: datetime | None = None) -> bytes:
    """The day's attendee list, one row per confirmed place (a place not named yet included, a member's
    membership place it has not named not), as a spreadsheet-safe CSV file."""
    roster = day_roster(network_day)
    unnamed = unnamed_label(network_day, now)
    rows = []
    for agency in roster.agencies:
        for place in agency.places:
            person = place.user
            # A place given to someone by email who has no account yet (when places are named that way).
            invited = getattr(place, "invited_email", None)
            rows.append([agency.agency.name, person.name if person else (f"Invited: {invited}" if invited else unnamed),
                         person.email if person else (invited or ""),
                         person.organisation_name if person else "", place.place_type.label,
                         "Yes" if place.is_champion else "No", place.attendance.label,
                         "" if place.attended_minutes is None else place.attended_minutes])
    return csv_bytes(ATTENDEES_CSV_HEADER, rows)
