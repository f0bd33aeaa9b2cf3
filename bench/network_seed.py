"""Network Days data for the bench, added to the databases bench/seed.py fills: one Network programme with its
invoice details and prices, five membership years of days (three a year; the current and next year's still to
come), 300 member agencies each with a membership every year (its order, invoice and mostly payments), named
membership places on every day, and some extra-place orders.

The volume goes in as rows (SQLAlchemy core bulk inserts: the services would take minutes, one lock and one
email at a time); one agency, the one whose admin the bench signs in as, also buys, names, pays and cancels
through the services, so its rows have the shape the site itself gives them. Invoice numbers are 1..N in the
order the invoices were issued, and the programme's DocumentCounter says N before the services take N + 1.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import func, insert, select

from bench.seed import bump_sequences
from ep_events.accounts.models import Grant, Role, User
from ep_events.billing.invoices import format_reference
from ep_events.billing.models import (
    BillingItem,
    DocumentCounter,
    DocumentKind,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
)
from ep_events.billing.money import line_figures, parse_pounds
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import get_billing_settings, set_price, set_vat_rate, update_billing_settings
from ep_events.bookings.models import Attendance, Event, EventStatus, Place, PlaceStatus
from ep_events.core.time import to_uk, uk_to_utc, utcnow
from ep_events.core.working_days import next_working_day
from ep_events.extensions import db
from ep_events.network_days.memberships import membership_year_dates, membership_year_label, name_champion
from ep_events.network_days.models import PROGRAMME_KIND, EpChampion, Membership, NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.places import name_place
from ep_events.network_days.rules import default_rename_deadline
from ep_events.network_orders.purchases import (
    BillingDetails,
    buy_extra_places,
    buy_membership,
    cancel_network_order,
    extra_places_description,
)
from ep_events.organisations.models import REGIONS, Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus

SLUG = "coram-ep-network"
ORGANISER_EMAIL = "network-organiser@bench.example.org"
AGENCY_ADMIN_EMAIL = "agency-admin@bench.example.org"
TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_network%40thread.v2/0?context=%7b%7d"
CAPACITY = 400  # 300 membership places and room for the extras
MEMBERSHIP_POUNDS, NEW_MEMBERSHIP_POUNDS, EXTRA_PLACE_POUNDS, VAT = "150.00", "175.00", "95.00", "20"
TERMS_DAYS = 30
# Each year's days: days after the year starts, title, in person (else online).
DAYS = ((75, "Legal updates and pre-birth planning", True),
        (190, "Dually approved and FFA carers", False),
        (300, "Managing contact in early permanence", True))
VENUE = "Coram Campus (bench), 41 Brunswick Square, London WC1N 1AZ"


@dataclass
class NetworkSize:
    agencies: int
    years_back: int  # membership years before the current one
    years_ahead: int  # membership years after it (whose days and memberships are all to come)
    people_per_agency: int  # the first is the EP Champion
    extra_share: float  # the share of agencies buying extra places for each day
    named_ahead_share: float  # the share of member agencies that have named their place on a day to come


NETWORK_YEAR = NetworkSize(agencies=300, years_back=3, years_ahead=1, people_per_agency=3, extra_share=0.08,
                           named_ahead_share=0.7)
NETWORK_SMALL = NetworkSize(agencies=4, years_back=0, years_ahead=0, people_per_agency=3, extra_share=0.25,
                            named_ahead_share=0.7)


@dataclass
class NetworkSeeded:
    programme_id: int
    slug: str
    agency_id: int  # the agency whose admin signs in
    admin_email: str
    years: list[int]
    days: int
    agencies: int
    memberships: int
    orders: int
    invoices: int
    payments: int
    places: int
    users: int


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar_one() or 0) + 1


def _year_start(year: int) -> date:
    return membership_year_dates(year)[0]  # the default start: the bench programme keeps it


def _days_of_year(year: int, current: int, today: date) -> list[date]:
    """Three days a year; the current year's spread between tomorrow and its end, so they are still to come."""
    start, end = _year_start(year), _year_start(year + 1) - timedelta(days=1)
    if year != current:
        return [next_working_day(start + timedelta(days=offset)) for offset, _, _ in DAYS]
    gap = max((end - today).days // 4, 1)
    return [min(next_working_day(today + timedelta(days=gap * k)), end) for k in (1, 2, 3)]


class _Prices:
    """The prices the services set, read back as the bulk lines need them (by the day an order is placed)."""

    def __init__(self, first: date, rise: date):
        self.first, self.rise = first, rise
        self.membership = (parse_pounds(MEMBERSHIP_POUNDS), parse_pounds(NEW_MEMBERSHIP_POUNDS))
        self.extra = parse_pounds(EXTRA_PLACE_POUNDS)
        self.vat = int(VAT) * 100

    def line(self, item: BillingItem, quantity: int, on: date) -> dict:
        unit = self.extra if item is BillingItem.EXTRA_PLACE else self.membership[on >= self.rise]
        return line_figures(quantity, unit, self.vat)


def seed_network(size: NetworkSize, password_hash: str, rng_seed: int = 13) -> NetworkSeeded:
    """Add the Network data to a database that bench.seed.seed has filled (an app context is pushed)."""
    rng = random.Random(rng_seed)
    now = utcnow()
    today = to_uk(now).date()
    current = today.year if today >= _year_start(today.year) else today.year - 1
    years = list(range(current - size.years_back, current + size.years_ahead + 1))
    first_price_day = _year_start(years[0]) - timedelta(days=90)
    prices = _Prices(first_price_day, _year_start(current) - timedelta(days=60))

    # The programme, its organiser and the agency admin, and the invoice details and prices (services).
    programme_id = _next_id(Programme)
    db.session.execute(insert(Programme), [{
        "id": programme_id, "name": "Coram EP Network", "slug": SLUG, "kind": PROGRAMME_KIND,
        "contact_email": "ep-network@example.org", "description": "Network Days for member agencies.",
        "status": ProgrammeStatus.PUBLISHED, "created_at": now}])
    first_agency = _next_id(Organisation)
    agency_ids = list(range(first_agency, first_agency + size.agencies))
    db.session.execute(insert(Organisation), [{
        "id": a, "name": f"Bench Adoption Agency {a - first_agency + 1:03d}",
        "kind": OrganisationKind.REGIONAL_ADOPTION_AGENCY, "region": REGIONS[a % len(REGIONS)], "created_at": now}
        for a in agency_ids])

    first_user = _next_id(User)
    organiser_id, admin_id = first_user, first_user + 1
    users = [{"id": organiser_id, "email": ORGANISER_EMAIL, "name": "Network Organiser", "organisation_id": None},
             {"id": admin_id, "email": AGENCY_ADMIN_EMAIL, "name": "Agency Admin", "organisation_id": first_agency}]
    people: dict[int, list[int]] = {}
    next_user = first_user + 2
    for agency_id in agency_ids:
        people[agency_id] = list(range(next_user, next_user + size.people_per_agency))
        users += [{"id": u, "email": f"network{u}@bench.example.org", "name": f"Network Person {u}",
                   "organisation_id": agency_id} for u in people[agency_id]]
        next_user += size.people_per_agency
    db.session.execute(insert(User), [{**row, "job_title": "Adoption social worker", "organisation_other": "",
                                       "password_hash": password_hash, "confirmed_at": now, "session_version": 1,
                                       "created_at": now} for row in users])
    db.session.execute(insert(Grant), [
        {"user_id": organiser_id, "role": Role.ORGANISER, "programme_id": programme_id, "organisation_id": None,
         "created_at": now},
        {"user_id": admin_id, "role": Role.AGENCY_ADMIN, "programme_id": None, "organisation_id": first_agency,
         "created_at": now}])
    db.session.flush()

    programme = db.session.get(Programme, programme_id)
    organiser = db.session.get(User, organiser_id)
    update_billing_settings(organiser, programme, legal_name="Coram (bench)", address=VENUE.split(", ", 1)[1],
                            charity_number="312278", payment_terms_days=TERMS_DAYS,
                            how_to_pay="Bank transfer to Coram (bench), sort code 00-00-00, account 00000000",
                            invoice_prefix="NET-", credit_note_prefix="NETCR-")
    set_vat_rate(organiser, programme, VAT, prices.first)
    set_price(organiser, programme, BillingItem.MEMBERSHIP, MEMBERSHIP_POUNDS, prices.first)
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, EXTRA_PLACE_POUNDS, prices.first)
    set_price(organiser, programme, BillingItem.MEMBERSHIP, NEW_MEMBERSHIP_POUNDS, prices.rise)
    settings = get_billing_settings(programme)

    # Days: three a year, published.
    first_event = _next_id(Event)  # the shared event table's ids (surgery dates hold the first)
    days = []
    for year in years:
        for (offset, title, in_person), on in zip(DAYS, _days_of_year(year, current, today), strict=True):
            starts_at = uk_to_utc(on, time(10, 0))
            ends_at = uk_to_utc(on, time(15, 30) if in_person else time(13, 0))
            days.append({"id": first_event + len(days), "kind": "network_day", "programme_id": programme_id,
                         "title": title, "starts_at": starts_at, "ends_at": ends_at,
                         "status": EventStatus.PUBLISHED, "online_url": "" if in_person else TEAMS_URL,
                         "venue": VENUE if in_person else "", "capacity": CAPACITY, "created_at": now,
                         "topics": f"{title}; learning from agencies' cases", "practice_standards": ["S1", "S4"],
                         "rename_deadline": default_rename_deadline(starts_at), "year": year})
    db.session.execute(insert(NetworkDay), [{k: v for k, v in d.items() if k != "year"} for d in days])
    db.session.execute(insert(EpChampion), [
        {"programme_id": programme_id, "organisation_id": a, "user_id": people[a][0], "created_at": now}
        for a in agency_ids if a != first_agency])

    # Orders: a membership for every agency every year (the admin's agency buys the current year through the
    # services below), and extra places on some days.
    def billing_fields(agency_id: int) -> dict:
        return {"billing_contact_name": "Accounts payable", "billing_contact_email":
                f"accounts{agency_id}@bench.example.org",
                "billing_address": f"Bench Adoption Agency {agency_id - first_agency + 1:03d}\n1 Bench Road\nLeeds",
                "po_number": f"PO-{agency_id:05d}", "no_po": False}

    wanted = []  # (placed_at, agency, item, quantity, description, year or day)
    for year in years:
        for agency_id in agency_ids:
            if agency_id == first_agency and year == current:
                continue
            if year <= current:
                placed = datetime.combine(_year_start(year) - timedelta(days=rng.randint(5, 40)), time(11),
                                          tzinfo=UTC)
            else:
                placed = now - timedelta(days=rng.randint(1, 25), minutes=rng.randint(1, 600))
            wanted.append((placed, agency_id, BillingItem.MEMBERSHIP, 1,
                           f"Network membership, {membership_year_label(year)}", ("year", year)))
    extras_per_day = max(1, round(size.agencies * size.extra_share))
    for day in days:
        for agency_id in rng.sample(agency_ids, extras_per_day):
            placed = min(day["starts_at"] - timedelta(days=rng.randint(10, 60)),
                         now - timedelta(hours=rng.randint(1, 48)))
            wanted.append((placed, agency_id, BillingItem.EXTRA_PLACE, rng.randint(1, 2),
                           extra_places_description(SimpleNamespace(title=day["title"], starts_at=day["starts_at"])),
                           ("day", day["id"])))
    wanted.sort(key=lambda w: w[0])

    first_order, first_line = _next_id(Order), _next_id(OrderLine)
    first_invoice, first_invoice_line, first_payment = _next_id(Invoice), _next_id(InvoiceLine), _next_id(Payment)
    orders, order_lines, invoices, invoice_lines, payments = [], [], [], [], []
    membership_rows, bought = [], {}  # bought: day id -> [(agency, order line id, quantity)]
    for number, (placed, agency_id, item, quantity, description, (what, key)) in enumerate(wanted, start=1):
        order_id, line_id = first_order + len(orders), first_line + len(order_lines)
        invoice_id = first_invoice + len(invoices)
        issued_on = to_uk(placed).date()
        figures = prices.line(item, quantity, issued_on)
        billing = billing_fields(agency_id)
        orders.append({"id": order_id, "programme_id": programme_id, "organisation_id": agency_id, **billing,
                       "placed_at": placed, "placed_by_id": admin_id if agency_id == first_agency else None,
                       "status": OrderStatus.PLACED, "cancel_reason": "", "created_at": placed})
        priced = {"description": description, "item": item, **figures}
        order_lines.append({"id": line_id, "order_id": order_id, "position": 0, **priced})
        invoices.append({
            "id": invoice_id, "programme_id": programme_id, "organisation_id": agency_id, "order_id": order_id,
            "number": number, "reference": format_reference(settings.invoice_prefix, number),
            "issued_on": issued_on, "due_on": issued_on + timedelta(days=TERMS_DAYS), "issued_at": placed,
            "issued_by_id": None, "seller_name": settings.legal_name, "seller_address": settings.address,
            "seller_charity_number": settings.charity_number, "seller_company_number": settings.company_number,
            "seller_vat_number": settings.vat_number, "how_to_pay": settings.how_to_pay,
            "customer_name": f"Bench Adoption Agency {agency_id - first_agency + 1:03d}",
            "billing_contact_name": billing["billing_contact_name"],
            "billing_contact_email": billing["billing_contact_email"],
            "billing_address": billing["billing_address"], "po_number": billing["po_number"]})
        invoice_lines.append({"id": first_invoice_line + len(invoice_lines), "invoice_id": invoice_id,
                              "order_line_id": line_id, "position": 0, **priced})
        if what == "year":
            membership_rows.append({"programme_id": programme_id, "agency_id": agency_id, "membership_year": key,
                                    "order_id": order_id, "created_at": placed})
        else:
            bought.setdefault(key, []).append((agency_id, line_id, quantity))
        # Payments: most pay in full within weeks; some pay part; the rest owe (overdue once past due).
        paid_share = 0.9 if issued_on < today - timedelta(days=120) else 0.55
        draw = rng.random()
        total = figures["line_total_pence"]
        amount = total if draw < paid_share else total // 2 if draw < paid_share + 0.15 else 0
        if amount:
            received = min(issued_on + timedelta(days=rng.randint(3, 45)), today)
            payments.append({"id": first_payment + len(payments), "invoice_id": invoice_id, "amount_pence": amount,
                             "received_on": received, "method": PaymentMethod.BANK_TRANSFER,
                             "reference": f"BACS {format_reference(settings.invoice_prefix, number)}",
                             "overpayment": False, "recorded_at": placed, "recorded_by_id": organiser_id})
    db.session.execute(insert(Order), orders)
    db.session.execute(insert(OrderLine), order_lines)
    db.session.execute(insert(Invoice), invoices)
    db.session.execute(insert(InvoiceLine), invoice_lines)
    if payments:
        db.session.execute(insert(Payment), payments)
    db.session.execute(insert(DocumentCounter), [{"programme_id": programme_id, "kind": DocumentKind.INVOICE,
                                                  "last_number": len(invoices)}])
    db.session.execute(insert(Membership), membership_rows)

    # Places: every member agency's membership place on the days gone, most on the days to come (named in
    # turn to the agency's people), and the extra places bought (held unnamed on some days to come).
    first_place = _next_id(Place)
    places = []
    for index, day in enumerate(days):
        past = day["starts_at"] <= now
        people_on_day = {}
        for agency_id in agency_ids:
            if agency_id == first_agency and day["year"] == current:
                continue  # bought through the services below
            if not past and rng.random() >= size.named_ahead_share:
                continue
            person = people[agency_id][index % size.people_per_agency]
            people_on_day[agency_id] = person
            places.append(_place(first_place + len(places), day, agency_id, person, PlaceType.MEMBERSHIP, past,
                                 is_champion=person == people[agency_id][0], rng=rng))
        for agency_id, line_id, quantity in bought.get(day["id"], []):
            others = [p for p in people[agency_id] if p != people_on_day.get(agency_id)]
            for k in range(quantity):
                # One order per agency a day, of at most two places: each goes to a different person.
                person = others[k % len(others)] if past or rng.random() < 0.5 else None
                places.append(_place(first_place + len(places), day, agency_id, person, PlaceType.EXTRA, past,
                                     order_line_id=line_id, rng=rng))
    db.session.execute(insert(NetworkPlace), places)
    bump_sequences()  # the services below add rows of their own
    db.session.commit()

    _through_the_services(programme, organiser, db.session.get(User, admin_id),
                          db.session.get(Organisation, first_agency), people[first_agency], current, now)
    db.session.commit()
    counts = {model: db.session.execute(select(func.count()).select_from(model).where(
        model.programme_id == programme_id)).scalar_one() for model in (Membership, Order, Invoice)}
    return NetworkSeeded(
        programme_id=programme_id, slug=SLUG, agency_id=first_agency, admin_email=AGENCY_ADMIN_EMAIL, years=years,
        days=len(days), agencies=size.agencies, memberships=counts[Membership], orders=counts[Order],
        invoices=counts[Invoice], payments=db.session.execute(select(func.count(Payment.id))).scalar_one(),
        places=db.session.execute(select(func.count(NetworkPlace.id))).scalar_one(), users=len(users))


