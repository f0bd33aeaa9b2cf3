"""The last place of a workshop cannot be given twice: concurrent registrations on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.workshops.models import Workshop, WorkshopRegistration
from ep_events.workshops.registrations import register
from tests import factories
from tests.races import race
from tests.workshops.conftest import NOW, build_world, workshop


def _last_place_registered_at_once(app, world):
    made = workshop(world, capacity=2)
    register(made, world.alice, now=NOW)
    people = [factories.user() for _ in range(10)]
    db.session.commit()
    workshop_id, ids = made.id, [person.id for person in people]

    def attempt_for(user_id):
        def attempt():
            register(db.session.get(Workshop, workshop_id), db.session.get(User, user_id), now=NOW)
        return attempt

    results = race(app, [attempt_for(user_id) for user_id in ids])
    assert results.count("ok") == 1, results
    assert all(r in ("ok", "Sorry, there are no places left on this workshop. You can join the waiting list.")
               for r in results), results
    db.session.expire_all()
    confirmed = db.session.execute(select(func.count(WorkshopRegistration.id)).where(
        WorkshopRegistration.event_id == workshop_id,
        WorkshopRegistration.status == PlaceStatus.CONFIRMED)).scalar_one()
    invites = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert (confirmed, invites) == (2, 2)


def test_ten_people_registering_for_the_last_place_at_once_on_sqlite_get_one_place(app, world):
    _last_place_registered_at_once(app, world)


@pytest.mark.postgres
def test_ten_people_registering_for_the_last_place_at_once_on_postgresql_get_one_place(pg_app):
    _last_place_registered_at_once(pg_app, build_world())


def _one_person_twice_at_once(app, world):
    made = workshop(world, capacity=5)
    db.session.commit()
    workshop_id, user_id = made.id, world.alice.id
    results = race(app, [lambda: register(db.session.get(Workshop, workshop_id), db.session.get(User, user_id),
                                          now=NOW) for _ in range(4)])
    assert results.count("ok") == 1, results
    db.session.expire_all()
    assert db.session.execute(select(func.count(WorkshopRegistration.id)).where(
        WorkshopRegistration.user_id == user_id)).scalar_one() == 1


def test_one_person_pressing_register_four_times_at_once_gets_one_place_on_sqlite(app, world):
    _one_person_twice_at_once(app, world)


@pytest.mark.postgres
def test_one_person_pressing_register_four_times_at_once_gets_one_place_on_postgresql(pg_app):
    _one_person_twice_at_once(pg_app, build_world())
