"""CPD records: the reflections a person writes, in the fields of Social Work England's CPD form.

A record is private to its author: every read here takes the person and finds only their own records.
After an event they attended, a draft waits for them, pre-filled from the event (drafts.py makes them);
they can also add CPD done elsewhere. Saving keeps a draft; marking complete needs every field the form
asks for, and for a peer reflection, the peer's role and what they learnt from the discussion.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from ep_events.bookings.models import Event, Place
from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, has_forbidden_character
from ep_events.core.time import utcnow
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.years import RegistrationYear, uk_day
from ep_events.extensions import db
from ep_events.standards import validate_codes

# The types of CPD on Social Work England's form, and "Other".
CPD_TYPES = ("Peer learning session", "Workshop/webinar", "Network event", "Course or training", "Conference",
             "Supervision or reflective discussion", "Reading or research", "Other")
TITLE_MAX = 200
PEER_ROLE_MAX = 200
TEXT_MAX = 5000
LONGEST_MINUTES = 60 * 24 * 5  # a five-day course

# The boxes in the order of the form, with the name each is known by in messages.
TEXT_FIELDS = {
    "description": "The description and why it is relevant",
    "learning": "What you learnt",
    "impact": "The impact on your practice",
    "peer_learning": "What you learnt from discussing it with a peer",
}


@dataclass(frozen=True)
class RecordAnswers:
    """What the person typed, in the order of the Social Work England form."""

    cpd_type: str = ""
    title: str = ""
    activity_date: date | None = None
    duration_minutes: int | None = None
    description: str = ""
    learning: str = ""
    impact: str = ""
    has_peer_reflection: bool = False
    peer_role: str = ""
    peer_learning: str = ""
    practice_standards: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, record: CpdRecord) -> "RecordAnswers":
        return cls(cpd_type=record.cpd_type, title=record.title, activity_date=record.activity_date,
                   duration_minutes=record.duration_minutes, description=record.description,
                   learning=record.learning, impact=record.impact, has_peer_reflection=record.has_peer_reflection,
                   peer_role=record.peer_role, peer_learning=record.peer_learning,
                   practice_standards=tuple(record.practice_standards or ()))


# --- Reading (always the person's own) --------------------------------------------------------------------

def own_record(user, record_id: int) -> CpdRecord | None:
    """The record if `user` wrote it; None for anyone else's (shown as not found, whoever asks)."""
    record = db.session.get(CpdRecord, record_id)
    if record is None or user is None or not user.is_authenticated or record.user_id != user.id:
        return None
    return record


def records_in_year(user, year: RegistrationYear) -> list[CpdRecord]:
    """The person's records dated in the year, oldest first (undated drafts are listed by records_to_write)."""
    return list(db.session.execute(
        select(CpdRecord).where(CpdRecord.user_id == user.id, CpdRecord.activity_date >= year.first_day,
                                CpdRecord.activity_date <= year.last_day)
        .order_by(CpdRecord.activity_date, CpdRecord.id)).scalars())


def records_to_write(user) -> list[CpdRecord]:
    """The person's drafts, newest event first: "Reflections to write"."""
    return list(db.session.execute(
        select(CpdRecord).where(CpdRecord.user_id == user.id, CpdRecord.status == RecordStatus.DRAFT)
        .order_by(CpdRecord.activity_date.desc(), CpdRecord.id.desc())).scalars())


def years_with_records(user) -> list[int]:
    """The registration years (by the year they end in) the person has dated records in."""
    days = db.session.execute(select(func.min(CpdRecord.activity_date), func.max(CpdRecord.activity_date))
                              .where(CpdRecord.user_id == user.id)).one()
    if days[0] is None:
        return []
    first = days[0].year + (1 if days[0].month == 12 else 0)
    last = days[1].year + (1 if days[1].month == 12 else 0)
    return list(range(first, last + 1))


