"""The dashboards' numbers, each counted by the database in one statement (GROUP BY and conditional sums).

Scope: a programme's events (not drafts) that start in the range. Places, waiting lists and feedback count
only people from organisations of the region and kind chosen, where one is chosen; a Network Day place
counts for the agency that holds it, any other place for the organisation its person booked from.
Nothing here reads free text (outlines, reasons, reflections, comments): only statuses, times, codes and
counts.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, exists, func, literal, null, select, true

from ep_events.accounts.models import User
from ep_events.billing.balances import credited_total, invoiced_total, paid_total
from ep_events.billing.models import Invoice
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
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.dashboards.filters import DashboardFilters
from ep_events.dashboards.sql import hours_between, json_codes
from ep_events.extensions import db
from ep_events.network_days.models import PROGRAMME_KIND as NETWORK_KIND
from ep_events.network_days.models import Membership, NetworkPlace, NetworkWaitlistEntry, PlaceType
from ep_events.organisations.models import Organisation
from ep_events.surgeries.models import PROGRAMME_KIND as SURGERY_KIND
from ep_events.surgeries.models import SlotStatus, SurgeryBooking, SurgeryDate, SurgerySlot
from ep_events.workshops.models import WorkshopFeedback

NETWORK_PLACE = NetworkPlace.__table__
NETWORK_WAITLIST = NetworkWaitlistEntry.__table__
SURGERY_DATE = SurgeryDate.__table__
SURGERY_BOOKING = SurgeryBooking.__table__
OFFERED = (EventStatus.PUBLISHED, EventStatus.CANCELLED)  # events that were offered (not drafts)
NOT_KNOWN = "Not known"  # places whose person has no organisation (or deleted their account)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_scope(programme, filters: DashboardFilters):
    """The programme's published and cancelled events starting in the range."""
    # IN rather than "not a draft": the index (programme, status, starts) then reads the range only.
    return and_(Event.programme_id == programme.id, Event.status.in_(OFFERED),
                Event.starts_at >= filters.starts, Event.starts_at < filters.ends)


def _organisations(filters: DashboardFilters):
    query = select(Organisation.id)
    if filters.region is not None:
        query = query.where(Organisation.region == filters.region)
    if filters.kind is not None:
        query = query.where(Organisation.kind == filters.kind)
    return query


def _matches(column, filters: DashboardFilters):
    return column.in_(_organisations(filters)) if filters.by_organisation else true()


def _people_of(filters: DashboardFilters):
    return select(User.id).where(User.organisation_id.in_(_organisations(filters)))


def _waiting_from(programme, filters: DashboardFilters):
    """Waiting-list entries of organisations that match: a Network Day's agency's, anyone else's own."""
    if programme.kind == NETWORK_KIND:
        return WaitlistEntry.id.in_(select(NETWORK_WAITLIST.c.id)
                                    .where(NETWORK_WAITLIST.c.agency_id.in_(_organisations(filters))))
    return WaitlistEntry.user_id.in_(_people_of(filters))


def _places(programme):
    """The programme's places joined as needed, and the organisation each place counts for."""
    if programme.kind == NETWORK_KIND:
        return Place.__table__.join(NETWORK_PLACE, NETWORK_PLACE.c.id == Place.id), NETWORK_PLACE.c.agency_id
    return Place.__table__, Place.organisation_id


def _places_in_scope(programme, filters, *columns):
    """SELECT columns FROM the programme's places on events in scope, from organisations that match."""
    places, organisation = _places(programme)
    return (select(*columns).select_from(places).join(Event, Event.id == Place.event_id)
            .where(_in_scope(programme, filters), _matches(organisation, filters)))


def _places_offered(programme):
    """Places an event offers: its capacity, or (surgeries) its open slots."""
    if programme.kind == SURGERY_KIND:
        slots = (select(func.count(SurgerySlot.id))
                 .where(SurgerySlot.surgery_date_id == Event.id, SurgerySlot.status == SlotStatus.OPEN)
                 .correlate(Event).scalar_subquery())
        return func.coalesce(Event.capacity, slots)
    return func.coalesce(Event.capacity, 0)


