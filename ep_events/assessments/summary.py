"""What an assessment says: counts per standard (with an accessible chart), what to book next, what moved
between two assessments, and the actions due soon."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from ep_events.accounts.models import Grant, Role
from ep_events.assessments.assessments import edition_of
from ep_events.assessments.models import AssessmentDelegate, AssessmentEntry, Rating, SelfAssessment
from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import Event, EventStatus
from ep_events.extensions import db
from ep_events.standards import Standard, SubStandard

SUGGESTED_EVENTS_MAX = 3  # upcoming events listed per sub-standard
UPCOMING_EVENTS_READ = 200  # published events to come read for suggestions (a year's programmes)
ACTIONS_AHEAD_DAYS = 14


@dataclass
class StandardCounts:
    standard: Standard
    red: int = 0
    amber: int = 0
    green: int = 0
    unrated: int = 0

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green + self.unrated


def rating_counts(assessment: SelfAssessment) -> list[StandardCounts]:
    """Red, amber, green and not yet rated, per standard of the assessment's edition."""
    standards = edition_of(assessment)
    ratings = {entry.number: entry.rating for entry in assessment.entries}
    counts = []
    for standard in standards.standards:
        row = StandardCounts(standard)
        for sub in standard.substandards:
            rating = ratings.get(sub.number)
            name = rating.value if rating is not None else "unrated"
            setattr(row, name, getattr(row, name) + 1)
        counts.append(row)
    return counts


# The GOV.UK colours for the bars; each segment also carries its count as text, and the legend its name, so
# colour is never the only way to tell them apart.
BAR_COLOURS = (("red", "#d4351c", "#ffffff"), ("amber", "#ffdd00", "#0b0c0c"), ("green", "#00703c", "#ffffff"),
               ("unrated", "#b1b4b6", "#0b0c0c"))
BAR_NAMES = {"red": "Red", "amber": "Amber", "green": "Green", "unrated": "Not rated"}


def chart_svg(counts: list[StandardCounts], chart_id: str = "rag-chart") -> Markup:
    """A stacked bar per standard, drawn on the server (no script), labelled for screen readers; the page's
    table gives the same figures."""
    row_height, label_width, bar_width, top = 34, 60, 480, 40
    longest = max((c.total for c in counts), default=1) or 1
    height = top + row_height * len(counts) + 10
    width = label_width + bar_width + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="app-rag-chart" viewBox="0 0 {width} {height}"'
             f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false"'
             ' font-family="arial, sans-serif">',
             f'<title id="{chart_id}-title">Ratings per standard</title>',
             f'<desc id="{chart_id}-desc">{escape(chart_description(counts))}</desc>']
    x = label_width
    for name, fill, ink in BAR_COLOURS:  # the legend
        parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{fill}" stroke="#0b0c0c" stroke-width="1"/>'
                     f'<text x="{x + 20}" y="20" font-size="14" fill="#0b0c0c">{BAR_NAMES[name]}</text>')
        x += 110
    for i, row in enumerate(counts):
        y = top + i * row_height
        parts.append(f'<text x="0" y="{y + 20}" font-size="16" font-weight="bold" fill="#0b0c0c">'
                     f'{row.standard.code}</text>')
        x = label_width
        for name, fill, ink in BAR_COLOURS:
            value = getattr(row, name)
            if not value:
                continue
            width = bar_width * value / longest
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="26" fill="{fill}" '
                         'stroke="#ffffff" stroke-width="1"/>')
            if width >= 18:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{y + 20}" font-size="14" text-anchor="middle" '
                             f'fill="{ink}">{value}</text>')
            x += width
    parts.append("</svg>")
    # Safe: every value drawn in is a number, a constant, a standard's code from the reference data, or escaped.
    return Markup("".join(parts))  # nosec B704


def chart_description(counts: list[StandardCounts]) -> str:
    return "; ".join(f"{c.standard.code}: {c.red} red, {c.amber} amber, {c.green} green"
                     + (f", {c.unrated} not rated" if c.unrated else "") for c in counts) + "."


@dataclass
class Suggestion:
    """A red or amber sub-standard with the toolkit's resources and the events to come tagged with it."""

    substandard: SubStandard
    rating: Rating
    events: list = field(default_factory=list)  # (title, url, starts_at)


