"""Adoption England's view: the latest shared, completed assessment of each agency, ratings only, counted per
sub-standard and region. Never an agency's comments or actions, nor its name."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ep_events.accounts.models import Grant, Role
from ep_events.assessments.models import AssessmentEntry, AssessmentStatus, Rating, SelfAssessment
from ep_events.core.audit import record_audit
from ep_events.core.spreadsheets import csv_bytes
from ep_events.extensions import db
from ep_events.organisations.models import REGIONS, Organisation
from ep_events.programmes.models import Programme
from ep_events.standards import current_edition


def may_see_aggregate(user) -> bool:
    """Site admins, and organisers of a programme marked as Adoption England's (`Programme.standards_aggregate`)."""
    if not (user and user.is_authenticated):
        return False
    if user.is_admin:
        return True
    return db.session.execute(select(Grant.id).join(Programme, Programme.id == Grant.programme_id).where(
        Grant.user_id == user.id, Grant.role == Role.ORGANISER, Programme.standards_aggregate.is_(True))
    ).first() is not None


@dataclass
class SubStandardCounts:
    red: int = 0
    amber: int = 0
    green: int = 0


@dataclass
class Aggregate:
    agencies: int
    regions: list[str]
    agencies_by_region: dict[str, int]
    # counts[number][region] and totals[number]
    counts: dict[str, dict[str, SubStandardCounts]] = field(default_factory=dict)
    totals: dict[str, SubStandardCounts] = field(default_factory=dict)


def _latest_shared():
    """Each agency's latest shared, completed assessment (against the current edition): ids and regions."""
    ranked = select(SelfAssessment.id.label("id"), Organisation.region.label("region"),
                    func.row_number().over(partition_by=SelfAssessment.organisation_id,
                                           order_by=(SelfAssessment.completed_at.desc(), SelfAssessment.id.desc()))
                    .label("n")).join(Organisation, Organisation.id == SelfAssessment.organisation_id).where(
        SelfAssessment.status == AssessmentStatus.COMPLETED, SelfAssessment.shared.is_(True),
        SelfAssessment.edition == current_edition().key).subquery()
    return select(ranked.c.id, ranked.c.region).where(ranked.c.n == 1).subquery()


def aggregate_ratings(region: str | None = None) -> Aggregate:
    """Per sub-standard, how many agencies rate it red, amber and green, per region and in all (one statement
    for the counts)."""
    latest = _latest_shared()
    where = [latest.c.region == region] if region else []
    agencies = dict(db.session.execute(select(latest.c.region, func.count()).where(*where)
                                       .group_by(latest.c.region)).all())
    rows = db.session.execute(
        select(AssessmentEntry.number, latest.c.region, AssessmentEntry.rating, func.count())
        .join(latest, latest.c.id == AssessmentEntry.assessment_id)
        .where(AssessmentEntry.rating.is_not(None), *where)
        .group_by(AssessmentEntry.number, latest.c.region, AssessmentEntry.rating)).all()
    regions = [r for r in REGIONS if r in agencies] + sorted(r for r in agencies if r not in REGIONS)
    result = Aggregate(agencies=sum(agencies.values()), regions=regions, agencies_by_region=agencies)
    for sub in current_edition().substandards:
        result.counts[sub.number] = {r: SubStandardCounts() for r in regions}
        result.totals[sub.number] = SubStandardCounts()
    for number, row_region, rating, count in rows:
        if number not in result.counts:
            continue
        name = Rating(rating).value if not isinstance(rating, Rating) else rating.value
        cell = result.counts[number].setdefault(row_region, SubStandardCounts())
        setattr(cell, name, getattr(cell, name) + count)
        total = result.totals[number]
        setattr(total, name, getattr(total, name) + count)
    return result


def aggregate_csv(result: Aggregate) -> bytes:
    """One row per sub-standard and region (and "All regions"): agencies red, amber, green."""
    header = ["Standard", "Sub-standard", "Region", "Agencies red", "Agencies amber", "Agencies green",
              "Agencies sharing"]
    rows = []
    for sub in current_edition().substandards:
        for region in result.regions:
            c = result.counts[sub.number][region]
            rows.append([sub.standard_code, sub.number, region, c.red, c.amber, c.green,
                         result.agencies_by_region.get(region, 0)])
        t = result.totals[sub.number]
        rows.append([sub.standard_code, sub.number, "All regions", t.red, t.amber, t.green, result.agencies])
    return csv_bytes(header, rows)


def mark_aggregate_programme(programme: Programme, sees: bool) -> None:
    """Mark (or unmark) a programme as Adoption England's: its organisers see the shared ratings."""
    programme.standards_aggregate = bool(sees)
    db.session.flush()
    record_audit(None, "programme.update", programme,
                 f"{programme.name}: its organisers {'see' if sees else 'no longer see'} the shared practice "
                 "standards ratings")