# --- Events, places, cancellations, waiting lists -------------------------------------------------

@dataclass(frozen=True)
class Summary:
    events_offered: int
    events_cancelled: int
    places_offered: int
    booked: int
    confirmed: int
    attended: int
    did_not_attend: int
    not_marked: int
    cancelled: int
    cancelled_by_booker: int
    notice_over_7_days: int
    notice_1_to_7_days: int
    notice_under_24_hours: int
    after_start: int


def summary(programme, filters: DashboardFilters) -> Summary:
    """Events offered and cancelled, places offered (published events), and what became of the places booked:
    attended, did not attend, not marked, cancelled (by the booker, and how long before their start). Two
    statements."""
    published = Event.status == EventStatus.PUBLISHED
    events = db.session.execute(
        select(_count_if(published), _count_if(Event.status == EventStatus.CANCELLED),
               func.coalesce(func.sum(case((published, _places_offered(programme)), else_=0)), 0))
        .where(_in_scope(programme, filters))).one()
    # Each place's notice worked out once (MATERIALIZED: otherwise the database works it out in every sum).
    each = _places_in_scope(programme, filters, Place.status.label("status"), Place.attendance.label("attendance"),
                            and_(Place.user_id.is_not(None), Place.cancelled_by_id == Place.user_id).label("own"),
                            hours_between(Place.cancelled_at, Place.starts_at).label("notice")
                            ).cte("place_in_scope").prefix_with("MATERIALIZED")
    confirmed, cancelled = each.c.status == PlaceStatus.CONFIRMED, each.c.status == PlaceStatus.CANCELLED
    notice = each.c.notice
    places = db.session.execute(select(
        func.count(), _count_if(confirmed),
        _count_if(and_(confirmed, each.c.attendance == Attendance.ATTENDED)),
        _count_if(and_(confirmed, each.c.attendance == Attendance.DID_NOT_ATTEND)),
        _count_if(and_(confirmed, each.c.attendance == Attendance.UNKNOWN)),
        _count_if(cancelled), _count_if(and_(cancelled, each.c.own)),
        _count_if(and_(cancelled, notice > 24 * 7)),
        _count_if(and_(cancelled, notice > 24, notice <= 24 * 7)),
        _count_if(and_(cancelled, notice >= 0, notice <= 24)),
        _count_if(and_(cancelled, notice < 0))).select_from(each)).one()
    return Summary(*(int(n) for n in events), *(int(n) for n in places))


@dataclass(frozen=True)
class WaitingList:
    entries: int
    got_a_place: int
    still_waiting: int
    never_got_a_place: int
    people_never_got_a_place: int


def waiting_list(programme, filters: DashboardFilters) -> WaitingList:
    """Demand the events could not meet: waiting-list entries, and those whose person never had a place on
    that event (still waiting, or left, declined or let an offer expire without booking otherwise)."""
    had_place = exists().where(Place.event_id == WaitlistEntry.event_id, Place.user_id == WaitlistEntry.user_id,
                               Place.status == PlaceStatus.CONFIRMED)
    unmet = and_(WaitlistEntry.status != WaitlistStatus.BOOKED, ~had_place)
    query = (select(func.count(WaitlistEntry.id), _count_if(WaitlistEntry.status == WaitlistStatus.BOOKED),
                    _count_if(WaitlistEntry.status.in_(ACTIVE_WAITLIST)), _count_if(unmet),
                    func.count(distinct(case((unmet, WaitlistEntry.user_id)))))
             .select_from(WaitlistEntry).join(Event, Event.id == WaitlistEntry.event_id)
             .where(_in_scope(programme, filters)))
    if filters.by_organisation:
        query = query.where(_waiting_from(programme, filters))
    return WaitingList(*(int(n) for n in db.session.execute(query).one()))


