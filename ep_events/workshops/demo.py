"""Demo workshops for the Adoption England P&SD programme: two to come ("Managing family time in EP" and "Hope
boxes") and one past, with the demo practitioner registered on the first and on the past one; the past one has
a shared resource, attendance and the practitioner's feedback (after_demo.py). Dates are relative to now, with
margins; running it twice adds nothing."""

from datetime import time, timedelta

from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.programmes.models import ProgrammeStatus
from ep_events.workshops.after_demo import load_after_demo
from ep_events.workshops.models import Workshop
from ep_events.workshops.registrations import register
from ep_events.workshops.workshops import WorkshopDetails, create_workshop, publish_workshop

PROGRAMME = "pds-workshops"
ORGANISER = "organiser@example.org"
PRACTITIONER = "practitioner@example.org"
# The placeholder meeting link of the other demos (programme packages may not import one another).
DEMO_TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_DEMO0001%40thread.v2/0?context=%7b%7d"

# Days from today (UK), title, topic, audience, standards, description, registered.
WORKSHOPS = [
    (23, "Managing family time in EP", "Family time (contact) in early permanence placements",
     "Social workers, supervising social workers and managers", ("S3", "S5"),
     "How agencies plan, support and review family time when a baby is placed with carers who may adopt: "
     "what the research says, what carers and birth parents told us, and practical tools.", True),
    (44, "Hope boxes", "Hope boxes: helping carers hold a child's story",
     "Foster for adoption and dually approved carers' social workers", ("S2", "S6"),
     "What a hope box is, how carers make one with a child's birth family in mind, and how workers can "
     "support it.", False),
    (-21, "Early permanence for panel members", "The early permanence panel: questions to ask",
     "Panel members and advisers", ("S1",),
     "An introduction to early permanence for adoption and fostering panel members.", True),
]


def load_workshops_demo(programmes: dict, organisations: dict) -> None:
    programme = programmes[PROGRAMME]
    existing = db.session.execute(
        select(func.count(Workshop.id)).where(Workshop.programme_id == programme.id)).scalar_one()
    if existing:
        return
    programme.status = ProgrammeStatus.PUBLISHED
    organiser = db.session.execute(select(User).where(User.email == ORGANISER)).scalar_one()
    practitioner = db.session.execute(select(User).where(User.email == PRACTITIONER)).scalar_one()
    now = utcnow()
    today = now.astimezone(UK).date()
    for offset, title, topic, audience, standards, description, registered in WORKSHOPS:
        # A past workshop is set up as it was then: created and registered for a month before it.
        then = now if offset > 0 else now + timedelta(days=offset - 30)
        details = WorkshopDetails(title=title, day=today + timedelta(days=offset), starts=time(10, 0),
                                  ends=time(11, 30), capacity=30 if offset > 0 else 25, description=description,
                                  online_url=DEMO_TEAMS_URL, topic=topic, audience=audience,
                                  practice_standards=standards)
        workshop = create_workshop(organiser, programme, details, now=then)
        publish_workshop(organiser, workshop, now=then)
        if registered:
            register(workshop, practitioner, now=then)
        if offset < 0:  # after it: a shared link, attendance and the practitioner's feedback
            load_after_demo(workshop, organiser, practitioner)
    db.session.flush()
