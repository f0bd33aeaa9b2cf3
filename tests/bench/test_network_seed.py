"""The bench's Network Days data (bench/network_seed.py), seeded small: consistent money and places, so the
figures `make bench` reports come from data the site itself could have made."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from bench.invoice_race import gaps_and_duplicates
from bench.network_seed import NETWORK_SMALL, SLUG, seed_network
from bench.seed import PASSWORD
from ep_events.accounts.models import User
from ep_events.accounts.policy import can_administer_organisation
from ep_events.billing.models import (
    CreditNote,
    DocumentCounter,
    DocumentKind,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
)
from ep_events.bookings.models import EventStatus, PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace, PlaceType
from ep_events.organisations.models import Organisation

# An ordinary winter day, and the last evening of a membership year (no day of that year is left to come).
ORDINARY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
YEAR_END = datetime(2027, 3, 31, 22, 30, tzinfo=UTC)


def _all(statement):
    return db.session.execute(statement).all()


@pytest.mark.parametrize("now", [ORDINARY, YEAR_END], ids=["winter", "year_end"])
def test_the_small_network_seed_numbers_its_invoices_1_to_n_and_holds_together(app, now):
    with freeze_time(now):
        seeded = seed_network(NETWORK_SMALL, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    programme_id = seeded.programme_id

    numbers = db.session.execute(select(Invoice.number).where(Invoice.programme_id == programme_id)).scalars().all()
    counter = db.session.get(DocumentCounter, (programme_id, DocumentKind.INVOICE))
    assert len(numbers) == seeded.invoices == seeded.orders > NETWORK_SMALL.agencies
    assert gaps_and_duplicates(numbers) == (0, 0)
    assert counter.last_number == max(numbers) == len(numbers)
    notes = db.session.execute(select(CreditNote.number).where(CreditNote.programme_id == programme_id)).scalars()
    assert list(notes) in ([], [1])  # the cancelled order, when a day of the year was left to buy places on

    # Every order has its invoice, whose lines are the order's; nobody paid more than they owed.
    assert _all(select(Order.id).outerjoin(Invoice).where(Invoice.id.is_(None))) == []
    order_totals = dict(_all(select(OrderLine.order_id, func.sum(OrderLine.line_total_pence)).group_by(
        OrderLine.order_id)))
    invoice_totals = dict(_all(select(Invoice.order_id, func.sum(InvoiceLine.line_total_pence)).join(InvoiceLine)
                               .group_by(Invoice.order_id)))
    assert invoice_totals == order_totals and all(total > 0 for total in order_totals.values())
    paid = dict(_all(select(Invoice.order_id, func.sum(Payment.amount_pence)).join(Payment)
                     .group_by(Invoice.order_id)))
    assert paid and all(0 < pence <= order_totals[order_id] for order_id, pence in paid.items())
    assert any(pence < order_totals[order_id] for order_id, pence in paid.items())  # part paid
    assert len(paid) < len(order_totals)  # and unpaid

    # One membership a year for each agency, each bought by a membership order of that agency.
    memberships = _all(select(Membership.agency_id, Membership.membership_year, Order.organisation_id)
                       .join(Order, Order.id == Membership.order_id).where(Membership.programme_id == programme_id))
    assert len(memberships) == seeded.memberships == NETWORK_SMALL.agencies * len(seeded.years)
    assert all(agency == payer for agency, _, payer in memberships)

    # Days published; at most one membership place per agency a day, held by its own people.
    days = db.session.execute(select(NetworkDay).where(NetworkDay.programme_id == programme_id)).scalars().all()
    assert len(days) == 3 * len(seeded.years) and all(d.status is EventStatus.PUBLISHED for d in days)
    places = db.session.execute(select(NetworkPlace).where(NetworkPlace.status == PlaceStatus.CONFIRMED)).scalars()
    membership_places, holders = set(), set()
    for place in places:
        if place.place_type is PlaceType.MEMBERSHIP:
            assert (place.event_id, place.agency_id) not in membership_places
            membership_places.add((place.event_id, place.agency_id))
        else:
            assert place.order_line_id is not None
        if place.user is not None:
            assert place.user.organisation_id == place.agency_id
            assert (place.event_id, place.user_id) not in holders
            holders.add((place.event_id, place.user_id))

    admin = db.session.execute(select(User).where(User.email == seeded.admin_email)).scalar_one()
    assert can_administer_organisation(admin, db.session.get(Organisation, seeded.agency_id))
    assert seeded.slug == SLUG