@dataclass(frozen=True)
class EventRow:
    starts_at: datetime
    title: str
    status: EventStatus
    session: str | None  # surgeries: "am", "pm" or "custom"
    offered: int
    confirmed: int
    attended: int
    did_not_attend: int
    waiting_unmet: int


def events(programme, filters: DashboardFilters, offset: int = 0, limit: int | None = None) -> list[EventRow]:
    """Per event in time order: places offered, taken (confirmed), attended, did not attend, and people on its
    waiting list who never had a place. One statement: the page's events first (a CTE), then their places and
    waiting lists grouped per event, so a page of a long range counts only its own events' rows."""
    shown = (select(Event.id.label("id")).where(_in_scope(programme, filters))
             .order_by(Event.starts_at, Event.id).offset(offset))
    if limit is not None:
        shown = shown.limit(limit)
    shown = shown.cte("shown_events")
    on_page = select(shown.c.id)
    confirmed = Place.status == PlaceStatus.CONFIRMED
    taken = (_places_in_scope(programme, filters, Place.event_id.label("event_id"),
                              func.count(Place.id).label("confirmed"),
                              _count_if(Place.attendance == Attendance.ATTENDED).label("attended"),
                              _count_if(Place.attendance == Attendance.DID_NOT_ATTEND).label("dna"))
             .where(confirmed, Place.event_id.in_(on_page)).group_by(Place.event_id).subquery())
    had_place = exists().where(Place.event_id == WaitlistEntry.event_id, Place.user_id == WaitlistEntry.user_id,
                               Place.status == PlaceStatus.CONFIRMED)
    waiting = (select(WaitlistEntry.event_id.label("event_id"), func.count(WaitlistEntry.id).label("unmet"))
               .where(WaitlistEntry.event_id.in_(on_page), WaitlistEntry.status != WaitlistStatus.BOOKED,
                      ~had_place))
    if filters.by_organisation:
        waiting = waiting.where(_waiting_from(programme, filters))
    waiting = waiting.group_by(WaitlistEntry.event_id).subquery()
    session = SURGERY_DATE.c.session if programme.kind == SURGERY_KIND else null()
    query = (select(Event.starts_at, Event.title, Event.status, session, _places_offered(programme),
                    func.coalesce(taken.c.confirmed, 0), func.coalesce(taken.c.attended, 0),
                    func.coalesce(taken.c.dna, 0), func.coalesce(waiting.c.unmet, 0))
             .select_from(shown).join(Event, Event.id == shown.c.id)
             .outerjoin(taken, taken.c.event_id == Event.id)
             .outerjoin(waiting, waiting.c.event_id == Event.id))
    if programme.kind == SURGERY_KIND:
        query = query.outerjoin(SURGERY_DATE, SURGERY_DATE.c.id == Event.id)
    query = query.order_by(Event.starts_at, Event.id)
    return [EventRow(starts_at, title, status, getattr(session_, "value", session_), *(int(n) for n in numbers))
            for starts_at, title, status, session_, *numbers in db.session.execute(query)]


# --- Surgeries: sessions and themes ------------------------------------------------------------------

@dataclass(frozen=True)
class SessionRow:
    session: str
    slots: int
    booked: int
    attended: int


def surgery_sessions(programme, filters: DashboardFilters) -> list[SessionRow]:
    """Per session (AM, PM, custom): open slots on published dates, how many a confirmed booking holds, and
    how many of those were attended."""
    _, organisation = _places(programme)
    query = (select(SURGERY_DATE.c.session, func.count(SurgerySlot.id), func.count(Place.id),
                    _count_if(Place.attendance == Attendance.ATTENDED))
             .select_from(Event).join(SURGERY_DATE, SURGERY_DATE.c.id == Event.id)
             .join(SurgerySlot, SurgerySlot.surgery_date_id == Event.id)
             .outerjoin(SURGERY_BOOKING, SURGERY_BOOKING.c.held_slot_id == SurgerySlot.id)
             .outerjoin(Place, and_(Place.id == SURGERY_BOOKING.c.id, _matches(organisation, filters)))
             .where(_in_scope(programme, filters), Event.status == EventStatus.PUBLISHED,
                    SurgerySlot.status == SlotStatus.OPEN)
             .group_by(SURGERY_DATE.c.session).order_by(SURGERY_DATE.c.session))
    return [SessionRow(getattr(s, "value", s), int(a), int(b), int(c)) for s, a, b, c in db.session.execute(query)]


