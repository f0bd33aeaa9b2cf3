"""An agency with its admin, a delegated colleague and a colleague not delegated; another agency's admin; an
Adoption England organiser (a programme marked for the aggregate), a site admin; a local authority in the region."""

from datetime import UTC, datetime

import pytest

from ep_events.accounts.models import Role
from ep_events.assessments.assessments import (
    EntryInput,
    complete_assessment,
    delegate_colleague,
    save_standard,
    start_assessment,
)
from ep_events.extensions import db
from ep_events.organisations.models import OrganisationKind
from ep_events.standards import current_edition
from tests import factories

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class World:
    pass


def build_world() -> World:
    w = World()
    w.agency = factories.organisation(name="Adoption Central Midlands", region="West Midlands")
    w.other_agency = factories.organisation(name="Trent Valley Adoption", region="East Midlands")
    w.riverton = factories.organisation(name="Riverton City Council", kind=OrganisationKind.LOCAL_AUTHORITY,
                                        region="West Midlands")
    w.southvale = factories.organisation(name="Southvale Borough Council", kind=OrganisationKind.LOCAL_AUTHORITY,
                                         region="South East")
    w.admin = factories.user(name="Ash Agency-Admin", job_title="Adoption team manager", organisation=w.agency,
                             roles=[(Role.AGENCY_ADMIN, w.agency)])
    w.delegate = factories.user(name="Dee Delegate", organisation=w.agency)
    w.colleague = factories.user(name="Cal Colleague", organisation=w.agency)
    w.other_admin = factories.user(name="Oli Other", organisation=w.other_agency,
                                   roles=[(Role.AGENCY_ADMIN, w.other_agency)])
    w.ae_programme = factories.programme(kind="workshops", name="Adoption England P&SD workshops",
                                         standards_aggregate=True)
    w.other_programme = factories.programme(kind="practice_surgeries")
    w.ae_organiser = factories.user(name="Ola Organiser", roles=[(Role.ORGANISER, w.ae_programme)])
    w.organiser = factories.user(name="Sam Surgeries", roles=[(Role.ORGANISER, w.other_programme)])
    w.site_admin = factories.admin(name="Alex Admin")
    delegate_colleague(w.admin, w.agency, w.delegate)
    db.session.commit()
    return w


@pytest.fixture
def world(app):
    return build_world()


def rate_all(actor, assessment, rating="green", overrides=None, standards=None):
    """Rate every sub-standard (or the standards given); overrides maps a number to an EntryInput."""
    overrides = overrides or {}
    for standard in current_edition().standards:
        if standards and standard.code not in standards:
            continue
        given = {sub.number: overrides.get(sub.number, EntryInput(rating=rating)) for sub in standard.substandards}
        save_standard(actor, assessment, standard, given)


def completed(world, actor=None, rating="green", overrides=None, shared=False, now=NOW, organisation=None):
    actor = actor or world.admin
    assessment = start_assessment(actor, organisation or world.agency, now=now)
    rate_all(actor, assessment, rating, overrides)
    complete_assessment(actor, assessment, actor.name, actor.job_title, shared, now=now)
    db.session.commit()
    return assessment
