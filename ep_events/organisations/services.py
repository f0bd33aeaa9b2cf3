"""Rules for organisations: names are unique; every change is audited."""

from sqlalchemy import func, select

from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind

FIELDS = ("name", "kind", "region")


def list_organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def _check_unique_name(name: str, current: Organisation | None = None) -> None:
    query = select(Organisation).where(func.lower(Organisation.name) == name.lower())
    existing = db.session.execute(query).scalar_one_or_none()
    if existing is not None and existing is not current:
        raise DomainError("An organisation with that name already exists", field="name")


def create_organisation(actor, name: str, kind: OrganisationKind, region: str) -> Organisation:
    """Create an organisation with a unique name, audited."""
    name = name.strip()
    _check_unique_name(name)
    organisation = Organisation(name=name, kind=kind, region=region)
    db.session.add(organisation)
    db.session.flush()
    record_audit(actor, "organisation.create", organisation, f"Created {name}",
                 after=snapshot(organisation, FIELDS))
    return organisation


def update_organisation(actor, organisation: Organisation, name: str, kind: OrganisationKind,
                        region: str) -> Organisation:
    """Change an organisation, audited with before and after."""
    name = name.strip()
    _check_unique_name(name, organisation)
    before = snapshot(organisation, FIELDS)
    organisation.name, organisation.kind, organisation.region = name, kind, region
    db.session.flush()
    record_audit(actor, "organisation.update", organisation, f"Updated {name}",
                 before=before, after=snapshot(organisation, FIELDS))
    return organisation