def surgery_themes(programme, filters: DashboardFilters) -> dict[str, int]:
    """Confirmed bookings per theme chosen."""
    query = (_places_in_scope(programme, filters, SURGERY_BOOKING.c.theme, func.count(Place.id))
             .join(SURGERY_BOOKING, SURGERY_BOOKING.c.id == Place.id)
             .where(Place.status == PlaceStatus.CONFIRMED).group_by(SURGERY_BOOKING.c.theme))
    return {theme: int(n) for theme, n in db.session.execute(query)}


# --- Practice standards --------------------------------------------------------------------------

def standards_on_events(programme, filters: DashboardFilters) -> dict[str, int]:
    """Published events in scope tagged with each practice-standard code."""
    codes = json_codes(Event.practice_standards)
    query = (select(codes.c.value, func.count(Event.id)).select_from(Event).join(codes, true())
             .where(_in_scope(programme, filters), Event.status == EventStatus.PUBLISHED)
             .group_by(codes.c.value))
    return {str(code): int(n) for code, n in db.session.execute(query)}


def standards_in_reflections(programme, filters: DashboardFilters) -> dict[str, int]:
    """Complete CPD reflections on places in scope tagged with each code (counts only: reflections are
    private to their authors)."""
    codes = json_codes(CpdRecord.practice_standards)
    places, organisation = _places(programme)
    query = (select(codes.c.value, func.count(CpdRecord.id)).select_from(CpdRecord)
             .join(places, Place.id == CpdRecord.place_id).join(Event, Event.id == Place.event_id)
             .join(codes, true())
             .where(_in_scope(programme, filters), _matches(organisation, filters),
                    CpdRecord.status == RecordStatus.COMPLETE)
             .group_by(codes.c.value))
    return {str(code): int(n) for code, n in db.session.execute(query)}


# --- Workshops: feedback -------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedbackRow:
    starts_at: datetime
    title: str
    responses: int
    usefulness_total: int
    relevance_total: int


def feedback(programme, filters: DashboardFilters) -> list[FeedbackRow]:
    """Per event with feedback: the number of responses and the sums of their two ratings (1 to 5)."""
    query = (select(Event.starts_at, Event.title, func.count(WorkshopFeedback.id),
                    func.sum(WorkshopFeedback.usefulness), func.sum(WorkshopFeedback.relevance))
             .select_from(WorkshopFeedback).join(Event, Event.id == WorkshopFeedback.workshop_id)
             .where(_in_scope(programme, filters)))
    if filters.by_organisation:
        query = query.where(WorkshopFeedback.user_id.in_(_people_of(filters)))
    query = query.group_by(Event.id, Event.starts_at, Event.title).order_by(Event.starts_at, Event.id)
    return [FeedbackRow(starts_at, title, int(n), int(u), int(r))
            for starts_at, title, n, u, r in db.session.execute(query)]


# --- Reach -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionRow:
    region: str
    organisations: int
    people: int
    places: int
    attended: int


def regions(programme, filters: DashboardFilters) -> list[RegionRow]:
    """Per region (of the organisation a place counts for): organisations and people reached, confirmed places
    and attendances."""
    places, organisation = _places(programme)
    region = func.coalesce(Organisation.region, literal(NOT_KNOWN))
    query = (select(region, func.count(distinct(organisation)), func.count(distinct(Place.user_id)),
                    func.count(Place.id), _count_if(Place.attendance == Attendance.ATTENDED))
             .select_from(places).join(Event, Event.id == Place.event_id)
             .outerjoin(Organisation, Organisation.id == organisation)
             .where(_in_scope(programme, filters), _matches(organisation, filters),
                    Place.status == PlaceStatus.CONFIRMED)
             .group_by(region))
    return [RegionRow(r, int(o), int(p), int(n), int(a)) for r, o, p, n, a in db.session.execute(query)]


