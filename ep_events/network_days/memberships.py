"""Agency memberships of a Network programme, membership years, and each agency's EP Champion."""

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme
from ep_events.bookings.models import PlaceStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import UK
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.listed_places import listed_places
from ep_events.network_days.models import EpChampion, Membership, NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.rules import EARLIEST_YEAR, LATEST_YEAR
from ep_events.organisations.models import Organisation

# The default start of a membership year (1 April to 31 March, the leaflet's year); each programme sets its own
# (Programme.membership_year_start_month and _day, edited with the invoice details).
MEMBERSHIP_YEAR_STARTS = (4, 1)


def year_start(programme) -> tuple[int, int]:
    """(month, day) a programme's membership years start on."""
    if programme is None:
        return MEMBERSHIP_YEAR_STARTS
    return programme.membership_year_start_month, programme.membership_year_start_day


def membership_year_of(day, programme=None) -> int:
    """The membership year a Network Day (or a date or moment, of `programme`) falls in, named by the year it
    starts: with years starting on 1 April, 15 March 2027 is in 2026 and 1 April 2027 in 2027. Moments are read
    in UK time."""
    start = year_start(programme if programme is not None else getattr(day, "programme", None))
    moment = getattr(day, "starts_at", day)
    on = moment.astimezone(UK).date() if isinstance(moment, datetime) else moment
    return on.year if (on.month, on.day) >= start else on.year - 1


def membership_year_dates(year: int, programme=None) -> tuple[date, date]:
    """The first and last day of a membership year."""
    month, day = year_start(programme)
    return date(year, month, day), date(year + 1, month, day) - timedelta(days=1)


def membership_year_label(year: int, programme=None) -> str:
    """'1 April 2026 to 31 March 2027'."""
    first, last = membership_year_dates(year, programme)
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def membership_for(programme, agency, year: int) -> Membership | None:
    return db.session.execute(select(Membership).where(
        Membership.programme_id == programme.id, Membership.agency_id == agency.id,
        Membership.membership_year == year)).scalar_one_or_none()


def add_membership(actor, programme, agency, year: int) -> Membership:
    """Record an agency's membership for a year (once: a second call returns the same membership).

    The organiser records it by hand for now; billing will call this when a membership order is placed."""
    if not can_manage_programme(actor, programme):
        raise NotAllowed("Only the programme's organisers can record a membership")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DomainError(f"Enter a membership year between {EARLIEST_YEAR} and {LATEST_YEAR}",
                          field="membership_year")
    existing = membership_for(programme, agency, year)
    if existing is not None:
        return existing
    membership = Membership(programme_id=programme.id, agency_id=agency.id, membership_year=year)
    db.session.add(membership)
    db.session.flush()
    listed_places.forget()
    record_audit(actor, "network.membership.add", membership,
                 f"{agency.name}: member of {programme.name} for {membership_year_label(year, programme)}")
    return membership


def lock_memberships(agency) -> None:
    """Serialise buying memberships for one agency (two admins confirming at once get one membership): a
    PostgreSQL row lock on the agency, SQLite's write lock. Taken before anything we decide on is read."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Organisation.id).where(Organisation.id == agency.id).with_for_update())
    else:
        db.session.execute(update(Organisation).where(Organisation.id == agency.id).values(name=Organisation.name))


def check_not_member(programme, agency, year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DomainError(f"Enter a membership year between {EARLIEST_YEAR} and {LATEST_YEAR}",
                          field="membership_year")
    if membership_for(programme, agency, year) is not None:
        raise DomainError(f"{agency.name} is already a member for {membership_year_label(year, programme)}",
                          field="membership_year")


def record_bought_membership(actor, programme, agency, year: int, order_id: int) -> Membership:
    """The membership an agency's order paid for (call under `lock_memberships`, after `check_not_member`)."""
    membership = Membership(programme_id=programme.id, agency_id=agency.id, membership_year=year, order_id=order_id)
    db.session.add(membership)
    db.session.flush()
    listed_places.forget()
    record_audit(actor, "network.membership.bought", membership,
                 f"{agency.name}: member of {programme.name} for {membership_year_label(year, programme)}")
    return membership


def memberships_of_order(order_id: int) -> list[Membership]:
    return list(db.session.execute(select(Membership).where(Membership.order_id == order_id)).scalars())


def end_membership(actor, membership: Membership, reason: str, now: datetime) -> int:
    """A membership's order was cancelled: the membership goes, and with it the agency's membership places on
    days still to come in that year (the people named are told). Returns the places cancelled."""
    from_day = db.session.execute(select(NetworkPlace).join(NetworkDay, NetworkDay.id == NetworkPlace.event_id).where(
        NetworkDay.programme_id == membership.programme_id, NetworkPlace.agency_id == membership.agency_id,
        NetworkPlace.place_type == PlaceType.MEMBERSHIP, NetworkPlace.status == PlaceStatus.CONFIRMED,
        NetworkPlace.starts_at > now)).scalars().all()
    cancelled = [place for place in from_day if membership_year_of(place.event) == membership.membership_year]
    for place in cancelled:
        place.cancel(now, actor, reason)
        db.session.flush()
        if place.user is not None:
            emails.send_place_cancelled(place, f"{place.agency.name}’s membership for the year was cancelled.")
    record_audit(actor, "network.membership.end", membership,
                 f"{membership.agency.name}: membership for "
                 f"{membership_year_label(membership.membership_year, membership.programme)} "
                 f"ended ({reason})")
    db.session.delete(membership)
    db.session.flush()
    listed_places.forget()
    return len(cancelled)


def champion_of(programme, agency) -> EpChampion | None:
    return db.session.execute(select(EpChampion).where(
        EpChampion.programme_id == programme.id, EpChampion.organisation_id == agency.id)).scalar_one_or_none()


def name_champion(actor, programme, agency, person) -> EpChampion:
    """Name (or change) the agency's EP Champion: one per agency per programme, from that agency."""
    if not (can_administer_organisation(actor, agency) or can_manage_programme(actor, programme)):
        raise NotAllowed("Only the agency's admins or the programme's organisers can name its EP Champion")
    if person is None or person.organisation_id != agency.id:
        raise DomainError(f"The EP Champion must be someone from {agency.name} with an EP Events account",
                          field="champion")
    champion = champion_of(programme, agency)
    before = None
    if champion is None:
        champion = EpChampion(programme_id=programme.id, organisation_id=agency.id, user_id=person.id)
        db.session.add(champion)
    else:
        before = {"user_id": champion.user_id}
        champion.user_id = person.id
    db.session.flush()
    record_audit(actor, "network.champion.name", champion, f"{agency.name}: EP Champion {person.name}",
                 before=before, after={"user_id": person.id})
    return champion
