"""Drafts waiting after an event: one CPD record per attended place, pre-filled from the event.

Attendance is marked in several places (a surgery's facilitator page, Network Day and workshop attendance,
the Teams import); none of them calls CPD. Instead a scheduled, idempotent job (`flask create-cpd-drafts`,
also run by `send-cpd-nudges`) finds attended places without a record, drafts them and queues one email
each (`make run` runs it every few seconds, production every minute). Pages only read: a GET never drafts. The
record's `place_id` is unique, so two runs drafting the same place at once make one record.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ep_events.accounts.models import User
from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import Attendance, Event, Place, PlaceStatus
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.cpd import emails
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.records import CPD_TYPES
from ep_events.cpd.years import uk_day
from ep_events.extensions import db
from ep_events.standards import validate_codes

# Attendance older than this when the job first sees it gets a draft but no email (the day the job is
# first run, years of past attendance would otherwise all be emailed at once).
EMAIL_WITHIN_DAYS = 30


def event_title(event: Event) -> str:
    """The event's name as the public listings give it ("Practice surgery: Tuesday 16 June 2026 – AM")."""
    kind = kind_for(event.programme.kind)
    return (kind.public_title(event) if kind else "") or event.title or event.programme.name


def event_cpd_type(event: Event) -> str:
    kind = kind_for(event.programme.kind)
    cpd_type = getattr(kind, "cpd_type", "") if kind else ""
    return cpd_type if cpd_type in CPD_TYPES else "Other"


def event_standards(event: Event, more: list[str] = ()) -> list[str]:
    """The event's practice standards, and `more` (those the place brings: a surgery's booked theme), that the
    current edition knows (an unknown code is left out)."""
    known = []
    for code in [*(getattr(event, "practice_standards", None) or []), *more]:
        try:
            known.extend(validate_codes([code]))
        except DomainError:
            continue
    return list(validate_codes(known)) if known else []


def minutes_of(place: Place) -> int:
    """Minutes attended where they were recorded, else the length of the person's place."""
    if place.attended_minutes:
        return place.attended_minutes
    return max(1, int((place.ends_at - place.starts_at).total_seconds() // 60))


def place_standards(places: list[Place]) -> dict[int, list[str]]:
    """Per place id, the practice standards its kind says the place brings beyond its event's (a surgery booking's
    theme), one call per kind (the kind's optional `place_standards`)."""
    by_kind: dict[str, list[int]] = {}
    for place in places:
        by_kind.setdefault(place.event.programme.kind, []).append(place.id)
    found: dict[int, list[str]] = {}
    for key, place_ids in by_kind.items():
        if (standards_of := getattr(kind_for(key), "place_standards", None)) is not None:
            found.update(standards_of(place_ids))
    return found


def draft_for(place: Place, now: datetime, more_standards: list[str] = ()) -> CpdRecord:
    event = place.event
    return CpdRecord(user_id=place.user_id, place_id=place.id, status=RecordStatus.DRAFT,
                     cpd_type=event_cpd_type(event), title=event_title(event)[:200],
                     programme_name=event.programme.name, activity_date=uk_day(place.starts_at),
                     duration_minutes=minutes_of(place), practice_standards=event_standards(event, more_standards),
                     description="", learning="", impact="", peer_role="", peer_learning="",
                     has_peer_reflection=False, updated_at=now)


def _attended_without_record(user_id: int | None = None, limit: int | None = None):
    query = (select(Place).outerjoin(CpdRecord, CpdRecord.place_id == Place.id)
             .where(Place.attendance == Attendance.ATTENDED, Place.status == PlaceStatus.CONFIRMED,
                    Place.user_id.is_not(None), CpdRecord.id.is_(None))
             .options(joinedload(Place.event).joinedload(Event.programme), joinedload(Place.user))
             .order_by(Place.id))
    if user_id is not None:
        query = query.where(Place.user_id == user_id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).unique().scalars())


def _insert(record: CpdRecord) -> bool:
    """Add one draft in a savepoint: False if another process drafted the same place first."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return False
    return True


def draft_own_records(user, now: datetime | None = None) -> int:
    """Draft the person's records for events they attended that have none yet, without an email (the demo data
    uses it). Returns how many were drafted."""
    now = now or utcnow()
    places = _attended_without_record(user.id)
    more = place_standards(places)
    return sum(_insert(draft_for(place, now, more.get(place.id, []))) for place in places)


def create_cpd_drafts(now: datetime | None = None, batch: int = 500) -> int:
    """The scheduled job: draft a record for every attended place without one, and email each person once per
    draft (unless they opted out, or the attendance is older than EMAIL_WITHIN_DAYS). Commits each batch;
    running it twice drafts and emails nothing twice."""
    now = now or utcnow()
    made = 0
    while True:
        places = _attended_without_record(limit=batch)
        if not places:
            return made
        more = place_standards(places)
        for place in places:
            record = draft_for(place, now, more.get(place.id, []))
            if not _insert(record):
                continue
            made += 1
            user: User = place.user
            recent = place.ends_at >= now - timedelta(days=EMAIL_WITHIN_DAYS)
            if user.cpd_emails and user.is_confirmed and recent:
                emails.send_draft_waiting(user, record)
                record.emailed_at = now
        db.session.flush()
        db.session.commit()