@dataclass(frozen=True)
class Returning:
    first_time: int
    returning: int


def first_time_and_returning(programme, filters: DashboardFilters) -> Returning:
    """Organisations with a confirmed place in the range: those with one on this programme before the range
    (returning) and those without (first time)."""
    places, organisation = _places(programme)
    reached = (select(organisation.label("organisation_id")).select_from(places)
               .join(Event, Event.id == Place.event_id)
               .where(_in_scope(programme, filters), _matches(organisation, filters), organisation.is_not(None),
                      Place.status == PlaceStatus.CONFIRMED)
               .distinct().subquery())
    before = exists(select(Place.id).select_from(places).join(Event, Event.id == Place.event_id)
                    .where(Event.programme_id == programme.id, Event.status.in_(OFFERED),
                           Event.starts_at < filters.starts, Place.status == PlaceStatus.CONFIRMED,
                           organisation == reached.c.organisation_id))
    first, again = db.session.execute(select(_count_if(~before), _count_if(before)).select_from(reached)).one()
    return Returning(int(first), int(again))


@dataclass(frozen=True)
class AgencyRow:
    name: str
    kind: str
    region: str
    people: int
    places: int
    attended: int


def _limited(query, limit: int | None):
    return query if limit is None else query.limit(limit)


def agencies(programme, filters: DashboardFilters, limit: int | None = None) -> tuple[list[AgencyRow], int]:
    """Per organisation reached: people with a confirmed place, places and attendances; most people first (the
    first `limit`), and how many organisations there are in all."""
    places, organisation = _places(programme)
    people = func.count(distinct(Place.user_id))
    query = (select(Organisation.name, Organisation.kind, Organisation.region, people, func.count(Place.id),
                    _count_if(Place.attendance == Attendance.ATTENDED), func.count().over())
             .select_from(places).join(Event, Event.id == Place.event_id)
             .join(Organisation, Organisation.id == organisation)
             .where(_in_scope(programme, filters), _matches(organisation, filters),
                    Place.status == PlaceStatus.CONFIRMED)
             .group_by(Organisation.id, Organisation.name, Organisation.kind, Organisation.region)
             .order_by(people.desc(), Organisation.name))
    found = db.session.execute(_limited(query, limit)).all()
    return ([AgencyRow(name, kind.label, region, int(p), int(n), int(a)) for name, kind, region, p, n, a, _ in found],
            int(found[0][-1]) if found else 0)


@dataclass(frozen=True)
class FollowUpRow:
    name: str
    kind: str
    region: str
    last_booked: datetime | None


def not_booked(programme, filters: DashboardFilters, limit: int | None = None) -> tuple[list[FollowUpRow], int]:
    """Organisations (of the region and kind chosen) with no confirmed place in the range: the list to follow
    up, by region and name, with when they last had a place on this programme before it (the first `limit`),
    and how many there are in all."""
    places, organisation = _places(programme)
    in_range = exists(select(Place.id).select_from(places).join(Event, Event.id == Place.event_id)
                      .where(_in_scope(programme, filters), Place.status == PlaceStatus.CONFIRMED,
                             organisation == Organisation.id))
    last = (select(func.max(Event.starts_at)).select_from(places).join(Event, Event.id == Place.event_id)
            .where(Event.programme_id == programme.id, Event.status.in_(OFFERED),
                   Event.starts_at < filters.starts, Place.status == PlaceStatus.CONFIRMED,
                   organisation == Organisation.id)
            .correlate(Organisation).scalar_subquery())
    query = (select(Organisation.name, Organisation.kind, Organisation.region, last, func.count().over())
             .where(~in_range))
    if filters.region is not None:
        query = query.where(Organisation.region == filters.region)
    if filters.kind is not None:
        query = query.where(Organisation.kind == filters.kind)
    found = db.session.execute(_limited(query.order_by(Organisation.region, Organisation.name), limit)).all()
    return ([FollowUpRow(name, kind.label, region, last_at) for name, kind, region, last_at, _ in found],
            int(found[0][-1]) if found else 0)


