"""Who may work on an agency's self-assessments, and the rules of starting, rating, completing and copying one."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ep_events.accounts.models import Grant, Role, User
from ep_events.assessments.models import (
    ACTION_MAX,
    COMMENTS_MAX,
    NAME_MAX,
    OWNER_ROLE_MAX,
    AssessmentDelegate,
    AssessmentEntry,
    AssessmentStatus,
    Rating,
    SelfAssessment,
)
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR, has_forbidden_character
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.standards import Edition, Standard, current_edition, edition


class AssessmentCompleted(DomainError):
    def __init__(self):
        super().__init__("This self-assessment is completed, so it cannot be changed. Start the next one as a copy.")


# -- who may ------------------------------------------------------------------------------------------------------

def is_agency_admin(user, organisation) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.AGENCY_ADMIN, organisation=organisation))


def is_delegate(user, organisation) -> bool:
    if not (user and user.is_authenticated) or user.organisation_id != organisation.id:
        return False
    found = db.session.execute(select(AssessmentDelegate.id).where(
        AssessmentDelegate.organisation_id == organisation.id, AssessmentDelegate.user_id == user.id)).first()
    return found is not None


def may_work_on(user, organisation) -> bool:
    """The agency's admins and the colleagues they delegated to read and write its self-assessments; nobody
    else, site admins and organisers included (an agency's own view of its practice is its own)."""
    return is_agency_admin(user, organisation) or is_delegate(user, organisation)


def agencies_for(user) -> list[Organisation]:
    """The agencies whose self-assessments this person works on, by name."""
    if not (user and user.is_authenticated):
        return []
    admin_of = select(Grant.organisation_id).where(Grant.user_id == user.id, Grant.role == Role.AGENCY_ADMIN)
    delegated = select(AssessmentDelegate.organisation_id).where(
        AssessmentDelegate.user_id == user.id, AssessmentDelegate.organisation_id == user.organisation_id)
    return list(db.session.execute(select(Organisation).where(
        Organisation.id.in_(admin_of.union(delegated))).order_by(Organisation.name)).scalars())


def _require_work_on(actor, organisation) -> None:
    if not may_work_on(actor, organisation):
        raise NotAllowed("Only the agency's admins and the colleagues they choose can work on its self-assessments")


def _require_open(assessment: SelfAssessment) -> None:
    if assessment.is_completed:
        raise AssessmentCompleted()


def edition_of(assessment: SelfAssessment) -> Edition:
    return edition(assessment.edition) or current_edition()


# -- starting ---------------------------------------------------------------------------------------------------

def local_authorities_for(organisation: Organisation) -> list[Organisation]:
    """The local authorities an assessment can be for: those in the agency's region (the agency itself if it is one)."""
    return list(db.session.execute(select(Organisation).where(
        Organisation.kind == OrganisationKind.LOCAL_AUTHORITY, Organisation.region == organisation.region)
        .order_by(Organisation.name)).scalars())


def start_assessment(actor, organisation: Organisation, local_authority: Organisation | None = None,
                     now: datetime | None = None) -> SelfAssessment:
    """A new assessment in progress against the current edition, every sub-standard unrated."""
    _require_work_on(actor, organisation)
    if local_authority is not None and local_authority not in local_authorities_for(organisation):
        raise DomainError(f"Choose a local authority in {organisation.region}", field="local_authority")
    standards = current_edition()
    assessment = SelfAssessment(organisation=organisation, local_authority=local_authority, edition=standards.key,
                                started_by_id=actor.id, created_at=now or utcnow(),
                                entries=[AssessmentEntry(number=sub.number) for sub in standards.substandards])
    db.session.add(assessment)
    db.session.flush()
    record_audit(actor, "assessment.start", assessment, f"{organisation.name}: {assessment.title}")
    return assessment


def copy_assessment(actor, assessment: SelfAssessment, now: datetime | None = None) -> SelfAssessment:
    """The next assessment, in progress, starting from this one's ratings, comments and actions (against the
    current edition: sub-standards it no longer has are left behind, new ones start unrated)."""
    _require_work_on(actor, assessment.organisation)
    standards = current_edition()
    before = {entry.number: entry for entry in assessment.entries}
    entries = []
    for sub in standards.substandards:
        old = before.get(sub.number)
        entries.append(AssessmentEntry(number=sub.number) if old is None else AssessmentEntry(
            number=sub.number, rating=old.rating, comments=old.comments, action=old.action,
            action_owner_role=old.action_owner_role, action_due_on=old.action_due_on))
    copy = SelfAssessment(organisation_id=assessment.organisation_id, local_authority_id=assessment.local_authority_id,
                          edition=standards.key, started_by_id=actor.id, copied_from_id=assessment.id,
                          created_at=now or utcnow(), entries=entries)
    db.session.add(copy)
    db.session.flush()
    record_audit(actor, "assessment.copy", copy, f"{assessment.organisation.name}: copied assessment {assessment.id}")
    return copy


# -- rating -----------------------------------------------------------------------------------------------------

def field_prefix(number: str) -> str:
    """The form fields of one sub-standard are named s2_10_rating, s2_10_comments …"""
    return f"s{number.replace(".", "_")}_"


@dataclass(frozen=True)
class EntryInput:
    """What was entered for one sub-standard (strings as typed; the rating as its value or "")."""

    rating: str = ""
    comments: str = ""
    action: str = ""
    action_owner_role: str = ""
    action_due_on: date | None = None


def _text(value: str, longest: int, what: str, field: str) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > longest:
        raise DomainError(f"{what} must be {longest:,} characters or fewer", field=field)
    if has_forbidden_character(value):
        raise DomainError(f"{what} contains a character that cannot be saved", field=field)
    return value


def checked_entry(number: str, given: EntryInput, field_prefix: str = "") -> dict:
    """The entry's column values from what was entered; DomainError naming the sub-standard and field."""
    try:
        rating = Rating(given.rating) if given.rating else None
    except ValueError:
        raise DomainError(f"{number}: choose red, amber or green", field=f"{field_prefix}rating") from None
    values = {
        "rating": rating,
        "comments": _text(given.comments, COMMENTS_MAX, f"{number}: the comments", f"{field_prefix}comments"),
        "action": _text(given.action, ACTION_MAX, f"{number}: the action", f"{field_prefix}action"),
        "action_owner_role": _text(given.action_owner_role, OWNER_ROLE_MAX, f"{number}: the action owner's role",
                                   f"{field_prefix}owner"),
        "action_due_on": given.action_due_on,
    }
    due = given.action_due_on
    if due is not None and not EARLIEST_YEAR <= due.year <= LATEST_YEAR:
        raise DomainError(f"{number}: enter a due date in the years {EARLIEST_YEAR} to {LATEST_YEAR}",
                          field=f"{field_prefix}due")
    if (values["action_owner_role"] or due) and not values["action"]:
        raise DomainError(f"{number}: describe the action, or remove its owner and due date",
                          field=f"{field_prefix}action")
    return values


def save_standard(actor, assessment: SelfAssessment, standard: Standard, given: dict[str, EntryInput]) -> None:
    """Save what was entered for the standard's sub-standards; all or nothing; refused once completed."""
    _require_work_on(actor, assessment.organisation)
    _require_open(assessment)
    checked = {sub.number: checked_entry(sub.number, given[sub.number], field_prefix=field_prefix(sub.number))
               for sub in standard.substandards if sub.number in given}
    replace_entries(actor, assessment, checked)


def replace_entries(actor, assessment: SelfAssessment, values_by_number: dict[str, dict]) -> None:
    """Put checked values (from `checked_entry`) on the assessment's entries: a standard's page, or an imported
    spreadsheet; refused once completed."""
    _require_work_on(actor, assessment.organisation)
    _require_open(assessment)
    by_number = {entry.number: entry for entry in assessment.entries}
    for number, values in values_by_number.items():
        entry = by_number.get(number)
        if entry is None:
            entry = AssessmentEntry(number=number)
            assessment.entries.append(entry)
        for name, value in values.items():
            setattr(entry, name, value)
    db.session.flush()


def standard_status(assessment: SelfAssessment, standard: Standard) -> str:
    """The task list's status: "Not started", "In progress" or "Completed" (every sub-standard rated)."""
    by_number = {entry.number: entry for entry in assessment.entries}
    entries = [by_number.get(sub.number) for sub in standard.substandards]
    rated = sum(1 for entry in entries if entry is not None and entry.rating is not None)
    touched = any(entry is not None and (entry.rating or entry.comments or entry.action) for entry in entries)
    if rated == len(entries):
        return "Completed"
    return "In progress" if touched else "Not started"


# -- completing, sharing ------------------------------------------------------------------------------------------

def complete_assessment(actor, assessment: SelfAssessment, completer_name: str, completer_job_title: str,
                        shared: bool, now: datetime | None = None) -> None:
    """Completed when every sub-standard has a rating, with who completed it; read-only from then on."""
    _require_work_on(actor, assessment.organisation)
    _require_open(assessment)
    name = _text(completer_name, NAME_MAX, "The name", "completer_name")
    job = _text(completer_job_title, NAME_MAX, "The job title", "completer_job_title")
    if not name:
        raise DomainError("Enter the name of the person completing the self-assessment", field="completer_name")
    if not job:
        raise DomainError("Enter their job title", field="completer_job_title")
    standards = edition_of(assessment)
    rated = {entry.number for entry in assessment.entries if entry.rating is not None}
    missing = [s for s in standards.standards if any(sub.number not in rated for sub in s.substandards)]
    if missing:
        names = ", ".join(s.code for s in missing)
        raise DomainError(f"Rate every sub-standard before completing: {names} still have sub-standards without "
                          "a rating", field="completer_name")
    assessment.completer_name, assessment.completer_job_title = name, job
    assessment.shared = bool(shared)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = now or utcnow()
    db.session.flush()
    record_audit(actor, "assessment.complete", assessment, f"{assessment.organisation.name}: {assessment.title}"
                 f"{' (shared with Adoption England)' if assessment.shared else ''}")


def set_sharing(actor, assessment: SelfAssessment, shared: bool) -> None:
    """Share (or stop sharing) the ratings with Adoption England's aggregate: consent, not content, so it can be
    changed after completion; comments and actions are never shared."""
    _require_work_on(actor, assessment.organisation)
    assessment.shared = bool(shared)
    db.session.flush()
    record_audit(actor, "assessment.share" if shared else "assessment.unshare", assessment,
                 f"{assessment.organisation.name}: {assessment.title}")


# -- delegating ---------------------------------------------------------------------------------------------------

def colleagues_of(organisation: Organisation) -> list[User]:
    return list(db.session.execute(select(User).where(User.organisation_id == organisation.id)
                                   .order_by(User.name, User.id)).scalars())


def delegates_of(organisation: Organisation) -> list[AssessmentDelegate]:
    return list(db.session.execute(select(AssessmentDelegate).where(
        AssessmentDelegate.organisation_id == organisation.id).order_by(AssessmentDelegate.id)).scalars())


def delegate_colleague(actor, organisation: Organisation, colleague: User) -> AssessmentDelegate:
    """Let a colleague at the agency read and write its self-assessments (agency admins only)."""
    if not is_agency_admin(actor, organisation):
        raise NotAllowed("Only the agency's admins can choose who works on its self-assessments")
    if colleague.organisation_id != organisation.id:
        raise DomainError(f"Choose a colleague at {organisation.name}", field="colleague")
    found = db.session.execute(select(AssessmentDelegate).where(
        AssessmentDelegate.organisation_id == organisation.id, AssessmentDelegate.user_id == colleague.id)
    ).scalar_one_or_none()
    if found is not None:
        return found
    delegate = AssessmentDelegate(organisation_id=organisation.id, user_id=colleague.id, granted_by_id=actor.id)
    db.session.add(delegate)
    db.session.flush()
    record_audit(actor, "assessment.delegate", colleague, f"{organisation.name}: {colleague.name}")
    return delegate


def remove_delegate(actor, organisation: Organisation, delegate: AssessmentDelegate) -> None:
    if not is_agency_admin(actor, organisation):
        raise NotAllowed("Only the agency's admins can choose who works on its self-assessments")
    record_audit(actor, "assessment.undelegate", delegate.user, f"{organisation.name}: {delegate.user.name}")
    db.session.delete(delegate)
    db.session.flush()
