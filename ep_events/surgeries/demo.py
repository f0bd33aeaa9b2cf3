"""Demo surgery dates: five working days over the next three months, some booked, one full with a waiting list;
and two past dates with bookings and attendance, so the past-date views have something to show."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.core.working_days import next_working_day, non_working_day
from ep_events.extensions import db
from ep_events.surgeries.attendance import mark_attendance
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import Attendance, SessionKind, SurgeryDate, SurgeryDateStatus
from ep_events.surgeries.themes import set_theme_standards
from ep_events.surgeries.waitlist import join_waitlist

DEMO_TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_DEMO0000%40thread.v2/0?context=%7b%7d"

# Days from today and session, as in the flyer: AM, PM, PM, AM, AM.
SCHEDULE = [(9, SessionKind.AM), (16, SessionKind.PM), (30, SessionKind.PM), (45, SessionKind.AM),
            (70, SessionKind.AM)]
# Days before today: dates already held, with their attendance marked.
PAST_SCHEDULE = [(14, SessionKind.AM), (6, SessionKind.PM)]

OTHER_PRACTITIONERS = [
    ("sw-one@example.org", "Sasha Worker", "Adoption social worker", "Northshire County Council"),
    ("sw-two@example.org", "Jordan Reed", "Family finder", "Adoption East Midlands Partnership"),
    ("sw-three@example.org", "Priya Shah", "Team manager", "Marches Together Adoption"),
    ("sw-four@example.org", "Chris Oduya", "Independent social worker", None),
    ("sw-five@example.org", "Morgan Lee", "Children's guardian", "Southvale Borough Council"),
]


DEMO_THEME_STANDARDS = {
    "right-plan": ["S1", "S2"],
    "return-home": ["S7"],
    "assessing-adopter": ["S3"],
    "family-finding": ["S4"],
    "legal-cafcass": ["S2", "2.4"],
}


def load_surgery_demo(programmes: dict, organisations: dict) -> None:
    programme = programmes["mtc-surgeries"]
    existing = db.session.execute(
        select(func.count(SurgeryDate.id)).where(SurgeryDate.programme_id == programme.id)).scalar_one()
    if existing:
        return
    password_hash = generate_password_hash(current_app.config["DEMO_PASSWORD"])
    people = []
    for email, name, job, org in OTHER_PRACTITIONERS:
        person = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if person is None:
            person = User(email=email, name=name, job_title=job, organisation=organisations.get(org),
                          organisation_other="" if org else "Independent", password_hash=password_hash,
                          confirmed_at=utcnow())
            db.session.add(person)
            db.session.flush()
        people.append(person)

    # Some themes tagged with the standards they relate to; the rest left for the organiser to try.
    for theme, codes in DEMO_THEME_STANDARDS.items():
        set_theme_standards(None, programme, theme, codes)

    now = utcnow()
    dates = []
    for days, session in SCHEDULE:
        # Never a weekend or bank holiday: facilitators would be asked to confirm those.
        day = next_working_day((now + timedelta(days=days)).date())
        surgery_date = create_surgery_date(None, programme, day, session, now=now)
        surgery_date.status = SurgeryDateStatus.PUBLISHED
        surgery_date.teams_url = DEMO_TEAMS_URL
        dates.append(surgery_date)
    db.session.flush()

    # The past dates first: booked back then, when each person's limit counted only what was upcoming.
    _past_dates(programme, people, now)
    themes = ["right-plan", "legal-cafcass", "family-finding", "general", "first-experience"]
    # The first date is full, and two people wait for it.
    for slot, person, theme in zip(dates[0].slots, people, themes):
        book_slot(slot, person, theme, outline="Demo outline: a general question about the process.",
                  now=now)
    join_waitlist(dates[0], people[3], now=now)
    join_waitlist(dates[0], people[4], now=now)
    # A few slots booked on the later dates.
    book_slot(dates[1].slots[0], people[3], "assessing-adopter", now=now)
    book_slot(dates[2].slots[1], people[4], "reflect", now=now)
    db.session.flush()


def _past_dates(programme, people, now) -> None:
    """Dates already held: created and booked back then, attendance marked afterwards."""
    for days, session in PAST_SCHEDULE:
        day = (now - timedelta(days=days)).date()
        while non_working_day(day):
            day -= timedelta(days=1)
        back_then = now - timedelta(days=days + 21)
        surgery_date = create_surgery_date(None, programme, day, session, now=back_then)
        surgery_date.status = SurgeryDateStatus.PUBLISHED
        surgery_date.teams_url = DEMO_TEAMS_URL
        db.session.flush()
        booked = [book_slot(slot, person, theme, now=back_then)[0]
                  for slot, person, theme in zip(surgery_date.slots, people[:3], ["general", "reflect", "right-plan"])]
        mark_attendance(None, booked[0], Attendance.ATTENDED, now=now)
        mark_attendance(None, booked[1], Attendance.DID_NOT_ATTEND, now=now)
    db.session.flush()
