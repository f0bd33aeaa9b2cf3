"""A small world for the dashboards, every figure of which is counted by hand in tests/dashboards/test_figures.py.

Today is 15 October 2026 (frozen): the default range is the financial year 1 April 2026 – 31 March 2027.
Four organisations: Alpha (West Midlands, RAA), Beta (West Midlands, LA), Gamma (London, VAA) and Delta
(North East, LA, which never books); people a1 and a2 (Alpha), b1 (Beta), c1 (Gamma) and n1 (no organisation).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from freezegun import freeze_time

from ep_events.accounts.models import Role
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem, PaymentMethod
from ep_events.billing.orders import WantedLine, cancel_order, place_order
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.bookings.models import Attendance, EventStatus, WaitlistStatus
from ep_events.core.time import uk_to_utc
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.extensions import db
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, NetworkWaitlistEntry, PlaceType
from ep_events.organisations.models import OrganisationKind
from ep_events.surgeries.models import (
    SessionKind,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgerySlot,
    SurgeryWaitlistEntry,
)
from ep_events.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration
from tests import factories

TODAY = datetime(2026, 10, 15, 11, 0, tzinfo=UTC)
OUTLINE = "Baby Z placement worries in court"  # free text that must never appear on a dashboard
REASON = "Poorly child at home, sorry"
COMMENT = "The trainer mentioned family Q by name"
REFLECTION = "I learnt about concurrent carers from case R"


class World:
    pass


def _surgery_date(programme, day: date, session=SessionKind.AM, status=EventStatus.PUBLISHED, tags=(),
                  slot_status=SlotStatus.OPEN):
    starts = time(9, 30) if session is SessionKind.AM else time(13, 30)
    surgery_date = SurgeryDate(programme_id=programme.id, day=day, session=session, status=status,
                               starts_at=uk_to_utc(day, starts), ends_at=uk_to_utc(day, starts) + timedelta(hours=3),
                               practice_standards=list(tags))
    surgery_date.slots = [SurgerySlot(starts_at=surgery_date.starts_at + timedelta(minutes=50 * n),
                                      ends_at=surgery_date.starts_at + timedelta(minutes=50 * n + 40),
                                      status=slot_status) for n in range(3)]
    db.session.add(surgery_date)
    db.session.flush()
    return surgery_date


def _booking(slot, user, theme="general", attendance=Attendance.UNKNOWN, cancelled_hours_before=None,
             cancelled_by=None):
    booking = SurgeryBooking(slot=slot, user=user, theme=theme, outline=OUTLINE)
    db.session.add(booking)
    db.session.flush()
    if attendance is not Attendance.UNKNOWN:
        booking.mark_attendance(attendance, None, slot.ends_at)
    if cancelled_hours_before is not None:
        booking.cancel(slot.starts_at - timedelta(hours=cancelled_hours_before), cancelled_by or user, REASON)
    db.session.flush()
    return booking


def build_world() -> World:
    w = World()
    w.alpha = factories.organisation(name="Alpha RAA", region="West Midlands",
                                     kind=OrganisationKind.REGIONAL_ADOPTION_AGENCY)
    w.beta = factories.organisation(name="Beta Council", region="West Midlands",
                                    kind=OrganisationKind.LOCAL_AUTHORITY)
    w.gamma = factories.organisation(name="Gamma VAA", region="London", kind=OrganisationKind.VOLUNTARY_ADOPTION_AGENCY)
    w.delta = factories.organisation(name="=Delta Council", region="North East", kind=OrganisationKind.LOCAL_AUTHORITY)
    w.a1 = factories.user(organisation=w.alpha)
    w.a2 = factories.user(organisation=w.alpha)
    w.b1 = factories.user(organisation=w.beta)
    w.c1 = factories.user(organisation=w.gamma)
    w.n1 = factories.user()
    _surgeries(w)
    _workshops(w)
    _network(w)
    w.admin = factories.admin()
    w.alpha_admin = factories.user(organisation=w.alpha, roles=[(Role.AGENCY_ADMIN, w.alpha)])
    w.practitioner = w.c1
    db.session.commit()
    return w


def _surgeries(w: World) -> None:
    w.mtc = factories.surgery_programme(slug="mtc", name="MTC practice surgeries")
    w.mtc_organiser = factories.user(roles=[(Role.ORGANISER, w.mtc)])
    w.mtc_facilitator = factories.user(roles=[(Role.FACILITATOR, w.mtc)])
    # February 2026, the financial year before: Alpha has taken part before.
    d0 = _surgery_date(w.mtc, date(2026, 2, 10))
    _booking(d0.slots[0], w.a1, attendance=Attendance.ATTENDED)
    d1 = _surgery_date(w.mtc, date(2026, 5, 12), tags=("S4", "4.2"))
    w.a1_d1 = _booking(d1.slots[0], w.a1, "general", Attendance.ATTENDED)
    _booking(d1.slots[1], w.b1, "legal-cafcass", Attendance.DID_NOT_ATTEND)
    _booking(d1.slots[2], w.c1, "general", cancelled_hours_before=24 * 10)
    d4 = _surgery_date(w.mtc, date(2026, 6, 16), status=EventStatus.CANCELLED, tags=("S1",),
                       slot_status=SlotStatus.CANCELLED)
    _booking(d4.slots[0], w.b1, cancelled_hours_before=-1, cancelled_by=w.mtc_organiser)
    _surgery_date(w.mtc, date(2026, 7, 7), status=EventStatus.DRAFT, tags=("S2",))
    d2 = _surgery_date(w.mtc, date(2026, 9, 8), SessionKind.PM, tags=("S4",))
    w.a2_d2 = _booking(d2.slots[0], w.a2, "right-plan", Attendance.ATTENDED)
    w.n1_d2 = _booking(d2.slots[1], w.n1, "general", Attendance.ATTENDED)
    _booking(d2.slots[2], w.b1, "general", cancelled_hours_before=48)
    d3 = _surgery_date(w.mtc, date(2027, 1, 19))
    _booking(d3.slots[0], w.a1, "general")
    _booking(d3.slots[1], w.c1, "general", cancelled_hours_before=3, cancelled_by=w.mtc_organiser)
    # Waiting lists: c1 still waits for d2; a2 got d2's place from the list; n1's offer for d1 expired.
    db.session.add_all([
        SurgeryWaitlistEntry(event_id=d2.id, user_id=w.c1.id, status=WaitlistStatus.WAITING),
        SurgeryWaitlistEntry(event_id=d2.id, user_id=w.a2.id, status=WaitlistStatus.BOOKED),
        SurgeryWaitlistEntry(event_id=d1.id, user_id=w.n1.id, status=WaitlistStatus.EXPIRED)])
    # CPD reflections: two complete (their tags count), one draft (not counted).
    db.session.add_all([
        CpdRecord(user_id=w.a1.id, place_id=w.a1_d1.id, status=RecordStatus.COMPLETE, practice_standards=["S1", "S4"],
                  learning=REFLECTION),
        CpdRecord(user_id=w.a2.id, place_id=w.a2_d2.id, status=RecordStatus.COMPLETE, practice_standards=["4.2"],
                  learning=REFLECTION),
        CpdRecord(user_id=w.n1.id, place_id=w.n1_d2.id, status=RecordStatus.DRAFT, practice_standards=["S2"])])
    db.session.flush()


def _workshop(programme, day: date, capacity: int, tags=()):
    starts = uk_to_utc(day, time(10, 0))
    workshop = Workshop(programme_id=programme.id, title=f"Hope Boxes {day:%B}", starts_at=starts,
                        ends_at=starts + timedelta(hours=2), capacity=capacity, status=EventStatus.PUBLISHED,
                        registration_closes_at=starts - timedelta(hours=1), practice_standards=list(tags))
    db.session.add(workshop)
    db.session.flush()
    return workshop


def _registration(workshop, user, attendance=Attendance.UNKNOWN, cancelled_hours_before=None):
    place = WorkshopRegistration(event=workshop, user=user, starts_at=workshop.starts_at, ends_at=workshop.ends_at)
    db.session.add(place)
    db.session.flush()
    if attendance is not Attendance.UNKNOWN:
        place.mark_attendance(attendance, None, workshop.ends_at)
    if cancelled_hours_before is not None:
        place.cancel(workshop.starts_at - timedelta(hours=cancelled_hours_before), user, REASON)
    return place


def _workshops(w: World) -> None:
    w.psd = factories.programme(kind="workshops", slug="psd", name="P&SD workshops")
    w.psd_organiser = factories.user(roles=[(Role.ORGANISER, w.psd)])
    w1 = _workshop(w.psd, date(2026, 6, 10), 20, tags=("S2",))
    _registration(w1, w.a1, Attendance.ATTENDED)
    _registration(w1, w.c1, Attendance.ATTENDED)
    _registration(w1, w.b1, cancelled_hours_before=24 * 30)
    w2 = _workshop(w.psd, date(2026, 11, 20), 10)
    _registration(w2, w.c1)
    db.session.add_all([
        WorkshopFeedback(workshop_id=w1.id, user_id=w.a1.id, usefulness=5, relevance=4, comments=COMMENT),
        WorkshopFeedback(workshop_id=w1.id, user_id=w.c1.id, usefulness=4, relevance=3, do_differently=COMMENT)])
    db.session.flush()


def _network_day(programme, day: date):
    starts = uk_to_utc(day, time(10, 0))
    network_day = NetworkDay(programme_id=programme.id, title=f"Network Day {day:%B %Y}", starts_at=starts,
                             ends_at=starts + timedelta(hours=5), capacity=40, status=EventStatus.PUBLISHED,
                             rename_deadline=starts - timedelta(days=7))
    db.session.add(network_day)
    db.session.flush()
    return network_day


def _network_place(day, agency, place_type, user=None, attendance=Attendance.UNKNOWN):
    place = NetworkPlace(event=day, event_id=day.id, user=user, agency_id=agency.id, place_type=place_type,
                         starts_at=day.starts_at, ends_at=day.ends_at)
    db.session.add(place)
    db.session.flush()
    if attendance is not Attendance.UNKNOWN:
        place.mark_attendance(attendance, None, day.ends_at)
    return place


def _network(w: World) -> None:
    w.coram = factories.programme(kind="network_days", slug="coram-network", name="Coram EP Network Days")
    w.coram_organiser = factories.user(roles=[(Role.ORGANISER, w.coram)])
    update_billing_settings(None, w.coram, legal_name="Coram", address="41 Brunswick Square\nLondon WC1N 1AZ",
                            how_to_pay="Bank transfer")
    set_price(None, w.coram, BillingItem.MEMBERSHIP, "150.00", date(2025, 1, 1))
    set_price(None, w.coram, BillingItem.EXTRA_PLACE, "150.00", date(2025, 1, 1))
    db.session.add_all([Membership(programme_id=w.coram.id, agency_id=w.alpha.id, membership_year=2025),
                        Membership(programme_id=w.coram.id, agency_id=w.gamma.id, membership_year=2025),
                        Membership(programme_id=w.coram.id, agency_id=w.alpha.id, membership_year=2026),
                        Membership(programme_id=w.coram.id, agency_id=w.beta.id, membership_year=2026)])
    n0 = _network_day(w.coram, date(2025, 11, 26))
    _network_place(n0, w.gamma, PlaceType.MEMBERSHIP, w.c1, Attendance.ATTENDED)
    n1 = _network_day(w.coram, date(2026, 5, 20))
    _network_place(n1, w.alpha, PlaceType.MEMBERSHIP, w.a1, Attendance.ATTENDED)
    _network_place(n1, w.beta, PlaceType.MEMBERSHIP)
    _network_place(n1, w.alpha, PlaceType.EXTRA, w.a2, Attendance.DID_NOT_ATTEND)
    n2 = _network_day(w.coram, date(2026, 11, 25))
    _network_place(n2, w.alpha, PlaceType.MEMBERSHIP, w.a1)
    # Beta waits for two extra places on November's day (asked by someone from elsewhere, for the filter's sake).
    db.session.add(NetworkWaitlistEntry(event_id=n2.id, user_id=w.c1.id, agency_id=w.beta.id, quantity=2))

    def invoice(agency, on: date, lines):
        order = place_order(None, w.coram, agency, lines, billing_contact_name="Finance",
                            billing_contact_email="finance@example.org", billing_address="1 High Street",
                            po_number="PO-1",
                            now=datetime.combine(on, time(10, 0), tzinfo=UTC))
        return order, issue_invoice(order, None, today=on)

    membership = [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership")]
    invoice(w.gamma, date(2025, 5, 1), membership)  # the year before: not counted
    _, paid = invoice(w.alpha, date(2026, 5, 1), membership)
    record_payment(paid, None, "150.00", date(2026, 5, 20), PaymentMethod.BANK_TRANSFER)
    _, part_paid = invoice(w.beta, date(2026, 6, 1), membership)
    record_payment(part_paid, None, "50.00", date(2026, 6, 20), PaymentMethod.BANK_TRANSFER)
    invoice(w.gamma, date(2026, 9, 30), membership)  # due 30 October: owed, not overdue
    extra, _ = invoice(w.alpha, date(2026, 6, 15), [WantedLine(BillingItem.EXTRA_PLACE, 2, "Extra places")])
    cancel_order(extra, None, "Booked twice", today=date(2026, 6, 20), now=datetime(2026, 6, 20, 9, tzinfo=UTC))
    db.session.flush()


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def world(app, frozen):
    return build_world()


@pytest.fixture
def pg_world(pg_app, frozen):
    return build_world()
