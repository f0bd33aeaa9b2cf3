"""Demo data for after a workshop (called by the workshops demo for its past workshop): a shared link, the
registrants' attendance and the demo practitioner's feedback, given the day after it ended. Running it twice
adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from ep_events.bookings.models import Attendance
from ep_events.extensions import db
from ep_events.workshops.attendance import AttendanceMark, confirmed_registrations, record_attendance
from ep_events.workshops.feedback import FeedbackAnswers, save_feedback
from ep_events.workshops.models import Workshop, WorkshopResource
from ep_events.workshops.resources import add_link_resource

DEMO_LINK = ("Reading list: early permanence and family time", "https://www.example.org/early-permanence/reading")


def load_after_demo(workshop: Workshop, organiser, practitioner) -> None:
    """Only for a workshop that has ended; the organiser shares, marks and the practitioner answers."""
    if db.session.execute(select(func.count(WorkshopResource.id))
                          .where(WorkshopResource.workshop_id == workshop.id)).scalar_one():
        return
    day_after = workshop.ends_at + timedelta(days=1)
    add_link_resource(organiser, workshop, *DEMO_LINK)
    marks = {registration.id: AttendanceMark(Attendance.ATTENDED) for registration in confirmed_registrations(workshop)}
    if marks:
        record_attendance(organiser, workshop, marks, now=day_after)
    if practitioner is not None and any(r.user_id == practitioner.id for r in confirmed_registrations(workshop)):
        save_feedback(practitioner, workshop, FeedbackAnswers(
            usefulness=5, relevance=4, do_differently="Talk to carers about family time before the placement starts.",
            comments="The examples from other agencies were the most useful part."), now=day_after)
    db.session.flush()
