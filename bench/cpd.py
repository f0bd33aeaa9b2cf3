"""CPD: cpd_log_pdf_p95_ms (a year of 40 records), certificate_pdf_p95_ms and cpd_log_page_p95_ms, on a database
holding a registration year of CPD for 10,000 people (four records each, bulk-inserted)."""

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from bench.loadgen import p95_of_calls
from bench.seed import PASSWORD
from ep_events import create_app
from ep_events.accounts.models import User
from ep_events.bookings.models import Attendance, EventStatus
from ep_events.cpd.certificates import certificate_for, certificate_pdf
from ep_events.cpd.log import log_pdf
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.records import progress_of, records_in_year
from ep_events.cpd.years import current_year
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.workshops.models import Workshop, WorkshopRegistration

PEOPLE = 10_000
RECORDS_EACH = 4
OWN_RECORDS = 40
RENDERS = 20
PAGE_LOADS = 60
BOX = ("I reflected on how early permanence planning starts before birth, and on how carers are prepared for "
       "family time and for a possible return home. Zoë’s team shared their approach. ") * 4


def _seed(password_hash: str) -> tuple[int, int]:
    """The 10,000 people and their year of CPD; returns (the measured person's id, their attended place id)."""
    year = current_year()
    programme = Programme(name="Adoption England P&SD workshops", slug="bench-cpd", kind="workshops",
                          contact_email="workshops@example.org", status=ProgrammeStatus.PUBLISHED)
    db.session.add(programme)
    db.session.flush()
    now = datetime.now(UTC)
    db.session.execute(insert(User), [
        {"email": f"cpd{n}@example.org", "name": f"Person {n}", "job_title": "Social worker", "organisation_other": "",
         "password_hash": password_hash, "confirmed_at": now, "session_version": 1, "cpd_emails": True,
         "created_at": now} for n in range(PEOPLE)])
    ids = list(db.session.execute(select(User.id).order_by(User.id)).scalars())
    days = [year.first_day + timedelta(days=d) for d in range(0, 300, 300 // RECORDS_EACH)][:RECORDS_EACH]
    rows = [{"user_id": user_id, "status": RecordStatus.COMPLETE, "cpd_type": "Workshop/webinar",
             "title": "Managing family time in EP", "programme_name": programme.name, "activity_date": day,
             "duration_minutes": 90, "description": BOX, "learning": BOX, "impact": BOX,
             "has_peer_reflection": n == 0, "peer_role": "Team manager" if n == 0 else "",
             "peer_learning": BOX if n == 0 else "", "practice_standards": ["S4", "4.2"], "created_at": now}
            for user_id in ids for n, day in enumerate(days)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(CpdRecord), rows[start:start + 5000])
    person = ids[0]
    extra = [{**rows[0], "activity_date": min(year.first_day + timedelta(days=n * 7), date.today()),
              "title": f"Record {n}"} for n in range(OWN_RECORDS - RECORDS_EACH)]
    db.session.execute(insert(CpdRecord), extra)
    starts = datetime.combine(year.first_day + timedelta(days=14), datetime.min.time(), tzinfo=UTC).replace(hour=10)
    workshop = Workshop(programme=programme, title="Managing family time in EP", starts_at=starts,
                        ends_at=starts + timedelta(minutes=90), status=EventStatus.PUBLISHED,
                        registration_closes_at=starts, capacity=100, practice_standards=["S4"])
    db.session.add(workshop)
    db.session.flush()
    place = WorkshopRegistration(event=workshop, user=db.session.get(User, person), starts_at=workshop.starts_at,
                                 ends_at=workshop.ends_at)
    db.session.add(place)
    db.session.flush()
    place.mark_attendance(Attendance.ATTENDED, None, workshop.ends_at, minutes=85)
    db.session.commit()
    return person, place.id



def measure(database_url: str, password_hash: str, log) -> dict[str, float]:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    try:
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            person_id, place_id = _seed(password_hash)
            log(f"  seeded {PEOPLE:,} people with {RECORDS_EACH} CPD records each in "
                f"{time.perf_counter() - started:.1f} s")
            person = db.session.get(User, person_id)
            year = current_year()
            records = records_in_year(person, year)
            log(f"  the measured person has {len(records)} records this year")
            figures = {"cpd_log_pdf_p95_ms": p95_of_calls(
                lambda: log_pdf(person, year, records, progress_of(records), datetime.now(UTC)), RENDERS)}
            place = db.session.get(WorkshopRegistration, place_id)
            certificate = certificate_for(person, place)
            db.session.commit()
            figures["certificate_pdf_p95_ms"] = p95_of_calls(lambda: certificate_pdf(certificate), 60)
            client = app.test_client()
            client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
            path = f"/cpd/{year.ends_in}"
            assert client.get(path).status_code == 200
            figures["cpd_log_page_p95_ms"] = p95_of_calls(lambda: client.get(path), PAGE_LOADS)
        return figures
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
