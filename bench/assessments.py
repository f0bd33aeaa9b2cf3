"""Practice-standards self-assessments: assessment_summary_p95_ms (an agency's summary page with its chart and
"what to book next" among a year of tagged events), assessment_xlsx_export_ms (the toolkit spreadsheet of a
full assessment, p95) and aggregate_p95_ms (Adoption England's page over 300 agencies' shared assessments)."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from bench.loadgen import p95_of_calls
from bench.seed import PASSWORD
from ep_events import create_app
from ep_events.accounts.models import Grant, Role, User
from ep_events.assessments.models import AssessmentEntry, AssessmentStatus, SelfAssessment
from ep_events.assessments.spreadsheet import assessment_xlsx
from ep_events.bookings.models import EventStatus
from ep_events.extensions import db
from ep_events.organisations.models import REGIONS, Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.standards import current_edition
from ep_events.workshops.models import Workshop

AGENCIES = 300
EVENTS = 200  # published workshops to come, a year's worth, each tagged with a standard and a sub-standard
PAGE_LOADS = 60
EXPORTS = 20
RATINGS = ("red", "amber", "green", "green", "green")
COMMENT = "How we meet it: the EP pathway, the ADM report template and the joint training plan. " * 3


def _seed(password_hash: str) -> tuple[int, int]:
    """300 agencies, each with an admin and a shared completed assessment; the first agency's admin also has
    one in progress; a year of tagged workshops to come. Returns (the measured admin's id, the assessment id)."""
    now = datetime.now(UTC)
    subs = current_edition().substandards
    db.session.execute(insert(Organisation), [
        {"name": f"Bench Agency {n:03d}", "kind": OrganisationKind.REGIONAL_ADOPTION_AGENCY,
         "region": REGIONS[n % len(REGIONS)], "created_at": now} for n in range(AGENCIES)])
    agencies = list(db.session.execute(select(Organisation.id).order_by(Organisation.id)).scalars())
    db.session.execute(insert(User), [
        {"email": f"agency{n}@example.org", "name": f"Admin {n}", "job_title": "Team manager",
         "organisation_id": agency, "organisation_other": "", "password_hash": password_hash, "confirmed_at": now,
         "session_version": 1, "created_at": now} for n, agency in enumerate(agencies)])
    users = list(db.session.execute(select(User.id).order_by(User.id)).scalars())
    db.session.execute(insert(Grant), [{"user_id": u, "role": Role.AGENCY_ADMIN, "organisation_id": a,
                                        "created_at": now} for u, a in zip(users, agencies, strict=True)])
    db.session.execute(insert(SelfAssessment), [
        {"organisation_id": a, "edition": "2023", "status": AssessmentStatus.COMPLETED, "completer_name": "Admin",
         "completer_job_title": "Team manager", "completed_at": now - timedelta(days=30), "started_by_id": u,
         "shared": True, "created_at": now - timedelta(days=60)} for u, a in zip(users, agencies, strict=True)])
    assessments = list(db.session.execute(select(SelfAssessment.id).order_by(SelfAssessment.id)).scalars())
    rows = [{"assessment_id": a, "number": sub.number, "rating": RATINGS[(i + j) % len(RATINGS)],
             "comments": COMMENT, "action": "", "action_owner_role": "", "action_due_on": None}
            for i, a in enumerate(assessments) for j, sub in enumerate(subs)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(AssessmentEntry), rows[start:start + 5000])
    measured = SelfAssessment(organisation_id=agencies[0], edition="2023", started_by_id=users[0], created_at=now,
                              entries=[AssessmentEntry(number=sub.number, rating=RATINGS[j % 3], comments=COMMENT,
                                                       action="Train the team" if j % 3 == 0 else "",
                                                       action_owner_role="Team manager")
                                       for j, sub in enumerate(subs)])
    db.session.add(measured)
    programme = Programme(name="Adoption England P&SD workshops", slug="bench-standards", kind="workshops",
                          contact_email="workshops@example.org", status=ProgrammeStatus.PUBLISHED,
                          standards_aggregate=True)
    db.session.add(programme)
    db.session.flush()
    starts = now + timedelta(days=2)
    db.session.execute(insert(Workshop), [
        {"kind": "workshop", "programme_id": programme.id, "title": f"Workshop {n}",
         "starts_at": starts + timedelta(days=n * 365 // EVENTS), "ends_at": starts + timedelta(days=n * 365 // EVENTS,
                                                                                               minutes=90),
         "status": EventStatus.PUBLISHED, "online_url": "", "venue": "", "capacity": 50, "created_at": now,
         "description": "", "topic": "", "audience": "", "cancel_message": "",
         "practice_standards": [f"S{n % 8 + 1}", subs[n % len(subs)].number],
         "registration_closes_at": starts + timedelta(days=n * 365 // EVENTS)} for n in range(EVENTS)])
    admin = User(email="bench-ae-admin@example.org", name="Site admin", password_hash=password_hash,
                 confirmed_at=now, created_at=now)
    db.session.add(admin)
    db.session.flush()
    db.session.add(Grant(user_id=admin.id, role=Role.ADMIN))
    db.session.commit()
    return users[0], measured.id



def measure(database_url: str, password_hash: str, log) -> dict[str, float]:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    try:
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            user_id, assessment_id = _seed(password_hash)
            log(f"  seeded {AGENCIES} agencies' shared assessments and {EVENTS} tagged workshops in "
                f"{time.perf_counter() - started:.1f} s")
        # One application context per signed-in person: Flask-Login keeps the user in `g` for the context.
        with app.app_context():
            client = app.test_client()
            client.post("/sign-in", data={"email": db.session.get(User, user_id).email, "password": PASSWORD})
            path = f"/self-assessments/{assessment_id}/summary"
            assert client.get(path).status_code == 200
            figures = {"assessment_summary_p95_ms": p95_of_calls(lambda: client.get(path), PAGE_LOADS)}
            assessment = db.session.get(SelfAssessment, assessment_id)
            figures["assessment_xlsx_export_ms"] = p95_of_calls(
                lambda: assessment_xlsx(assessment, current_edition()), EXPORTS)
        with app.app_context():
            admin = app.test_client()
            admin.post("/sign-in", data={"email": "bench-ae-admin@example.org", "password": PASSWORD})
            response = admin.get("/self-assessments/aggregate")
            assert response.status_code == 200 and f"{AGENCIES} agencies" in response.get_data(as_text=True)
            figures["aggregate_p95_ms"] = p95_of_calls(lambda: admin.get("/self-assessments/aggregate"), PAGE_LOADS)
        return figures
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
