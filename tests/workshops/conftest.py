"""An Adoption England P&SD workshops programme, its organiser and facilitator, and practitioners, on fixed
dates: "now" is in winter (GMT), the workshop in British Summer Time."""

from datetime import UTC, date, datetime, time

import pytest

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.workshops.workshops import WorkshopDetails, create_workshop, publish_workshop
from tests import factories

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
JUNE_DAY = date(2027, 6, 16)  # a Wednesday
TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_TEST0001%40thread.v2/0?context=%7b%7d"
OTHER_TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_TEST0002%40thread.v2/0?context=%7b%7d"


def details(**changes) -> WorkshopDetails:
    values = {"title": "Managing family time in EP", "day": JUNE_DAY, "starts": time(10, 0), "ends": time(11, 30),
              "capacity": 2, "description": "Family time when a baby is placed early.", "online_url": TEAMS_URL,
              "topic": "Family time", "audience": "Social workers and managers", "practice_standards": ("S5", "S3")}
    return WorkshopDetails(**(values | changes))


def workshop(world, now=NOW, publish=True, **changes):
    made = create_workshop(world.organiser, world.programme, details(**changes), now=now)
    if publish:
        publish_workshop(world.organiser, made, now=now)
    db.session.flush()
    return made


class World:
    pass


def build_world() -> World:
    w = World()
    w.programme = factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops",
                                      contact_email="ep-workshops@example.org")
    w.organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                                 roles=[(Role.ORGANISER, w.programme)])
    w.facilitator = factories.user(email="facilitator@example.org", name="Fran Facilitator",
                                   roles=[(Role.FACILITATOR, w.programme)])
    w.alice = factories.user(email="alice@example.org", name="Alice Adams")
    w.bola = factories.user(email="bola@example.org", name="Bola Bello")
    w.chen = factories.user(email="chen@example.org", name="Chen Cho")
    w.dana = factories.user(email="dana@example.org", name="Dana Diaz")
    db.session.commit()
    return w


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def mail(deliver, mailbox):
    """Deliver the outbox and return the messages received since the last call."""
    def _mail():
        messages = deliver()
        mailbox.clear()
        return messages
    return _mail
