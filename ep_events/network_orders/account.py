"""What an agency's account page shows for a Network programme: its memberships, EP Champion, places on the
days to come, and its orders, invoices, credit notes, payments and balance.

A fixed number of statements whatever the agency holds (no query per day, place or invoice): each list is
one query, money is summed in SQL, and what a template reads is loaded with it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ep_events.accounts.models import User
from ep_events.billing.balances import organisation_balance
from ep_events.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Order, Payment
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.days import upcoming_days
from ep_events.network_days.memberships import membership_year_label, membership_year_of
from ep_events.network_days.models import EpChampion, Membership, NetworkDay, NetworkPlace, PlaceType


@dataclass(frozen=True, slots=True)
class MembershipYear:
    year: int
    label: str  # '1 April 2027 to 31 March 2028'
    is_current: bool
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None


@dataclass(frozen=True, slots=True)
class PlaceLine:
    """One of the agency's places on a day, or its membership place that nobody holds yet (place None)."""

    place_type: PlaceType
    place: NetworkPlace | None

    @property
    def state(self) -> str:
        """'named', 'offered' (waiting for someone to accept by email), 'held' (a bought place not named yet)
        or 'not_named' (a membership place nobody holds)."""
        if self.place is None:
            return "not_named"
        if self.place.user is not None:
            return "named"
        if self.place.invited_email:
            return "offered"
        return "held"


@dataclass(frozen=True, slots=True)
class DayPlaces:
    day: NetworkDay
    membership_year: int
    is_member: bool
    renamable: bool  # the agency's admins may still name, change and cancel (before the rename deadline)
    places: list[PlaceLine]

    @property
    def has_membership_place_to_name(self) -> bool:
        return any(line.place is None for line in self.places)


@dataclass(frozen=True, slots=True)
class InvoiceLineView:
    invoice: Invoice
    total_pence: int
    outstanding_pence: int

    @property
    def order(self) -> Order:
        return self.invoice.order

    @property
    def description(self) -> str:
        return "; ".join(f"{line.description} × {line.quantity}" if line.quantity != 1 else line.description
                         for line in self.invoice.order.lines)


@dataclass(frozen=True, slots=True)
class CreditNoteView:
    credit_note: CreditNote
    invoice_reference: str
    total_pence: int


@dataclass(frozen=True, slots=True)
class PaymentView:
    payment: Payment
    invoice_reference: str


@dataclass(frozen=True, slots=True)
class AgencyAccount:
    years: list[MembershipYear]
    champion: EpChampion | None
    colleagues: list[User]  # people with an account in the agency, by name
    days: list[DayPlaces]
    invoices: list[InvoiceLineView]
    credit_notes: list[CreditNoteView]
    payments: list[PaymentView]
    balance_pence: int


def colleagues_of(agency) -> list[User]:
    """The people with an EP Events account in the agency, by name (whom its admins can name)."""
    return list(db.session.execute(select(User).where(User.organisation_id == agency.id)
                                   .order_by(User.name, User.id)).scalars())


def _memberships(programme, agency) -> dict[int, Membership]:
    return {m.membership_year: m for m in db.session.execute(select(Membership).where(
        Membership.programme_id == programme.id, Membership.agency_id == agency.id)).scalars()}


def _champion(programme, agency) -> EpChampion | None:
    return db.session.execute(select(EpChampion).options(joinedload(EpChampion.user)).where(
        EpChampion.programme_id == programme.id, EpChampion.organisation_id == agency.id)).scalar_one_or_none()


def _day_places(programme, agency, memberships: dict[int, Membership], now: datetime) -> list[DayPlaces]:
    days = upcoming_days(programme, now)
    if not days:
        return []
    by_day: dict[int, list[NetworkPlace]] = {}
    for place in db.session.execute(
            select(NetworkPlace).options(joinedload(NetworkPlace.user))
            .where(NetworkPlace.event_id.in_([d.id for d in days]), NetworkPlace.agency_id == agency.id,
                   NetworkPlace.status == PlaceStatus.CONFIRMED)
            .order_by(NetworkPlace.id)).scalars():
        by_day.setdefault(place.event_id, []).append(place)
    result = []
    for day in days:
        year = membership_year_of(day)
        places = by_day.get(day.id, [])
        lines = [PlaceLine(p.place_type, p) for p in places if p.place_type is PlaceType.MEMBERSHIP]
        if year in memberships and not lines:
            lines.append(PlaceLine(PlaceType.MEMBERSHIP, None))
        lines += [PlaceLine(p.place_type, p) for p in places if p.place_type is PlaceType.EXTRA]
        result.append(DayPlaces(day=day, membership_year=year, is_member=year in memberships,
                                renamable=day.renamable_by_agency(now), places=lines))
    return result


def _invoices(programme, agency) -> list[InvoiceLineView]:
    invoiced = (select(func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
                .where(InvoiceLine.invoice_id == Invoice.id).correlate(Invoice).scalar_subquery())
    credited = (select(func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
                .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
                .where(CreditNote.invoice_id == Invoice.id).correlate(Invoice).scalar_subquery())
    paid = (select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.invoice_id == Invoice.id).correlate(Invoice).scalar_subquery())
    rows = db.session.execute(
        select(Invoice, invoiced, invoiced - credited - paid)
        .options(joinedload(Invoice.order).selectinload(Order.lines))
        .where(Invoice.programme_id == programme.id, Invoice.organisation_id == agency.id)
        .order_by(Invoice.issued_on.desc(), Invoice.number.desc())).unique().all()
    return [InvoiceLineView(invoice, int(total), int(owed)) for invoice, total, owed in rows]


def _credit_notes(programme, agency) -> list[CreditNoteView]:
    total = (select(func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
             .where(CreditNoteLine.credit_note_id == CreditNote.id).correlate(CreditNote).scalar_subquery())
    rows = db.session.execute(
        select(CreditNote, Invoice.reference, total).join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(Invoice.programme_id == programme.id, Invoice.organisation_id == agency.id)
        .order_by(CreditNote.issued_on.desc(), CreditNote.number.desc())).all()
    return [CreditNoteView(note, reference, int(pence)) for note, reference, pence in rows]


def _payments(programme, agency) -> list[PaymentView]:
    rows = db.session.execute(
        select(Payment, Invoice.reference).join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.programme_id == programme.id, Invoice.organisation_id == agency.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())).all()
    return [PaymentView(payment, reference) for payment, reference in rows]


def agency_account(programme, agency, now: datetime) -> AgencyAccount:
    """Everything the agency's account page shows, in a fixed number of statements."""
    memberships = _memberships(programme, agency)
    current = membership_year_of(now, programme)
    years = [MembershipYear(year, membership_year_label(year, programme), year == current, memberships.get(year))
             for year in (current, current + 1)]
    return AgencyAccount(years=years, champion=_champion(programme, agency), colleagues=colleagues_of(agency),
                         days=_day_places(programme, agency, memberships, now),
                         invoices=_invoices(programme, agency), credit_notes=_credit_notes(programme, agency),
                         payments=_payments(programme, agency),
                         balance_pence=organisation_balance(programme, organisation=agency))
