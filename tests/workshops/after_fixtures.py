"""A workshops programme with one workshop on fixed dates, its staff, two registrants and a stranger: built
directly from the committed models (the workshop services are written alongside), for the after-workshop tests."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from ep_events.accounts.models import Role
from ep_events.bookings.models import EventStatus, PlaceStatus
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopRegistration
from tests import factories

# Thursday 3 June 2027, 10:00 to 11:30 in London (British Summer Time): 90 minutes.
STARTS = datetime(2027, 6, 3, 9, 0, tzinfo=UTC)
ENDS = datetime(2027, 6, 3, 10, 30, tzinfo=UTC)
BEFORE = STARTS - timedelta(days=2)
DURING = STARTS + timedelta(minutes=30)
AFTER = ENDS + timedelta(hours=2)
LAST_FEEDBACK_MOMENT = ENDS + timedelta(days=14) - timedelta(seconds=1)
FEEDBACK_CLOSED = ENDS + timedelta(days=14)


def register(workshop: Workshop, user, status=PlaceStatus.CONFIRMED) -> WorkshopRegistration:
    registration = WorkshopRegistration(event=workshop, user=user, starts_at=workshop.starts_at,
                                        ends_at=workshop.ends_at, status=status)
    db.session.add(registration)
    db.session.flush()
    return registration


def build_after_world(upload_dir=None) -> SimpleNamespace:
    w = SimpleNamespace()
    w.programme = factories.programme(kind="workshops", slug="pds-workshops-test",
                                      name="Adoption England P&SD workshops", contact_email="pds@example.org")
    w.other_programme = factories.programme(kind="workshops", slug="other-workshops")
    w.organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                                 roles=[(Role.ORGANISER, w.programme)])
    w.facilitator = factories.user(email="facilitator@example.org", name="Fola Facilitator",
                                   roles=[(Role.FACILITATOR, w.programme)])
    w.other_organiser = factories.user(email="other-organiser@example.org",
                                       roles=[(Role.ORGANISER, w.other_programme)])
    w.admin = factories.admin(email="admin@example.org")
    w.alice = factories.user(email="Alice.Adams@example.org", name="Alice Adams")
    w.bola = factories.user(email="bola@example.org", name="Bola Bello")
    w.chen = factories.user(email="chen@example.org", name="Chen Cho")
    w.cancelled = factories.user(email="dee@example.org", name="Dee Dropped")
    w.stranger = factories.user(email="stranger@example.org", name="Sam Stranger")
    w.workshop = Workshop(programme=w.programme, title="Managing family time in EP", starts_at=STARTS, ends_at=ENDS,
                          status=EventStatus.PUBLISHED, online_url="https://teams.microsoft.com/l/meetup-join/x",
                          capacity=30, description="How to plan and support family time.", topic="Family time",
                          audience="Social workers", practice_standards=["S4"],
                          registration_closes_at=STARTS - timedelta(days=1))
    db.session.add(w.workshop)
    db.session.flush()
    w.alice_place = register(w.workshop, w.alice)
    w.bola_place = register(w.workshop, w.bola)
    w.chen_place = register(w.workshop, w.chen)
    w.cancelled_place = register(w.workshop, w.cancelled, status=PlaceStatus.CANCELLED)
    db.session.commit()
    return w


def after_world_for(app, tmp_path) -> SimpleNamespace:
    """For each test module's `after_world` fixture: uploads go to the test's own folder."""
    app.config["WORKSHOP_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return build_after_world(tmp_path / "uploads")
