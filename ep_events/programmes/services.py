"""Rules for programmes: slugs are unique and URL-safe; every change is audited."""

import re

from sqlalchemy import select

from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus

FIELDS = ("name", "slug", "kind", "contact_email", "description", "teams_provider", "status")
TEAMS_PROVIDERS = ("manual", "graph")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def list_programmes() -> list[Programme]:
    return list(db.session.execute(select(Programme).order_by(Programme.name)).scalars())


def get_programme_by_slug(slug: str) -> Programme | None:
    return db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()


def get_published_programme_by_slug(slug: str) -> Programme | None:
    """For the public feeds and API, which show no drafts to anyone."""
    programme = get_programme_by_slug(slug)
    return programme if programme is not None and programme.is_published else None


def _check_slug(slug: str, current: Programme | None = None) -> None:
    if not SLUG.match(slug):
        raise DomainError("Slug must use only lower-case letters, numbers and hyphens, like mtc-surgeries",
                          field="slug")
    existing = get_programme_by_slug(slug)
    if existing is not None and existing is not current:
        raise DomainError("A programme with that slug already exists", field="slug")


def _check_provider(teams_provider: str) -> None:
    if teams_provider not in TEAMS_PROVIDERS:
        raise DomainError("Choose how Teams joining links are made", field="teams_provider")


def create_programme(actor, name: str, slug: str, kind: str, contact_email: str,
                     description: str, teams_provider: str = "manual") -> Programme:
    """Create a programme with a unique slug, as a draft (only admins and its organisers see it), audited."""
    slug = slug.strip().lower()
    _check_slug(slug)
    _check_provider(teams_provider)
    programme = Programme(name=name.strip(), slug=slug, kind=kind, contact_email=contact_email.strip().lower(),
                          description=description.strip(), teams_provider=teams_provider,
                          status=ProgrammeStatus.DRAFT)
    db.session.add(programme)
    db.session.flush()
    record_audit(actor, "programme.create", programme, f"Created {programme.name}",
                 after=snapshot(programme, FIELDS))
    return programme


def update_programme(actor, programme: Programme, name: str, slug: str, kind: str,
                     contact_email: str, description: str, teams_provider: str = "manual",
                     status: ProgrammeStatus | None = None) -> Programme:
    """Change a programme (publishing it, or taking it back to draft), audited with before and after."""
    slug = slug.strip().lower()
    _check_slug(slug, programme)
    _check_provider(teams_provider)
    before = snapshot(programme, FIELDS)
    if status is not None:
        programme.status = status
    programme.teams_provider = teams_provider
    programme.name, programme.slug, programme.kind = name.strip(), slug, kind
    programme.contact_email, programme.description = contact_email.strip().lower(), description.strip()
    db.session.flush()
    after = snapshot(programme, FIELDS)
    if before["status"] != after["status"]:
        action, summary = (("programme.publish", f"Published {programme.name}") if programme.is_published
                           else ("programme.unpublish", f"Made {programme.name} a draft again"))
    else:
        action, summary = "programme.update", f"Updated {programme.name}"
    record_audit(actor, action, programme, summary, before=before, after=after)
    return programme
