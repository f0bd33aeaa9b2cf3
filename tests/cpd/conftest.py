"""CPD fixtures: a workshops programme and a Network Days programme with events already held, a practitioner
who attended some of them, and the other roles (organiser, facilitator, admin, another practitioner).

"Now" is 10 March 2027 (registration year 2027: 1 December 2026 to 30 November 2027)."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance, EventStatus
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopRegistration
from tests import factories

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)


def held_workshop(programme, starts_at: datetime, title: str = "Managing family time in EP",
                  minutes: int = 90, standards=("S5", "5.2")) -> Workshop:
    workshop = Workshop(programme=programme, title=title, starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=minutes), status=EventStatus.PUBLISHED,
                        registration_closes_at=starts_at, capacity=30, practice_standards=list(standards))
    db.session.add(workshop)
    db.session.flush()
    return workshop


def place_on(event, user, attended: bool | None = True, minutes: int | None = None) -> WorkshopRegistration:
    """The person's place on the event, marked attended (True), did not attend (False) or not marked (None)."""
    place = WorkshopRegistration(event=event, user=user, starts_at=event.starts_at, ends_at=event.ends_at)
    db.session.add(place)
    db.session.flush()
    if attended is not None:
        place.mark_attendance(Attendance.ATTENDED if attended else Attendance.DID_NOT_ATTEND, None,
                              event.ends_at, minutes=minutes)
    db.session.flush()
    return place


class World:
    pass


@pytest.fixture(autouse=True)
def clock():
    """Every CPD test happens at NOW unless it moves the clock itself (signing in, pages and jobs agree)."""
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def world(app):
    return build_world()


def build_world() -> World:
    w = World()
    w.programme = factories.programme(kind="workshops", slug="pds", name="Adoption England P&SD workshops",
                                      contact_email="ep-workshops@example.org")
    w.other_programme = factories.programme(kind="workshops", slug="other", name="Another programme")
    w.pat = factories.user(email="pat@example.org", name="Pat Practitioner")
    w.sam = factories.user(email="sam@example.org", name="Sam Smith")
    w.organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                                 roles=[(Role.ORGANISER, w.programme)])
    w.facilitator = factories.user(email="facilitator@example.org", name="Fran Facilitator",
                                   roles=[(Role.FACILITATOR, w.programme)])
    w.admin = factories.admin(email="admin@example.org", name="Ada Admin")
    w.workshop = held_workshop(w.programme, datetime(2027, 2, 16, 10, 0, tzinfo=UTC))
    w.place = place_on(w.workshop, w.pat, minutes=85)
    w.sam_place = place_on(w.workshop, w.sam)
    db.session.commit()
    return w


@pytest.fixture
def mail(deliver, mailbox):
    def _mail():
        messages = deliver()
        mailbox.clear()
        return messages
    return _mail
