"""Demo CPD for the demo practitioner: two complete reflections this registration year (one with a peer
reflection), a draft waiting from the surgery they attended, and a record from last year. Dates are relative to
today. Running it twice adds nothing."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ep_events.core.time import utcnow
from ep_events.cpd.drafts import draft_own_records
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.records import RecordAnswers, save_record
from ep_events.cpd.years import current_year, uk_day
from ep_events.extensions import db

REFLECTION = {
    "description": "A practice session on early permanence planning, relevant to the babies with a plan for EP "
                   "that my team is family finding for.",
    "learning": "How to explain concurrent planning to prospective carers so they understand both outcomes.",
    "impact": "I will talk to carers about family time and a possible return home earlier in the assessment, so "
              "babies placed with them have a steadier start.",
}


def load_cpd_demo(practitioner, now: datetime | None = None) -> None:
    """Give the demo practitioner their CPD: the drafts from events they attended, two completed this year, one
    last year. The draft from a practice surgery is left waiting."""
    now = now or utcnow()
    if db.session.execute(select(func.count(CpdRecord.id)).where(CpdRecord.user_id == practitioner.id,
                                                                   CpdRecord.place_id.is_(None))).scalar_one():
        return
    draft_own_records(practitioner, now)
    db.session.flush()
    drafts = list(db.session.execute(select(CpdRecord).where(CpdRecord.user_id == practitioner.id,
                                                             CpdRecord.status == RecordStatus.DRAFT)).scalars())
    # The workshop they attended is written up; any surgery draft stays waiting.
    for record in drafts:
        if record.cpd_type == "Workshop/webinar":
            save_record(practitioner, record, RecordAnswers(**{**RecordAnswers.of(record).__dict__, **REFLECTION}),
                        complete=True, now=now)
    today = uk_day(now)
    year = current_year(now)
    this_year = [max(year.first_day, today - timedelta(days=days)) for days in (5, 1)]
    save_record(practitioner, None, RecordAnswers(
        cpd_type="Reading or research", title="Reading: the Early Permanence good practice guide",
        activity_date=this_year[0], duration_minutes=120, practice_standards=("S1", "1.2"), **REFLECTION),
        complete=True, now=now)
    save_record(practitioner, None, RecordAnswers(
        cpd_type="Supervision or reflective discussion", title="Group supervision on a fostering for adoption case",
        activity_date=this_year[1], duration_minutes=90, has_peer_reflection=True,
        peer_role="Senior practitioner in the adoption team",
        peer_learning="Hearing how another team prepares carers for contact changed how I will plan it.",
        practice_standards=("S4",), **REFLECTION), complete=True, now=now)
    save_record(practitioner, None, RecordAnswers(
        cpd_type="Course or training", title="Course: assessing dually approved carers",
        activity_date=_last_year(year.first_day), duration_minutes=360, **REFLECTION), complete=True, now=now)
    db.session.flush()


def _last_year(first_day: date) -> date:
    return first_day - timedelta(days=30)
