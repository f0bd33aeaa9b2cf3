"""Feedback on a workshop from the people registered for it: once it has ended, one response each, which they
can change for 14 days after it ends; then it is read-only.

The ratings are counted for anyone who manages the programme's pages; what people wrote (which may say
something about their cases) is read only by the programme's organisers and by the person who wrote it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.inputs import has_forbidden_character
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import uk_date, uk_datetime, uk_time, utcnow
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopFeedback
from ep_events.workshops.resources import is_registrant

EDITABLE_DAYS = 14
TEXT_MAX = 2000
RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class FeedbackAnswers:
    usefulness: int
    relevance: int
    do_differently: str = ""
    comments: str = ""


def can_read_feedback_text(user, workshop: Workshop) -> bool:
    """The programme's own organisers (not every site admin: the text may describe real cases)."""
    if not (user and user.is_authenticated):
        return False
    return user.has_role(Role.ORGANISER, programme=workshop.programme)


def feedback_opens_at(workshop: Workshop) -> datetime:
    return workshop.ends_at


def feedback_closes_at(workshop: Workshop) -> datetime:
    return workshop.ends_at + timedelta(days=EDITABLE_DAYS)


def feedback_open(workshop: Workshop, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return feedback_opens_at(workshop) <= now < feedback_closes_at(workshop)


def own_feedback(user, workshop: Workshop) -> WorkshopFeedback | None:
    return db.session.execute(select(WorkshopFeedback).where(WorkshopFeedback.workshop_id == workshop.id,
                                                             WorkshopFeedback.user_id == user.id)).scalar_one_or_none()


def _check_text(value: str, field: str, what: str) -> str:
    value = (value or "").strip().replace("\r\n", "\n")
    if len(value) > TEXT_MAX:
        raise DomainError(f"{what} must be {TEXT_MAX} characters or fewer", field=field)
    if has_forbidden_character(value):
        raise DomainError(f"{what} must not contain control characters", field=field)
    return value


def save_feedback(user, workshop: Workshop, answers: FeedbackAnswers, now: datetime | None = None) -> WorkshopFeedback:
    """Record the person's one response (or change it), only if they registered, only once the workshop has
    ended and for EDITABLE_DAYS days after."""
    now = now or utcnow()
    if not is_registrant(user, workshop):
        raise NotAllowed("Only people registered for the workshop can give feedback on it")
    if now < feedback_opens_at(workshop):
        raise DomainError(f"You can give feedback once the workshop has ended, at {uk_time(workshop.ends_at)} on "
                          f"{uk_date(workshop.ends_at)}")
    if now >= feedback_closes_at(workshop):
        raise DomainError(f"Feedback closed on {uk_datetime(feedback_closes_at(workshop))}. Your answers can no "
                          "longer be changed")
    if answers.usefulness not in RATINGS:
        raise DomainError("Choose how useful the workshop was, from 1 to 5", field="usefulness")
    if answers.relevance not in RATINGS:
        raise DomainError("Choose how relevant the workshop was to your practice, from 1 to 5", field="relevance")
    do_differently = _check_text(answers.do_differently, "do_differently", "What you will do differently")
    comments = _check_text(answers.comments, "comments", "Anything else")
    feedback = own_feedback(user, workshop)
    if feedback is None:
        feedback = WorkshopFeedback(workshop_id=workshop.id, user_id=user.id)
        db.session.add(feedback)
    feedback.usefulness = answers.usefulness
    feedback.relevance = answers.relevance
    feedback.do_differently = do_differently
    feedback.comments = comments
    db.session.flush()
    record_audit(user, "workshop.feedback_saved", feedback, workshop.title)
    return feedback


@dataclass
class FeedbackSummary:
    responses: int
    usefulness_average: float | None
    relevance_average: float | None
    usefulness_counts: dict[int, int]
    relevance_counts: dict[int, int]
    registrations: int


def feedback_summary(workshop: Workshop, registrations: int) -> FeedbackSummary:
    """Counts and averages, computed in SQL."""
    row = db.session.execute(select(func.count(WorkshopFeedback.id), func.avg(WorkshopFeedback.usefulness),
                                    func.avg(WorkshopFeedback.relevance))
                             .where(WorkshopFeedback.workshop_id == workshop.id)).one()
    counts = {}
    for column in ("usefulness", "relevance"):
        attr = getattr(WorkshopFeedback, column)
        found = dict(db.session.execute(select(attr, func.count()).where(WorkshopFeedback.workshop_id == workshop.id)
                                        .group_by(attr)).all())
        counts[column] = {rating: found.get(rating, 0) for rating in RATINGS}
    return FeedbackSummary(responses=row[0], usefulness_average=round(float(row[1]), 1) if row[1] is not None else None,
                           relevance_average=round(float(row[2]), 1) if row[2] is not None else None,
                           usefulness_counts=counts["usefulness"], relevance_counts=counts["relevance"],
                           registrations=registrations)


def feedback_responses(workshop: Workshop) -> list[WorkshopFeedback]:
    return list(db.session.execute(select(WorkshopFeedback).where(WorkshopFeedback.workshop_id == workshop.id)
                                   .order_by(WorkshopFeedback.created_at, WorkshopFeedback.id)).scalars())


def feedback_csv(actor, workshop: Workshop) -> bytes:
    """Every response as a spreadsheet-safe CSV (no names: the ratings and what was written)."""
    if not can_read_feedback_text(actor, workshop):
        raise NotAllowed("Only the programme's organisers can download the feedback")
    header = ["Workshop", "Date", "Usefulness (1-5)", "Relevance to practice (1-5)", "What they will do differently",
              "Anything else", "First given on"]
    rows = [[workshop.title, uk_date(workshop.starts_at), f.usefulness, f.relevance, f.do_differently, f.comments,
             uk_datetime(f.created_at)] for f in feedback_responses(workshop)]
    return csv_bytes(header, rows)
