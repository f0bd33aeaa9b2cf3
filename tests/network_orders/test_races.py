"""Money races on SQLite and PostgreSQL: the last extra place of a day is sold once, and two admins of one
agency buying the same membership at the same moment get one membership and one invoice."""

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role, User
from ep_events.billing.models import Invoice, Order
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.models import Membership, NetworkDay, NetworkPlace
from ep_events.network_orders.purchases import buy_extra_places, buy_membership
from ep_events.notifications.models import OutboxMessage
from ep_events.organisations.models import Organisation
from ep_events.programmes.models import Programme
from tests import factories
from tests.network_orders.conftest import BILLING, NOW, build_shop, network_day
from tests.races import race

NO_PLACES = "Sorry, there are no places left on this Network Day."


def _count(*where, model=Invoice) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _last_place_bought_at_once(app, shop):
    day = network_day(shop, capacity=3)  # two held for the member agencies' membership places: one to sell
    agencies = [factories.organisation() for _ in range(8)]
    admins = [factories.user(organisation_id=a.id, roles=[(Role.AGENCY_ADMIN, a)]) for a in agencies]
    db.session.commit()
    day_id, rows = day.id, [(admin.id, agency.id) for admin, agency in zip(admins, agencies)]

    def attempt_for(admin_id, agency_id):
        def attempt():
            buy_extra_places(db.session.get(User, admin_id), db.session.get(NetworkDay, day_id),
                             db.session.get(Organisation, agency_id), 1, BILLING, now=NOW)
        return attempt

    results = race(app, [attempt_for(*row) for row in rows])
    assert results.count("ok") == 1, results
    assert all(r in ("ok", NO_PLACES) for r in results), results
    db.session.expire_all()
    assert _count(NetworkPlace.event_id == day_id, NetworkPlace.status == PlaceStatus.CONFIRMED,
                  model=NetworkPlace) == 1
    assert [number for (number,) in db.session.execute(select(Invoice.number))] == [1]
    assert _count(model=Order) == 1
    assert _count(OutboxMessage.kind == "billing/invoice", model=OutboxMessage) == 1


def _two_admins_buy_the_membership_at_once(app, shop):
    agency = factories.organisation(name="Northby Adoption Agency")
    admins = [factories.user(organisation_id=agency.id, roles=[(Role.AGENCY_ADMIN, agency)]) for _ in range(2)]
    db.session.commit()
    programme_id, agency_id = shop.programme.id, agency.id

    def attempt_for(admin_id):
        def attempt():
            buy_membership(db.session.get(User, admin_id), db.session.get(Programme, programme_id),
                           db.session.get(Organisation, agency_id), 2027, BILLING, now=NOW)
        return attempt

    results = race(app, [attempt_for(admin.id) for admin in admins])
    assert sorted(results) == sorted(["ok", "Northby Adoption Agency is already a member for 1 April 2027 to "
                                            "31 March 2028"]), results
    db.session.expire_all()
    assert _count(Membership.agency_id == agency_id, model=Membership) == 1
    assert _count(Invoice.organisation_id == agency_id) == 1


def test_the_last_extra_place_is_sold_once_on_sqlite(app, shop):
    _last_place_bought_at_once(app, shop)


@pytest.mark.postgres
def test_the_last_extra_place_is_sold_once_on_postgresql(pg_app):
    _last_place_bought_at_once(pg_app, build_shop())


def test_two_admins_buying_the_membership_at_once_get_one_membership_and_one_invoice_on_sqlite(app, shop):
    _two_admins_buy_the_membership_at_once(app, shop)


@pytest.mark.postgres
def test_two_admins_buying_the_membership_at_once_get_one_membership_and_one_invoice_on_postgresql(pg_app):
    _two_admins_buy_the_membership_at_once(pg_app, build_shop())
