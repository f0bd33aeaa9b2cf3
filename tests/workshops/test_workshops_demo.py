"""The demo workshops: the P&SD programme with two workshops to come and one past, the demo practitioner
registered; loading twice adds nothing."""

from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.bookings.models import Attendance, EventStatus
from ep_events.core.time import utcnow
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration, WorkshopResource


def test_the_demo_has_the_pds_programme_with_three_workshops_once(app):
    load_demo_data()
    load_demo_data()
    programme = db.session.execute(select(Programme).where(Programme.slug == "pds-workshops")).scalar_one()
    assert (programme.name, programme.kind) == ("Adoption England P&SD workshops", "workshops")
    workshops = list(db.session.execute(select(Workshop).order_by(Workshop.starts_at)).scalars())
    now = utcnow()
    assert [w.title for w in workshops] == ["Early permanence for panel members", "Managing family time in EP",
                                            "Hope boxes"]
    assert all(w.status is EventStatus.PUBLISHED for w in workshops)
    assert workshops[0].ends_at < now < workshops[1].starts_at
    practitioner = db.session.execute(select(User).where(User.email == "practitioner@example.org")).scalar_one()
    registered = db.session.execute(select(WorkshopRegistration.event_id).where(
        WorkshopRegistration.user_id == practitioner.id)).scalars().all()
    assert sorted(registered) == sorted([workshops[0].id, workshops[1].id])
    assert db.session.execute(select(func.count(WorkshopRegistration.id))).scalar_one() == 2


def test_the_past_demo_workshop_has_a_resource_attendance_and_feedback(app):
    load_demo_data()
    past = db.session.execute(select(Workshop).where(Workshop.title == "Early permanence for panel members")
                              ).scalar_one()
    assert db.session.execute(select(func.count(WorkshopResource.id)).where(
        WorkshopResource.workshop_id == past.id)).scalar_one() >= 1
    assert db.session.execute(select(func.count(WorkshopFeedback.id)).where(
        WorkshopFeedback.workshop_id == past.id)).scalar_one() == 1
    [registration] = db.session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.event_id == past.id)).scalars().all()
    assert registration.attendance is Attendance.ATTENDED
