"""The last place of a Network Day cannot be oversold: concurrent attempts on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.models import NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.places import name_place
from ep_events.notifications.models import OutboxMessage
from ep_events.organisations.models import Organisation
from tests import factories
from tests.network_days.conftest import NOW, build_world, network_day
from tests.races import race


def _last_place_named_at_once(app, world):
    # Four places: two held for the member agencies' membership places, Alice's, and the last one.
    day = network_day(world, capacity=4)
    name_place(world.organiser, day, world.agency, world.alice, PlaceType.EXTRA, now=NOW)
    agencies = [factories.organisation() for _ in range(10)]
    # Organisers give the places here (agencies buy theirs: tests/network_orders/test_races.py).
    admins = [world.organiser for _ in agencies]
    people = [factories.user(organisation_id=agency.id) for agency in agencies]
    db.session.commit()
    day_id = day.id
    ids = [(admin.id, agency.id, person.id) for admin, agency, person in zip(admins, agencies, people)]

    def attempt_for(admin_id, agency_id, person_id):
        def attempt():
            name_place(db.session.get(User, admin_id), db.session.get(NetworkDay, day_id),
                       db.session.get(Organisation, agency_id), db.session.get(User, person_id),
                       PlaceType.EXTRA, now=NOW)
        return attempt

    results = race(app, [attempt_for(*row) for row in ids])
    assert results.count("ok") == 1, results
    assert all(r == "ok" or r == "Sorry, there are no places left on this Network Day." for r in results), results
    db.session.expire_all()
    confirmed = db.session.execute(select(func.count(NetworkPlace.id)).where(
        NetworkPlace.event_id == day_id, NetworkPlace.status == PlaceStatus.CONFIRMED)).scalar_one()
    invites = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert (confirmed, invites) == (2, 2)


def test_ten_agencies_naming_the_last_place_at_once_on_sqlite_gives_it_to_one(app, world):
    _last_place_named_at_once(app, world)


@pytest.mark.postgres
def test_ten_agencies_naming_the_last_place_at_once_on_postgresql_gives_it_to_one(pg_app):
    _last_place_named_at_once(pg_app, build_world())
