"""A Coram Network programme, its organiser, two member agencies with admins and people, on fixed dates."""

from datetime import UTC, date, datetime, time

import pytest

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.network_days.days import DayDetails, create_day, publish_day
from ep_events.network_days.memberships import add_membership
from tests import factories

# A fixed "now" for the services (winter, GMT); the days below are in British Summer Time.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
JUNE_DAY = date(2027, 6, 16)  # a Wednesday in the 2027 membership year


def details(**changes) -> DayDetails:
    values = {"title": "Legal updates and pre-birth planning", "day": JUNE_DAY, "starts": time(10, 0),
              "ends": time(15, 30), "capacity": 3, "venue": "Coram, 41 Brunswick Square, London WC1N 1AZ",
              "topics": "Legal updates; pre-birth planning", "practice_standards": ("S4", "S1")}
    return DayDetails(**(values | changes))


def network_day(world, now=NOW, publish=True, **changes):
    day = create_day(world.organiser, world.programme, details(**changes), now=now)
    if publish:
        publish_day(world.organiser, day)
    db.session.flush()
    return day


class World:
    pass


def build_world() -> World:
    w = World()
    w.programme = factories.programme(kind="network_days", slug="coram-network", name="Coram EP Network Days",
                                      contact_email="ep-network@example.org")
    w.organiser = factories.user(email="organiser@example.org", roles=[(Role.ORGANISER, w.programme)])
    w.agency = factories.organisation(name="Riverton City Council")
    w.other_agency = factories.organisation(name="Southvale Borough Council")
    w.admin = factories.user(email="agency-admin@example.org", organisation_id=w.agency.id,
                             roles=[(Role.AGENCY_ADMIN, w.agency)])
    w.other_admin = factories.user(email="other-admin@example.org", organisation_id=w.other_agency.id,
                                   roles=[(Role.AGENCY_ADMIN, w.other_agency)])
    w.alice = factories.user(email="alice@example.org", name="Alice Adams", organisation_id=w.agency.id)
    w.bola = factories.user(email="bola@example.org", name="Bola Bello", organisation_id=w.agency.id)
    w.chen = factories.user(email="chen@example.org", name="Chen Cho", organisation_id=w.other_agency.id)
    add_membership(w.organiser, w.programme, w.agency, 2027)
    add_membership(w.organiser, w.programme, w.other_agency, 2027)
    db.session.commit()
    return w


@pytest.fixture
def world(app):
    return build_world()