def _place(place_id: int, day: dict, agency_id: int, person: int | None, place_type: PlaceType, past: bool,
           rng: random.Random, is_champion: bool = False, order_line_id: int | None = None) -> dict:
    membership = place_type is PlaceType.MEMBERSHIP
    return {"id": place_id, "kind": "network_place", "event_id": day["id"], "user_id": person,
            "organisation_id": agency_id if person is not None else None,
            "uid": f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@ep-events", "sequence": 0,
            "status": PlaceStatus.CONFIRMED, "starts_at": day["starts_at"], "ends_at": day["ends_at"],
            "cancel_reason": "", "attendance": Attendance.ATTENDED if past and person else Attendance.UNKNOWN,
            "attendance_marked_at": day["ends_at"] if past and person else None,
            "created_at": min(day["starts_at"], utcnow()) - timedelta(days=7),
            "agency_id": agency_id, "place_type": place_type, "is_champion": is_champion,
            "membership_day_id": day["id"] if membership else None, "order_line_id": order_line_id,
            "invited_email": None}


def _through_the_services(programme, organiser, admin, agency, people: list[int], current: int, now) -> None:
    """The signed-in agency's current year as the site makes it: champion, membership bought and invoiced
    (emailed with its PDF), its place named, extra places bought and one named, a part payment, and an order
    cancelled with a credit note."""
    billing = BillingDetails(contact_name="Accounts payable", contact_email="accounts-admin@bench.example.org",
                             address=f"{agency.name}\n1 Bench Road\nLeeds", po_number="PO-ADMIN-1")
    champion, colleague = (db.session.get(User, p) for p in people[:2])
    name_champion(admin, programme, agency, champion)
    buy_membership(admin, programme, agency, current, billing, now=now)
    days = list(db.session.execute(select(NetworkDay).where(
        NetworkDay.programme_id == programme.id, NetworkDay.starts_at > now)
        .order_by(NetworkDay.starts_at)).scalars())
    this_year = [d for d in days if d.starts_at < uk_to_utc(_year_start(current + 1), time(0))]
    if not this_year:  # the last day of a membership year: nothing of it left to name
        return
    first = this_year[0]
    name_place(admin, first, agency, champion, PlaceType.MEMBERSHIP, now=now)
    buy_extra_places(admin, first, agency, 2, billing, now=now)
    name_place(admin, first, agency, colleague, PlaceType.EXTRA, now=now)
    membership_invoice = db.session.execute(select(Invoice).join(Order).where(
        Order.organisation_id == agency.id, Invoice.programme_id == programme.id)
        .order_by(Invoice.number.desc())).scalars().all()
    paid = membership_invoice[1]  # the membership's (the extra places' is the newest)
    record_payment(paid, organiser, paid.lines[0].line_total_pence // 2, to_uk(now).date(),
                   PaymentMethod.BANK_TRANSFER, reference=f"BACS {paid.reference}")
    cancelled = buy_extra_places(admin, days[-1], agency, 1, billing, now=now)
    cancel_network_order(organiser, cancelled, "Ordered twice by mistake", now=now)