@dataclass(frozen=True)
class Progress:
    """Progress against Social Work England's requirement for one registration year: at least two complete
    records, at least one of them with a peer reflection."""

    complete: int
    with_peer_reflection: int
    drafts: int

    REQUIRED = 2

    @property
    def ready(self) -> bool:
        return self.complete >= self.REQUIRED and self.with_peer_reflection >= 1

    @property
    def summary(self) -> str:
        """'2 of 2 records, 1 with peer reflection: ready for renewal'."""
        counted = min(self.complete, self.REQUIRED)
        peer = "1 with peer reflection" if self.with_peer_reflection == 1 else \
            f"{self.with_peer_reflection} with peer reflection"
        head = f"{counted} of {self.REQUIRED} records, {peer}"
        if self.ready:
            return f"{head}: ready for renewal"
        needs = []
        if self.complete < self.REQUIRED:
            more = self.REQUIRED - self.complete
            needs.append(f"{more} more complete record{'' if more == 1 else 's'}")
        if self.with_peer_reflection < 1:
            needs.append("a peer reflection")
        return f"{head}: {' and '.join(needs)} needed"


def progress_of(records: list[CpdRecord]) -> Progress:
    """Counts only complete records (the caller passes one year's); a peer reflection needs its fields."""
    return Progress(complete=sum(1 for r in records if r.is_complete),
                    with_peer_reflection=sum(1 for r in records if r.counts_as_peer_reflection),
                    drafts=sum(1 for r in records if not r.is_complete))


COUNTS_PER_PAGE = 50


@dataclass(frozen=True)
class CountsPage:
    """One page of a programme's past events, newest first, with the complete reflections of each."""

    rows: list  # (event, count)
    page: int
    has_more: bool