# --- Network Days: memberships, places, money ---------------------------------------------------------

@dataclass(frozen=True)
class MembershipYearRow:
    year: int
    members: int
    renewed: int


def membership_years(programme, filters: DashboardFilters, years: list[int]) -> dict[int, MembershipYearRow]:
    """Member agencies per membership year (of those listed), and how many were members the year before."""
    previous = Membership.__table__.alias("previous")
    renewed = exists().where(previous.c.programme_id == Membership.programme_id,
                             previous.c.agency_id == Membership.agency_id,
                             previous.c.membership_year == Membership.membership_year - 1)
    query = (select(Membership.membership_year, func.count(Membership.id), _count_if(renewed))
             .where(Membership.programme_id == programme.id, Membership.membership_year.in_(years),
                    _matches(Membership.agency_id, filters))
             .group_by(Membership.membership_year))
    return {year: MembershipYearRow(int(year), int(m), int(r)) for year, m, r in db.session.execute(query)}


@dataclass(frozen=True)
class NetworkDayRow:
    starts_at: datetime
    title: str
    status: EventStatus
    membership_places: int
    named: int
    attended: int
    extra_places: int


def network_days(programme, filters: DashboardFilters) -> list[NetworkDayRow]:
    """Per Network Day in scope: confirmed membership places (named to someone or not yet), their attendance,
    and confirmed extra places."""
    confirmed = Place.status == PlaceStatus.CONFIRMED
    membership = and_(confirmed, NETWORK_PLACE.c.place_type == PlaceType.MEMBERSHIP)
    query = (_places_in_scope(programme, filters, Event.id, Event.starts_at, Event.title, Event.status,
                              _count_if(membership), _count_if(and_(membership, Place.user_id.is_not(None))),
                              _count_if(and_(membership, Place.attendance == Attendance.ATTENDED)),
                              _count_if(and_(confirmed, NETWORK_PLACE.c.place_type == PlaceType.EXTRA)))
             .group_by(Event.id, Event.starts_at, Event.title, Event.status).order_by(Event.starts_at, Event.id))
    return [NetworkDayRow(starts_at, title, status, *(int(n) for n in numbers))
            for _id, starts_at, title, status, *numbers in db.session.execute(query)]


@dataclass(frozen=True)
class Income:
    invoices: int
    invoiced: int
    credited: int
    paid: int
    outstanding: int
    overdue_invoices: int
    overdue: int


def income(programme, filters: DashboardFilters, today) -> Income:
    """Invoices issued in the range (to organisations of the region and kind chosen): invoiced, credited and
    paid in pence; what is still owed, and what of it is past its due date."""
    each = (select(Invoice.due_on.label("due_on"), invoiced_total(Invoice.id).label("invoiced"),
                   credited_total(Invoice.id).label("credited"), paid_total(Invoice.id).label("paid"))
            .where(Invoice.programme_id == programme.id, Invoice.issued_on >= filters.first,
                   Invoice.issued_on <= filters.last, _matches(Invoice.organisation_id, filters))
            .subquery())
    owed = each.c.invoiced - each.c.credited - each.c.paid
    overdue = and_(each.c.due_on < today, owed > 0)
    row = db.session.execute(select(
        func.count(), func.coalesce(func.sum(each.c.invoiced), 0), func.coalesce(func.sum(each.c.credited), 0),
        func.coalesce(func.sum(each.c.paid), 0), func.coalesce(func.sum(case((owed > 0, owed), else_=0)), 0),
        _count_if(overdue), func.coalesce(func.sum(case((overdue, owed), else_=0)), 0))).one()
    return Income(*(int(n) for n in row))

