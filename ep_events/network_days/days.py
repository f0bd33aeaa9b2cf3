"""Network Days as organisers run them: create and edit (UK times in, UTC stored), publish, cancel."""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from ep_events.accounts.policy import can_manage_programme
from ep_events.bookings.models import EventStatus, PlaceStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import uk_date, uk_to_utc, utcnow
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.memberships import membership_year_of
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.rules import (
    DAYS_AHEAD_YEARS,
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_CAPACITY,
    MIN_CAPACITY,
    TITLE_MAX,
    TOPICS_MAX,
    default_rename_deadline,
    latest_day,
)
from ep_events.network_days.waitlist import offer_freed_places
from ep_events.notifications.teams import validate_teams_url
from ep_events.standards import validate_codes


@dataclass(frozen=True)
class DayDetails:
    """What an organiser enters for a Network Day; times are UK wall-clock times on `day`."""

    title: str
    day: date
    starts: time
    ends: time
    capacity: int
    venue: str = ""  # name and address when in person; empty when online
    online_url: str = ""  # the joining link when online (may come later)
    topics: str = ""
    practice_standards: tuple[str, ...] = ()
    rename_deadline: datetime | None = None  # None: two working days before


def _checked(details: DayDetails, now: datetime) -> dict:
    """The event's column values from what the organiser entered; DomainError on the first thing wrong."""
    title = " ".join((details.title or "").split())
    if not title:
        raise DomainError("Enter a title for the Network Day", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"The title must be {TITLE_MAX} characters or fewer", field="title")
    if not EARLIEST_YEAR <= details.day.year <= LATEST_YEAR:
        raise DomainError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}", field="day")
    latest = latest_day(now)
    if details.day > latest:
        raise DomainError(f"The Network Day must be within {DAYS_AHEAD_YEARS} years of today, so on or before "
                          f"{latest.day} {latest:%B %Y}", field="day")
    if details.ends <= details.starts:
        raise DomainError("The end time must be after the start time", field="ends")
    starts_at, ends_at = uk_to_utc(details.day, details.starts), uk_to_utc(details.day, details.ends)
    if starts_at <= now:
        raise DomainError("The Network Day must be in the future", field="day")
    if isinstance(details.capacity, bool) or not isinstance(details.capacity, int) or not (
            MIN_CAPACITY <= details.capacity <= MAX_CAPACITY):
        raise DomainError(f"Enter a number of places between {MIN_CAPACITY} and {MAX_CAPACITY}", field="capacity")
    venue = (details.venue or "").strip()
    online_url = (details.online_url or "").strip()
    if venue and online_url:
        raise DomainError("A Network Day is either in person (a venue) or online (a joining link), not both",
                          field="venue")
    if len(venue) > 500:
        raise DomainError("The venue must be 500 characters or fewer", field="venue")
    if online_url:
        try:
            online_url = validate_teams_url(online_url)
        except DomainError as error:
            raise DomainError(str(error), field="online_url") from None
    topics = (details.topics or "").strip()
    if len(topics) > TOPICS_MAX:
        raise DomainError(f"The topics must be {TOPICS_MAX} characters or fewer", field="topics")
    standards = validate_codes(details.practice_standards)
    deadline = details.rename_deadline or default_rename_deadline(starts_at)
    if deadline >= starts_at:
        raise DomainError("Renaming must close before the Network Day starts", field="rename_deadline")
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, "capacity": details.capacity,
            "venue": venue, "online_url": online_url, "topics": topics,
            "practice_standards": list(standards), "rename_deadline": deadline}


def _organiser_only(actor, programme) -> None:
    if not can_manage_programme(actor, programme):
        raise NotAllowed("Only the programme's organisers can change its Network Days")


def create_day(actor, programme, details: DayDetails, now: datetime | None = None) -> NetworkDay:
    """A draft Network Day (published separately), from UK times, within the bounds in rules.py."""
    _organiser_only(actor, programme)
    values = _checked(details, now or utcnow())
    network_day = NetworkDay(programme_id=programme.id, **values)
    db.session.add(network_day)
    db.session.flush()
    record_audit(actor, "network.day.create", network_day,
                 f"{programme.name}: {network_day.title}, {uk_date(network_day.starts_at)}")
    return network_day


def confirmed_places(network_day: NetworkDay) -> list[NetworkPlace]:
    return list(db.session.execute(select(NetworkPlace).where(
        NetworkPlace.event_id == network_day.id, NetworkPlace.status == PlaceStatus.CONFIRMED)
        .order_by(NetworkPlace.id)).scalars())


@dataclass(frozen=True)
class DayUpdate:
    """What saving a day did: people sent the updated invite, waiting-list offers made, and the agencies whose
    membership places are now on a day outside the membership year they hold (for the organiser to sort out)."""

    told: int
    offers: int = 0
    outside_membership: tuple[str, ...] = ()