def past_event_counts(programme, page: int, now: datetime) -> CountsPage:
    """The programme's events that have started, newest first, COUNTS_PER_PAGE at a time, each with its number of
    complete reflections (two statements, whatever the page)."""
    events = list(db.session.execute(
        select(Event).where(Event.programme_id == programme.id, Event.starts_at <= now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .offset((page - 1) * COUNTS_PER_PAGE).limit(COUNTS_PER_PAGE + 1)).scalars())
    shown = events[:COUNTS_PER_PAGE]
    counts = reflection_counts([event.id for event in shown])
    return CountsPage([(event, counts.get(event.id, 0)) for event in shown], page, len(events) > COUNTS_PER_PAGE)


def reflection_counts(event_ids: list[int]) -> dict[int, int]:
    """Complete reflections per event, for its organisers: a number, never who wrote them or what."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Place.event_id, func.count(CpdRecord.id)).join(CpdRecord, CpdRecord.place_id == Place.id)
        .where(Place.event_id.in_(event_ids), CpdRecord.status == RecordStatus.COMPLETE)
        .group_by(Place.event_id)).all()
    return {event_id: count for event_id, count in rows}


# --- Checking what was typed -------------------------------------------------------------------------------

def _text(value: str, name: str, what: str, longest: int) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if has_forbidden_character(value):
        raise DomainError(f"{what} must not contain control characters", field=name)
    if len(value) > longest:
        raise DomainError(f"{what} must be {longest:,} characters or fewer (it has {len(value):,})", field=name)
    return value


def _standards(codes) -> tuple[str, ...]:
    return validate_codes(list(codes or ()))


def checked_answers(answers: RecordAnswers, today: date) -> RecordAnswers:
    """The answers trimmed and checked (lengths, characters, a real date, known standards), or a DomainError
    naming the field: nothing is saved until every field passes."""
    cpd_type = (answers.cpd_type or "").strip()
    if cpd_type and cpd_type not in CPD_TYPES:
        raise DomainError("Choose the type of CPD from the list", field="cpd_type")
    title = _text(answers.title, "title", "The title", TITLE_MAX)
    day = answers.activity_date
    if day is not None:
        if day > today:
            raise DomainError("The date must be today or in the past", field="activity_date")
        if day.year < EARLIEST_YEAR:
            raise DomainError(f"The date must be in {EARLIEST_YEAR} or later", field="activity_date")
    minutes = answers.duration_minutes
    if minutes is not None and not 1 <= minutes <= LONGEST_MINUTES:
        raise DomainError(f"Enter the time it took in minutes, from 1 to {LONGEST_MINUTES:,}",
                          field="duration_minutes")
    texts = {name: _text(getattr(answers, name), name, what, TEXT_MAX) for name, what in TEXT_FIELDS.items()}
    peer_role = _text(answers.peer_role, "peer_role", "The peer's role", PEER_ROLE_MAX)
    try:
        standards = _standards(answers.practice_standards)
    except DomainError as error:
        raise DomainError(str(error), field="practice_standards") from None
    return RecordAnswers(cpd_type=cpd_type, title=title, activity_date=day, duration_minutes=minutes,
                         has_peer_reflection=bool(answers.has_peer_reflection), peer_role=peer_role,
                         practice_standards=standards, **texts)


def missing_for_completion(answers: RecordAnswers) -> list[tuple[str, str]]:
    """(field, message) for each box the Social Work England form needs that is empty."""
    missing = []
    if not answers.cpd_type:
        missing.append(("cpd_type", "Choose the type of CPD"))
    if not answers.title:
        missing.append(("title", "Enter a title for the CPD"))
    if answers.activity_date is None:
        missing.append(("activity_date", "Enter the date of the CPD"))
    if not answers.description:
        missing.append(("description", "Describe the CPD and why it is relevant to your practice"))
    if not answers.learning:
        missing.append(("learning", "Enter what you learnt"))
    if not answers.impact:
        missing.append(("impact", "Enter the positive impact on your practice and the people you work with"))
    if answers.has_peer_reflection:
        if not answers.peer_role:
            missing.append(("peer_role", "Enter the role of the peer you discussed it with (not their name)"))
        if not answers.peer_learning:
            missing.append(("peer_learning", "Enter what you learnt from discussing it with a peer"))
    return missing


# What looks like a date of birth, a postcode or a phone number: warnings only (a reflection may mention a
# date of a course), so the person checks before saving anything that could identify a child or family.
_WARNINGS = (
    ("a date of birth", re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date of birth|born on)\b|"
                                   r"\b\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?(?:19|20)?\d{2}\b", re.IGNORECASE)),
    ("a postcode", re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)),
    ("a phone number", re.compile(r"(?:\+44\s?\(?0?\)?|\b0)(?:[\s-]?[0-9]){9,10}\b")),
)
WARNED_FIELDS = {"title": "Title", **TEXT_FIELDS, "peer_role": "The peer's role"}


def identifying_warnings(answers: RecordAnswers | CpdRecord) -> list[tuple[str, str]]:
    """(field, message) for each box holding what looks like a date of birth, a postcode or a phone number."""
    found = []
    for name, what in WARNED_FIELDS.items():
        value = getattr(answers, name) or ""
        kinds = [kind for kind, pattern in _WARNINGS if pattern.search(value)]
        if kinds:
            found.append((name, f"{what} may contain {' or '.join(kinds)}. Remove anything that could "
                                "identify a child, family or carer."))
    return found


# --- Changing ----------------------------------------------------------------------------------------------

def _apply(record: CpdRecord, answers: RecordAnswers, now: datetime) -> None:
    for name in ("cpd_type", "title", "activity_date", "duration_minutes", "description", "learning", "impact",
                 "has_peer_reflection", "peer_role", "peer_learning"):
        setattr(record, name, getattr(answers, name))
    record.practice_standards = list(answers.practice_standards)
    record.updated_at = now


def save_record(user, record: CpdRecord | None, answers: RecordAnswers, complete: bool = False,
                now: datetime | None = None) -> CpdRecord:
    """Save the person's record (a new one when `record` is None) as a draft, or as complete when every field
    the form needs is there. Checks everything first: a refused save changes nothing."""
    now = now or utcnow()
    if record is not None and record.user_id != user.id:
        raise DomainError("This CPD record is not yours")
    answers = checked_answers(answers, uk_day(now))
    if complete:
        missing = missing_for_completion(answers)
        if missing:
            name, message = missing[0]
            raise DomainError(f"{message} before marking the record complete", field=name)
    if record is None:
        record = CpdRecord(user_id=user.id)
        db.session.add(record)
    _apply(record, answers, now)
    record.status = RecordStatus.COMPLETE if complete else RecordStatus.DRAFT
    record.completed_at = now if complete else None
    db.session.flush()
    return record


def delete_record(user, record: CpdRecord) -> None:
    """Delete one of the person's own records that they added themselves (drafts from events stay: they
    are the record that the event was attended, and would be drafted again)."""
    if record.user_id != user.id:
        raise DomainError("This CPD record is not yours")
    if record.place_id is not None:
        raise DomainError("A record of an event you attended cannot be deleted. You can leave it as a draft")
    db.session.delete(record)
    db.session.flush()