def what_to_book_next(assessment: SelfAssessment, now: datetime) -> list[Suggestion]:
    """For each red then amber sub-standard: its resources, and up to three published events to come tagged
    with it or with its standard (the earliest first)."""
    standards = edition_of(assessment)
    weak = sorted((entry for entry in assessment.entries if entry.rating in (Rating.RED, Rating.AMBER)),
                  key=lambda e: (e.rating.rank, _number_key(e.number)))
    if not weak:
        return []
    # The tags of the events to come, read as plain rows; only the events suggested are loaded whole.
    rows = db.session.execute(
        select(Event.id, Event.starts_at, Event.practice_standards)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id).limit(UPCOMING_EVENTS_READ)).all()
    tagged: dict[str, list] = {}
    for event_id, starts_at, codes in rows:
        for code in codes or ():
            tagged.setdefault(code, []).append((starts_at, event_id))
    chosen = []
    for entry in weak:
        sub = standards.substandard(entry.number)
        if sub is None:
            continue
        ids = sorted(set(tagged.get(sub.number, [])) | set(tagged.get(sub.standard_code, [])))
        chosen.append((entry, sub, [event_id for _, event_id in ids[:SUGGESTED_EVENTS_MAX]]))
    wanted = {event_id for _, _, ids in chosen for event_id in ids}
    links = {}
    if wanted:
        events = db.session.execute(select(Event).where(Event.id.in_(wanted))
                                    .options(joinedload(Event.programme))).scalars().all()
        links = {event.id: _event_link(event) for event in events}
    return [Suggestion(sub, entry.rating, [links[i] for i in ids if i in links]) for entry, sub, ids in chosen]


def _event_link(event: Event) -> tuple[str, str, datetime]:
    spec = kind_for(event.programme.kind)
    if spec is None:
        return event.title, "", event.starts_at
    return spec.public_title(event), spec.event_url(event), event.starts_at


def _number_key(number: str) -> tuple[int, int]:
    major, _, minor = number.partition(".")
    return int(major), int(minor or 0)


@dataclass
class Movement:
    substandard: SubStandard
    before: Rating | None
    after: Rating | None

    @property
    def direction(self) -> str:
        """"up", "down", "same" (or "new"/"not rated" where one side has no rating)."""
        if self.before is None or self.after is None:
            return "same" if self.before is self.after else ("new" if self.before is None else "not rated")
        if self.after.rank > self.before.rank:
            return "up"
        return "down" if self.after.rank < self.before.rank else "same"


def compare(earlier: SelfAssessment, later: SelfAssessment) -> list[Movement]:
    """Each sub-standard of the later assessment's edition, with both ratings."""
    before = {entry.number: entry.rating for entry in earlier.entries}
    after = {entry.number: entry.rating for entry in later.entries}
    return [Movement(sub, before.get(sub.number), after.get(sub.number))
            for sub in edition_of(later).substandards]


@dataclass
class DueAction:
    entry: AssessmentEntry
    assessment: SelfAssessment
    overdue: bool


def actions_due(user, today: date, days: int = ACTIONS_AHEAD_DAYS) -> list[DueAction]:
    """Actions of the person's agencies' assessments due in the next `days` days, and the overdue ones (of
    assessments completed, or in progress), soonest first."""
    if not (user and user.is_authenticated):
        return []
    admin_of = select(Grant.organisation_id).where(Grant.user_id == user.id, Grant.role == Role.AGENCY_ADMIN)
    delegated = select(AssessmentDelegate.organisation_id).where(
        AssessmentDelegate.user_id == user.id, AssessmentDelegate.organisation_id == user.organisation_id)
    # An assessment carried on as a copy hands its actions to the copy: listed once, from the newest.
    copied = aliased(SelfAssessment)
    rows = db.session.execute(
        select(AssessmentEntry, SelfAssessment).join(SelfAssessment)
        .where(SelfAssessment.organisation_id.in_(admin_of.union(delegated)), AssessmentEntry.action != "",
               ~select(copied.id).where(copied.copied_from_id == SelfAssessment.id).exists(),
               AssessmentEntry.action_due_on.is_not(None), AssessmentEntry.action_due_on <= today + timedelta(days))
        .order_by(AssessmentEntry.action_due_on, AssessmentEntry.id).limit(50)).all()
    return [DueAction(entry, assessment, entry.action_due_on < today) for entry, assessment in rows]
