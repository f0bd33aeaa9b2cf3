"""Demo Network Days: three published days in the next membership year (one online, two in person), three
member agencies with their EP Champions, and places named on the first day, the demo agency admin's among them.
The agencies' orders and invoices are billing's demo (billing/demo.py)."""

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.core.working_days import next_working_day
from ep_events.extensions import db
from ep_events.network_days.days import DayDetails, create_day, publish_day
from ep_events.network_days.enquiries import EnquiryDetails, send_enquiry
from ep_events.network_days.memberships import add_membership, membership_year_dates, membership_year_of, name_champion
from ep_events.network_days.models import NetworkDay, PlaceType
from ep_events.network_days.places import name_place
from ep_events.programmes.models import ProgrammeStatus

PROGRAMME = "coram-network"
ORGANISER = "organiser@example.org"
AGENCY_ADMIN = "agency-admin@example.org"
# The placeholder meeting link of the surgeries' demo (programme packages may not import one another).
DEMO_TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_DEMO0000%40thread.v2/0?context=%7b%7d"
CAPACITY = 40

# Days after the membership year starts, title, venue (empty: online), topics, practice standards.
DAYS = [
    (75, "Legal updates and pre-birth planning",
     "Midlands Conference Centre (demo), 1 Example Street, Birmingham B1 1AA",
     "Legal updates; systemic EP planning including pre-birth planning", ("S1", "S4")),
    (190, "Preparing and assessing dually approved and FFA carers", "",
     "Preparing and assessing dually approved and Fostering for Adoption carers", ("S2", "S3")),
    (300, "Managing contact in early permanence",
     "Trent Conference Rooms (demo), 2 Example Road, Nottingham NG1 1AA",
     "Managing family time and contact; learning from agencies' cases", ("S5",)),
]

# Member agencies (the same as billing/demo.py's orders): name, EP Champion (email, name, job title).
MEMBERS = [
    ("Adoption Central Midlands", ("champion-acm@example.org", "Robin Hale", "EP practice lead")),
    ("Marches Together Adoption", ("champion-mta@example.org", "Dee Morgan", "Senior social worker")),
    ("Forest and Peaks Adoption Charity", ("champion-fpa@example.org", "Kai Nolan", "Family finding manager")),
]
# The agency that bought two extra places on the first day, and who takes them.
EXTRA_PLACES_AGENCY = "Marches Together Adoption"
EXTRA_PEOPLE = [("mta-one@example.org", "Lee Carter", "Adoption social worker"),
                ("mta-two@example.org", "Noor Aziz", "Supervising social worker")]


def load_network_days_demo(programmes: dict, organisations: dict) -> None:
    programme = programmes[PROGRAMME]
    existing = db.session.execute(
        select(func.count(NetworkDay.id)).where(NetworkDay.programme_id == programme.id)).scalar_one()
    if existing:
        return
    programme.status = ProgrammeStatus.PUBLISHED
    organiser = db.session.execute(select(User).where(User.email == ORGANISER)).scalar_one()
    password_hash = generate_password_hash(current_app.config["DEMO_PASSWORD"])
    now = utcnow()

    year = membership_year_of(now, programme) + 1
    year_starts, _ = membership_year_dates(year, programme)
    days = []
    for offset, title, venue, topics, standards in DAYS:
        online = not venue
        details = DayDetails(title=title, day=next_working_day(year_starts + timedelta(days=offset)),
                             starts=time(10, 0), ends=time(13, 0) if online else time(15, 30), capacity=CAPACITY,
                             venue=venue, online_url=DEMO_TEAMS_URL if online else "", topics=topics,
                             practice_standards=standards)
        network_day = create_day(organiser, programme, details, now=now)
        publish_day(organiser, network_day)
        days.append(network_day)

    first_day = days[0]
    admin = db.session.execute(select(User).where(User.email == AGENCY_ADMIN)).scalar_one()
    for name, (email, person_name, job) in MEMBERS:
        agency = organisations[name]
        add_membership(organiser, programme, agency, year)
        champion = _person(email, person_name, job, agency, password_hash)
        name_champion(organiser, programme, agency, champion)
        # The demo agency admin takes their agency's membership place; elsewhere the champion does.
        taker = admin if admin.organisation_id == agency.id else champion
        name_place(organiser, first_day, agency, taker, PlaceType.MEMBERSHIP, now=now)
        if name == EXTRA_PLACES_AGENCY:
            for extra_email, extra_name, extra_job in EXTRA_PEOPLE:
                person = _person(extra_email, extra_name, extra_job, agency, password_hash)
                name_place(organiser, first_day, agency, person, PlaceType.EXTRA, now=now)
    # One bespoke-training enquiry waiting for an answer, so the organiser's enquiries page has something to show.
    send_enquiry(programme, EnquiryDetails(
        organisation_name="Westmere Borough Council", contact_name="Dana Doyle", contact_email="dana.doyle@example.org",
        training="Two half-day sessions on early permanence for our fostering panel and assessing social workers.",
        audience="8 panel members and 14 social workers", preferred_dates="A weekday morning next term"), now=now)
    db.session.flush()


def _person(email: str, name: str, job: str, agency, password_hash: str) -> User:
    person = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if person is None:
        person = User(email=email, name=name, job_title=job, organisation=agency, password_hash=password_hash,
                      confirmed_at=utcnow())
        db.session.add(person)
        db.session.flush()
    return person