def update_day(actor, network_day: NetworkDay, details: DayDetails, now: datetime | None = None) -> DayUpdate:
    """Change a day; if its time or place changed, everyone named gets the updated invite. Capacity cannot go
    below the places already named; more capacity is offered to agencies on the waiting list. A day moved into
    another membership year is reported with the agencies whose membership places it no longer covers."""
    _organiser_only(actor, network_day.programme)
    now = now or utcnow()
    if network_day.status is EventStatus.CANCELLED:
        raise DomainError("This Network Day is cancelled")
    values = _checked(details, now)
    places = confirmed_places(network_day)
    if values["capacity"] < len(places):
        raise DomainError(f"{len(places)} places are already named: the capacity cannot be fewer",
                          field="capacity")
    fields = tuple(values)
    before = {name: _plain(getattr(network_day, name)) for name in fields}
    year_before = membership_year_of(network_day)
    moved = (values["starts_at"], values["ends_at"], values["venue"], values["online_url"]) != (
        network_day.starts_at, network_day.ends_at, network_day.venue, network_day.online_url)
    for name, value in values.items():
        setattr(network_day, name, value)
    told = 0
    if moved and network_day.status is EventStatus.PUBLISHED:
        for place in places:
            place.starts_at, place.ends_at = network_day.starts_at, network_day.ends_at
            place.sequence += 1
            if place.user is not None:
                emails.send_place_updated(place, "The date, time or place has changed.")
                told += 1
    db.session.flush()
    outside = ()
    if membership_year_of(network_day) != year_before:
        outside = _membership_places_outside_year(network_day, places)
    record_audit(actor, "network.day.update", network_day, f"{network_day.programme.name}: {network_day.title}",
                 before=before, after={name: _plain(getattr(network_day, name)) for name in fields})
    return DayUpdate(told=told, offers=offer_freed_places(network_day, now), outside_membership=outside)


def _membership_places_outside_year(network_day: NetworkDay, places: list[NetworkPlace]) -> tuple[str, ...]:
    """The agencies holding a membership place on the day that are not members for the day's (new) year."""
    year = membership_year_of(network_day)
    members = set(db.session.execute(select(Membership.agency_id).where(
        Membership.programme_id == network_day.programme_id, Membership.membership_year == year)).scalars())
    return tuple(sorted({place.agency.name for place in places
                         if place.place_type is PlaceType.MEMBERSHIP and place.agency_id not in members}))


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def publish_day(actor, network_day: NetworkDay) -> None:
    """Open a draft day: agencies can name places on it and it shows on the public page."""
    _organiser_only(actor, network_day.programme)
    if network_day.status is not EventStatus.DRAFT:
        raise DomainError("This Network Day is already published or cancelled")
    network_day.status = EventStatus.PUBLISHED
    db.session.flush()
    record_audit(actor, "network.day.publish", network_day, f"Published {network_day.title}")


def cancel_day(actor, network_day: NetworkDay, message: str, now: datetime | None = None) -> int:
    """Cancel a day: every named person is told and their invite cancelled. Returns how many were told."""
    _organiser_only(actor, network_day.programme)
    now = now or utcnow()
    if network_day.status is EventStatus.CANCELLED:
        raise DomainError("This Network Day is already cancelled")
    if network_day.ends_at <= now:  # the invites would cancel a day that happened; attendance stands
        raise DomainError("This Network Day has already taken place: it cannot be cancelled")
    message = (message or "").strip()
    told = 0
    for place in confirmed_places(network_day):
        place.cancel(now, actor, message)
        if place.user is not None:
            emails.send_place_cancelled(place, "The organisers have cancelled the Network Day."
                                        + (f" Their message: {message}" if message else ""))
            told += 1
    network_day.status = EventStatus.CANCELLED
    db.session.flush()
    record_audit(actor, "network.day.cancel", network_day, f"Cancelled {network_day.title}",
                 after={"message": message, "people_told": told})
    return told


def upcoming_days(programme, now: datetime) -> list[NetworkDay]:
    """The programme's published days that have not ended, soonest first."""
    return list(db.session.execute(select(NetworkDay).where(
        NetworkDay.programme_id == programme.id, NetworkDay.status == EventStatus.PUBLISHED,
        NetworkDay.ends_at > now).order_by(NetworkDay.starts_at, NetworkDay.id)).scalars())
















@dataclass(frozen=True)
class ManagedDays:
    upcoming: list[NetworkDay]  # not yet ended, any status, soonest first
    past: list[NetworkDay]  # ended, latest first


def managed_days(programme, now: datetime) -> ManagedDays:
    """Every day of the programme for its organisers, drafts and cancelled ones included."""
    days = list(db.session.execute(select(NetworkDay).where(NetworkDay.programme_id == programme.id)
                                   .order_by(NetworkDay.starts_at, NetworkDay.id)).scalars())
    return ManagedDays(upcoming=[d for d in days if d.ends_at > now],
                       past=[d for d in reversed(days) if d.ends_at <= now])
