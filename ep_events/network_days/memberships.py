"""Agency memberships of a Network programme, membership years, and each agency's EP Champion."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import UK
from ep_events.extensions import db
from ep_events.network_days.models import EpChampion, Membership
from ep_events.network_days.rules import EARLIEST_YEAR, LATEST_YEAR

# The month a membership year starts (April: 1 April to 31 March, the leaflet's year). The issue makes it
# an organiser's setting; until the programme has Network settings it is this default.
MEMBERSHIP_YEAR_STARTS = 4


def membership_year_of(day, start_month: int = MEMBERSHIP_YEAR_STARTS) -> int:
    """The membership year a Network Day (or a date or moment) falls in, named by the year it starts:
    with years starting in April, 15 March 2027 is in 2026 and 1 April 2027 in 2027. Moments are read
    in UK time."""
    moment = getattr(day, "starts_at", day)
    on = moment.astimezone(UK).date() if isinstance(moment, datetime) else moment
    return on.year if on.month >= start_month else on.year - 1


def membership_year_label(year: int, start_month: int = MEMBERSHIP_YEAR_STARTS) -> str:
    """'1 April 2026 to 31 March 2027'."""
    first = date(year, start_month, 1)
    last = date(year + 1, start_month, 1) - timedelta(days=1)
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
    record_audit(actor, "network.membership.add", membership,
                 f"{agency.name}: member of {programme.name} for {membership_year_label(year)}")
    return membership


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
