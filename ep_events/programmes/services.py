"""Rules for programmes: slugs are unique and URL-safe; every change is audited."""

import re

from sqlalchemy import select

from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeKind

FIELDS = ("name", "slug", "kind", "contact_email", "description", "teams_provider")
TEAMS_PROVIDERS = ("manual", "graph")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def list_programmes() -> list[Programme]:
    return list(db.session.execute(select(Programme).order_by(Programme.name)).scalars())


def get_programme_by_slug(slug: str) -> Programme | None:
    return db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()


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


def create_programme(actor, name: str, slug: str, kind: ProgrammeKind, contact_email: str,
                     description: str, teams_provider: str = "manual") -> Programme:
    """Create a programme with a unique slug, audited."""
    slug = slug.strip().lower()
    _check_slug(slug)
    _check_provider(teams_provider)
    programme = Programme(name=name.strip(), slug=slug, kind=kind, contact_email=contact_email.strip().lower(),
                          description=description.strip(), teams_provider=teams_provider)
    db.session.add(programme)
    db.session.flush()
    record_audit(actor, "programme.create", programme, f"Created {programme.name}",
                 after=snapshot(programme, FIELDS))
    return programme


def update_programme(actor, programme: Programme, name: str, slug: str, kind: ProgrammeKind,
                     contact_email: str, description: str, teams_provider: str = "manual") -> Programme:
    """Change a programme, audited with before and after."""
    slug = slug.strip().lower()
    _check_slug(slug, programme)
    _check_provider(teams_provider)
    before = snapshot(programme, FIELDS)
    programme.teams_provider = teams_provider
    programme.name, programme.slug, programme.kind = name.strip(), slug, kind
    programme.contact_email, programme.description = contact_email.strip().lower(), description.strip()
    db.session.flush()
    record_audit(actor, "programme.update", programme, f"Updated {programme.name}",
                 before=before, after=snapshot(programme, FIELDS))
    return programme
