"""Demo self-assessments for the demo agency: one completed a year ago (shared with Adoption England) and the
next one in progress, started as its copy, with a mix of ratings and actions, some due in the next fortnight and
one overdue; and upcoming demo events tagged with some of the red sub-standards, so "what to book next" has
something to show. Adoption England's P&SD workshops programme is marked for the aggregate. Running it twice
adds nothing."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ep_events.accounts.models import Grant, Role, User
from ep_events.assessments.assessments import (
    EntryInput,
    complete_assessment,
    copy_assessment,
    save_standard,
    start_assessment,
)
from ep_events.assessments.models import SelfAssessment
from ep_events.bookings.models import Event, EventStatus
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db
from ep_events.organisations.models import Organisation
from ep_events.standards import current_edition, validate_codes

AGENCY = "Adoption Central Midlands"
AGGREGATE_PROGRAMME = "pds-workshops"
RED = ("1.7", "2.3", "4.2", "5.3")  # rated red in the completed assessment; the demo events address them
AMBER = ("1.4", "2.5", "2.10", "3.4", "3.8", "4.5", "5.5", "6.2", "7.5", "8.5")
COMMENTS = {
    "1.7": "Parents get the EP leaflet, but not the easy-read version, and rarely before the first hearing.",
    "2.3": "No agreed ADM report template with two of our local authorities.",
    "4.2": "Nominated Officers change often; the last two had no EP briefing.",
    "5.3": "Contact supervisors explain EP inconsistently.",
    "2.10": "Joint training with the LAs once a year.",
}
ACTIONS = {  # number: (action, owner role, days from today when due, in the assessment in progress)
    "1.7": ("Send the easy-read EP leaflet with every pre-proceedings letter", "Team manager", 10),
    "2.3": ("Agree one ADM report template with every local authority", "Head of service", -5),
    "4.2": ("Brief each new Nominated Officer within a month of starting", "EP lead", 30),
}


def _admin_of(agency: Organisation) -> User | None:
    return db.session.execute(select(User).join(Grant, Grant.user_id == User.id).where(
        Grant.role == Role.AGENCY_ADMIN, Grant.organisation_id == agency.id).order_by(User.id)).scalars().first()


def _rate(actor, assessment, red, amber, today, with_actions: bool) -> None:
    for standard in current_edition().standards:
        given = {}
        for sub in standard.substandards:
            rating = "red" if sub.number in red else "amber" if sub.number in amber else "green"
            action = ACTIONS.get(sub.number) if with_actions else None
            given[sub.number] = EntryInput(
                rating=rating, comments=COMMENTS.get(sub.number, ""),
                action=action[0] if action else "", action_owner_role=action[1] if action else "",
                action_due_on=today + timedelta(days=action[2]) if action else None)
        save_standard(actor, assessment, standard, given)


def load_assessments_demo(programmes: dict, organisations: dict, now: datetime | None = None) -> None:
    now = now or utcnow()
    if AGGREGATE_PROGRAMME in programmes:
        programmes[AGGREGATE_PROGRAMME].standards_aggregate = True
    agency = organisations.get(AGENCY)
    admin = _admin_of(agency) if agency is not None else None
    if admin is None or db.session.execute(select(SelfAssessment.id).where(
            SelfAssessment.organisation_id == agency.id)).first() is not None:
        return
    today = to_uk(now).date()
    last_year = start_assessment(admin, agency, now=now - timedelta(days=380))
    _rate(admin, last_year, RED, AMBER, today, with_actions=False)
    complete_assessment(admin, last_year, admin.name, admin.job_title, shared=True, now=now - timedelta(days=365))
    this_year = copy_assessment(admin, last_year, now=now - timedelta(days=20))
    # Moving on: 2.10 and 3.4 are now green, 6.4 has slipped to amber; S7 and S8 are not rated yet.
    _rate(admin, this_year, set(RED), set(AMBER) - {"2.10", "3.4"} | {"6.4"}, today, with_actions=True)
    for entry in this_year.entries:
        if entry.number.split(".")[0] in ("7", "8"):
            entry.rating = None
    _tag_upcoming_events(programmes, now)
    db.session.flush()


def _tag_upcoming_events(programmes: dict, now: datetime) -> None:
    """The first two published events to come of each demo programme address red sub-standards."""
    n = 0
    for programme in programmes.values():
        events = db.session.execute(select(Event).where(
            Event.programme_id == programme.id, Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
            .order_by(Event.starts_at, Event.id).limit(2)).scalars().all()
        for event in events:
            event.practice_standards = list(validate_codes([*(event.practice_standards or ()), RED[n % len(RED)]]))
            n += 1
